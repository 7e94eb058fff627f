"""Parameters of /v1/payment_methods."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, get_args

from pydantic import Field, create_model

from app.domain import payment_method_shapes
from app.errors import InvalidRequest
from app.params.base import ExpandParams, Id, Int, ListParams, Metadata, Params, Str
from app.params.customers import AddressParams

# The types described by hand (their checks are the service's); the rest come from Stripe's
# definition (app/domain/payment_method_shapes.py).
HandWrittenType = Literal[
    "card",
    "us_bank_account",
    "sepa_debit",
    "bacs_debit",
    "au_becs_debit",
    "acss_debit",
    "link",
    "paypal",
    "cashapp",
    "amazon_pay",
    "boleto",
    "ideal",
    "bancontact",
]
HAND_WRITTEN = frozenset(get_args(HandWrittenType))
ALL_TYPES = HAND_WRITTEN | payment_method_shapes.types()
if TYPE_CHECKING:
    PaymentMethodType = str
else:
    PaymentMethodType = Literal[(*HandWrittenType.__args__, *sorted(payment_method_shapes.types()))]


class BillingDetailsParams(Params):
    address: AddressParams | None = None
    email: Str | None = None
    name: Str | None = None
    phone: Str | None = None


class CardParams(Params):
    number: Str | None = None
    exp_month: Int | None = Field(None, ge=1, le=12)
    exp_year: Int | None = Field(None, ge=2000, le=2100)
    cvc: Str | None = None
    token: Str | None = None


class CardUpdateParams(Params):
    exp_month: Int | None = Field(None, ge=1, le=12)
    exp_year: Int | None = Field(None, ge=2000, le=2100)


class SepaDebitParams(Params):
    iban: Str


class UsBankAccountParams(Params):
    account_number: Str | None = None
    routing_number: Str | None = None
    account_holder_type: Literal["individual", "company"] | None = None
    account_type: Literal["checking", "savings"] | None = None
    financial_connections_account: Str | None = None


class BacsDebitParams(Params):
    account_number: Str
    sort_code: Str


class AuBecsDebitParams(Params):
    account_number: Str
    bsb_number: Str


class AcssDebitParams(Params):
    account_number: Str
    institution_number: Str
    transit_number: Str


class BoletoParams(Params):
    tax_id: Str


class IdealParams(Params):
    bank: Str | None = None


class EmptyParams(Params):
    pass


class _PaymentMethodCreateParams(ExpandParams):
    type: PaymentMethodType
    billing_details: BillingDetailsParams | None = None
    metadata: Metadata | None = None
    card: CardParams | None = None
    sepa_debit: SepaDebitParams | None = None
    us_bank_account: UsBankAccountParams | None = None
    bacs_debit: BacsDebitParams | None = None
    au_becs_debit: AuBecsDebitParams | None = None
    acss_debit: AcssDebitParams | None = None
    boleto: BoletoParams | None = None
    ideal: IdealParams | None = None
    link: EmptyParams | None = None
    paypal: EmptyParams | None = None
    cashapp: EmptyParams | None = None
    amazon_pay: EmptyParams | None = None
    bancontact: EmptyParams | None = None
    allow_redisplay: Literal["always", "limited", "unspecified"] | None = None

    def type_hash(self, kind: str) -> Any:
        return getattr(self, kind, None)


# One `type[...]` hash for each type of Stripe's definition beyond the hand-written ones.
if TYPE_CHECKING:
    PaymentMethodCreateParams = _PaymentMethodCreateParams
else:
    PaymentMethodCreateParams = create_model(
        "PaymentMethodCreateParams",
        __base__=_PaymentMethodCreateParams,
        __module__=__name__,
        **{kind: (dict[str, Any] | None, None) for kind in sorted(payment_method_shapes.types())},
    )


class UsBankAccountUpdateParams(Params):
    account_holder_type: Literal["individual", "company"] | None = None
    account_type: Literal["checking", "savings"] | None = None


class PaymentMethodUpdateParams(ExpandParams):
    us_bank_account: UsBankAccountUpdateParams | None = None
    billing_details: BillingDetailsParams | None = None
    card: CardUpdateParams | None = None
    metadata: Metadata | Literal[""] | None = None
    allow_redisplay: Literal["always", "limited", "unspecified"] | None = None


class PaymentMethodAttachParams(ExpandParams):
    customer: Id


class PaymentMethodDetachParams(ExpandParams):
    pass


class PaymentMethodListParams(ListParams):
    customer: Id | None = None
    type: PaymentMethodType | None = None


class CustomerPaymentMethodListParams(ListParams):
    type: PaymentMethodType | None = None
    allow_redisplay: Literal["always", "limited", "unspecified"] | None = None


def known_types(types: list[str], param: str) -> list[str]:
    """`payment_method_types` (on subscriptions and invoices): each one of Stripe's types."""
    for n, kind in enumerate(types):
        if kind not in ALL_TYPES:
            raise InvalidRequest(
                f"Invalid payment method type: {kind}.", code="parameter_invalid_string", param=f"{param}[{n}]"
            )
    return types

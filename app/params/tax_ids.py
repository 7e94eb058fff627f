"""Parameters of /v1/customers/{id}/tax_ids and /v1/tax_ids (stripe-python `CustomerCreateTaxIdParams`, ...)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import StringConstraints

from app.params.base import ExpandParams, Id, ListParams, Params

TaxIdValue = Annotated[str, StringConstraints(min_length=1, max_length=64)]
TaxIdKind = Annotated[str, StringConstraints(min_length=1, max_length=16)]


class TaxIdData(Params):
    """One of `tax_id_data[N]` on customer create."""

    type: TaxIdKind
    value: TaxIdValue


class CustomerTaxIdCreateParams(ExpandParams):
    type: TaxIdKind
    value: TaxIdValue


class OwnerParams(Params):
    """Whose tax ID: a customer's, or the merchant's own (`account`/`self`, the same here: one
    account, no Connect)."""

    type: Literal["account", "customer", "self"]
    customer: Id | None = None


class TaxIdCreateParams(ExpandParams):
    type: TaxIdKind
    value: TaxIdValue
    owner: OwnerParams | None = None


class TaxIdListParams(ListParams):
    owner: OwnerParams | None = None

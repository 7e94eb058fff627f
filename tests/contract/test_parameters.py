"""Stripe's parameters per endpoint (from the pinned definition) against ours: a parameter Stripe
has that we do not take is refused by name as not supported (never "unknown", never ignored); a
parameter we take that Stripe lacks is a documented extension; the table the service refuses by is
the definition's; and the share of Stripe's parameters we take does not fall."""

from __future__ import annotations

import json

import httpx

from tests.contract import honoured
from tests.contract.parameters import DOC, ENDPOINTS, TABLE, coverage, document, extension, table

# Stripe's parameters each endpoint takes today (it may only grow).
FLOOR = {
    "CustomerCreateParams": 19,
    "CustomerUpdateParams": 16,
    "CustomerListParams": 7,
    "ProductCreateParams": 15,
    "ProductUpdateParams": 13,
    "ProductListParams": 10,
    "PriceCreateParams": 17,
    "PriceUpdateParams": 7,
    "PriceListParams": 11,
    "PaymentMethodCreateParams": 62,
    "PaymentMethodUpdateParams": 6,
    "SubscriptionCreateParams": 25,
    "SubscriptionUpdateParams": 22,
    "SubscriptionListParams": 13,
    "SubscriptionCancelParams": 4,
    "SubscriptionResumeParams": 3,
    "SubscriptionItemCreateParams": 10,
    "SubscriptionItemUpdateParams": 10,
    "SubscriptionItemDeleteParams": 4,
    "InvoiceCreateParams": 24,
    "InvoiceUpdateParams": 20,
    "InvoiceListParams": 10,
    "InvoicePayParams": 4,
    "InvoiceFinalizeInvoiceParams": 2,
    "InvoiceAddLinesParams": 3,
    "InvoiceCreatePreviewParams": 8,
    "InvoiceItemCreateParams": 16,
    "InvoiceItemUpdateParams": 12,
    "InvoiceItemListParams": 8,
    "CustomerCreateTaxIdParams": 3,
    "TaxIdCreateParams": 4,
    "TaxIdListParams": 5,
    "CouponCreateParams": 12,
    "CouponUpdateParams": 3,
    "PromotionCodeCreateParams": 9,
    "PromotionCodeUpdateParams": 3,
    "PromotionCodeListParams": 9,
    "BillingPortal.ConfigurationCreateParams": 7,
    "BillingPortal.ConfigurationUpdateParams": 8,
    "BillingPortal.SessionCreateParams": 8,
    "WebhookEndpointCreateParams": 7,
    "WebhookEndpointUpdateParams": 6,
}


def test_the_refusal_table_and_its_document_are_the_definitions() -> None:
    fresh = table()
    assert json.loads(TABLE.read_text())["parameters"] == fresh, "run `python -m tests.contract.parameters`"
    assert DOC.read_text() == document(fresh), "run `python -m tests.contract.parameters`"


def test_parameters_stripe_lacks_are_documented_extensions() -> None:
    for name, (_taken, _all, extra) in coverage().items():
        model = ENDPOINTS[name]
        undocumented = [p for p in extra if not extension(model, p)]
        assert not undocumented, f"{name}: {undocumented} are not Stripe's and not documented as extensions"


def test_coverage_does_not_fall() -> None:
    measured = coverage()
    fallen = {name: (measured[name][0], floor) for name, floor in FLOOR.items() if measured[name][0] < floor}
    assert not fallen, fallen


async def test_a_stripe_parameter_we_do_not_take_is_refused_by_name(client: httpx.AsyncClient) -> None:
    r = await client.post("/v1/customers", data={"source": "tok_visa"})
    error = r.json()["error"]
    assert r.status_code == 400 and error["code"] == "parameter_unsupported" and error["param"] == "source"
    assert "not support" in error["message"]
    typo = await client.post("/v1/customers", data={"emial": "x@y.se"})
    assert typo.json()["error"]["code"] == "parameter_unknown"


def test_every_parameter_we_take_has_a_test_of_its_effect() -> None:
    """Item 2 of issue 18: each of Stripe's parameters an endpoint takes names the test that shows
    its effect (tests/contract/honoured.json), and that test sends it. Shared mechanisms
    (`expand`, `limit`, cursors, `metadata`, `created`) point at a test of the mechanism."""
    registry, tests, data = honoured.load(), honoured.functions(), table()
    problems: list[str] = []
    for name, model in ENDPOINTS.items():
        key = name.removesuffix("Params")
        taken = set(data[model.__name__]) & set(model.model_fields)
        for param in sorted(taken):
            test_id = registry.get(key, {}).get(param)
            if test_id is None:
                problems.append(f"{key}.{param}: accepted, and no test of its effect is named")
            elif test_id not in tests:
                problems.append(f"{key}.{param}: {test_id} is not a test")
            elif not (honoured.mentions(tests[test_id][0], param) or param in honoured.parametrized(test_id)):
                problems.append(f"{key}.{param}: {test_id} does not send it")
        stale = set(registry.get(key, {})) - taken
        problems += [f"{key}.{param}: in the registry but not taken" for param in sorted(stale)]
    assert not problems, "\n".join(problems)

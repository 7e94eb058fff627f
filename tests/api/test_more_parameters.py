"""Parameters each shown by its effect here (the registry, tests/contract/honoured.json, points
at these where no other test sends them): customer addresses and names, payment method types
described by hand and their billing details, price tax_behavior, subscription item
payment_behavior and plan, invoice issuer and pending items, invoice item discountable and period,
promotion code expiry, session on_behalf_of, and webhook endpoints' api_version and connect."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import customer, post, price, subscription
from tests.portal import shop as s


async def test_customer_address_shipping_and_names_are_kept_and_unset(client: httpx.AsyncClient) -> None:
    made = await post(
        client,
        "/v1/customers",
        business_name="Acme AB",
        individual_name="Jenny Rosen",
        **{
            "address[line1]": "Drottninggatan 1",
            "address[city]": "Stockholm",
            "address[country]": "SE",
            "shipping[name]": "Jenny Rosen",
            "shipping[address][line1]": "Kungsgatan 2",
        },
    )
    assert made["address"] == {
        "city": "Stockholm",
        "country": "SE",
        "line1": "Drottninggatan 1",
        "line2": None,
        "postal_code": None,
        "state": None,
    }
    assert made["shipping"]["address"]["line1"] == "Kungsgatan 2" and made["shipping"]["name"] == "Jenny Rosen"
    assert (made["business_name"], made["individual_name"]) == ("Acme AB", "Jenny Rosen")
    changed = await post(
        client,
        f"/v1/customers/{made['id']}",
        business_name="",
        individual_name="J. Rosen",
        shipping="",
        **{"address[postal_code]": "111 22"},
    )
    assert changed["address"]["postal_code"] == "111 22" and changed["shipping"] is None
    assert "business_name" not in changed and changed["individual_name"] == "J. Rosen"


async def test_hand_described_types_show_what_stripe_shows(client: httpx.AsyncClient) -> None:
    bank_types: dict[str, dict[str, Any]] = {
        "us_bank_account": {
            "us_bank_account[account_number]": "000123456789",
            "us_bank_account[routing_number]": "110000000",
            "us_bank_account[account_holder_type]": "company",
        },
        "bacs_debit": {"bacs_debit[account_number]": "00012345", "bacs_debit[sort_code]": "108800"},
        "au_becs_debit": {"au_becs_debit[account_number]": "000123456", "au_becs_debit[bsb_number]": "000000"},
        "acss_debit": {
            "acss_debit[account_number]": "00123456789",
            "acss_debit[institution_number]": "000",
            "acss_debit[transit_number]": "11000",
        },
        "boleto": {"boleto[tax_id]": "000.000.000-00"},
    }
    for kind, data in bank_types.items():
        pm = await post(client, "/v1/payment_methods", type=kind, **data)
        assert pm["type"] == kind, kind
        shown = pm[kind]
        if "last4" in shown:
            assert shown["last4"] == next(v for k, v in data.items() if k.endswith("[account_number]"))[-4:]
    assert (await post(client, "/v1/payment_methods", type="us_bank_account", **bank_types["us_bank_account"]))[
        "us_bank_account"
    ]["account_holder_type"] == "company"
    assert (await post(client, "/v1/payment_methods", type="boleto", **bank_types["boleto"]))["boleto"] == {
        "tax_id": "000.000.000-00"
    }
    link = await post(client, "/v1/payment_methods", type="link", **{"billing_details[email]": "j@example.com"})
    assert link["link"]["email"] == "j@example.com" and link["billing_details"]["email"] == "j@example.com"
    for wallet in ("paypal", "cashapp", "amazon_pay", "bancontact"):
        assert (await post(client, "/v1/payment_methods", type=wallet))["type"] == wallet
    assert (await post(client, "/v1/payment_methods", type="paypal"))["paypal"] == {
        "country": None,
        "payer_email": None,
        "payer_id": None,
    }


async def test_billing_details_and_allow_redisplay_on_create_and_update(client: httpx.AsyncClient) -> None:
    pm = await post(
        client,
        "/v1/payment_methods",
        type="card",
        allow_redisplay="always",
        **{"card[token]": "tok_visa", "billing_details[name]": "Jenny", "billing_details[address][country]": "SE"},
    )
    assert pm["allow_redisplay"] == "always" and pm["billing_details"]["name"] == "Jenny"
    assert pm["billing_details"]["address"]["country"] == "SE"
    changed = await post(
        client,
        f"/v1/payment_methods/{pm['id']}",
        allow_redisplay="limited",
        **{"billing_details[phone]": "+46701234567"},
    )
    assert changed["allow_redisplay"] == "limited" and changed["billing_details"]["phone"] == "+46701234567"
    assert changed["billing_details"]["name"] == "Jenny"


async def test_price_tax_behavior_is_kept_and_set_once(client: httpx.AsyncClient) -> None:
    made = await price(client, tax_behavior="exclusive")
    assert made["tax_behavior"] == "exclusive"
    unset = await price(client)
    assert unset["tax_behavior"] == "unspecified"
    assert (await post(client, f"/v1/prices/{unset['id']}", tax_behavior="inclusive"))["tax_behavior"] == "inclusive"
    again = await client.post(f"/v1/prices/{made['id']}", data={"tax_behavior": "inclusive"})
    assert again.status_code == 400 and again.json()["error"]["param"] == "tax_behavior"


async def test_subscription_items_plan_payment_behavior_and_refused_clear_usage(client: httpx.AsyncClient) -> None:
    sub = await subscription(client)
    extra = await price(client, amount=500)
    added = await post(
        client,
        "/v1/subscription_items",
        subscription=sub["id"],
        plan=extra["id"],
        payment_behavior="error_if_incomplete",
        proration_behavior="none",
    )
    assert added["price"]["id"] == extra["id"]
    other = await price(client, amount=800)
    moved = await post(client, f"/v1/subscription_items/{added['id']}", plan=other["id"], proration_behavior="none")
    assert moved["price"]["id"] == other["id"]
    # A change that bills nothing now applies at once, pending_if_incomplete or not.
    kept = await post(
        client, f"/v1/subscription_items/{added['id']}", payment_behavior="pending_if_incomplete", quantity=2
    )
    assert kept["quantity"] == 2
    r = await client.delete(f"/v1/subscription_items/{added['id']}", params={"clear_usage": "true"})
    assert r.status_code == 400 and r.json()["error"]["param"] == "clear_usage"
    gone = await client.delete(
        f"/v1/subscription_items/{added['id']}",
        params={"payment_behavior": "pending_if_incomplete", "proration_behavior": "none"},
    )
    assert gone.status_code == 200 and gone.json()["deleted"] is True
    # A declined card under error_if_incomplete leaves the items as they were (402).
    declining = await customer(client, card=False)
    await post(client, "/v1/payment_methods/pm_card_chargeCustomerFail/attach", customer=declining["id"])
    fail = await client.post(
        "/v1/subscriptions",
        data={"customer": declining["id"], "items[0][price]": extra["id"], "payment_behavior": "error_if_incomplete"},
    )
    assert fail.status_code == 402


async def test_invoice_issuer_and_pending_invoice_items_behavior(client: httpx.AsyncClient) -> None:
    cust = await customer(client)
    await post(client, "/v1/invoiceitems", customer=cust["id"], amount=400, currency="usd")
    kept = await post(client, "/v1/invoices", customer=cust["id"], currency="usd", **{"issuer[type]": "self"})
    assert kept["issuer"] == {"type": "self"} and kept["total"] == 0
    took = await post(client, "/v1/invoices", customer=cust["id"], pending_invoice_items_behavior="include")
    assert took["total"] == 400
    account = await client.post("/v1/invoices", data={"customer": cust["id"], "issuer[type]": "account"})
    assert account.status_code == 400 and account.json()["error"]["param"] == "issuer[type]"
    updated = await post(client, f"/v1/invoices/{kept['id']}", **{"issuer[type]": "self"})
    assert updated["issuer"] == {"type": "self"}
    sub = await subscription(client)
    preview = await post(client, "/v1/invoices/create_preview", subscription=sub["id"], **{"issuer[type]": "self"})
    assert preview["issuer"] == {"type": "self"}


async def test_invoice_item_discountable_and_period(client: httpx.AsyncClient) -> None:
    cust = await customer(client)
    await post(client, "/v1/coupons", id="HALF", percent_off="50", duration="forever")
    await post(client, f"/v1/customers/{cust['id']}", coupon="HALF")
    item = await post(
        client,
        "/v1/invoiceitems",
        customer=cust["id"],
        amount=1000,
        currency="usd",
        discountable="false",
        **{"period[start]": 1_790_000_000, "period[end]": 1_790_086_400},
    )
    assert item["discountable"] is False and item["period"] == {"start": 1_790_000_000, "end": 1_790_086_400}
    inv = await post(client, "/v1/invoices", customer=cust["id"], pending_invoice_items_behavior="include")
    assert inv["total"] == 1000
    other = await post(client, "/v1/invoiceitems", customer=cust["id"], amount=1000, currency="usd")
    changed = await post(
        client, f"/v1/invoiceitems/{other['id']}", discountable="false", **{"period[start]": 1, "period[end]": 2}
    )
    assert changed["discountable"] is False and changed["period"] == {"start": 1, "end": 2}


async def test_promotion_code_expiry_session_on_behalf_of_and_endpoint_versions(client: httpx.AsyncClient) -> None:
    await post(client, "/v1/coupons", id="SOON", percent_off="10", duration="once")
    code = await post(
        client,
        "/v1/promotion_codes",
        expires_at=1_900_000_000,
        **{"promotion[type]": "coupon", "promotion[coupon]": "SOON"},
    )
    assert code["expires_at"] == 1_900_000_000
    past = await client.post(
        "/v1/promotion_codes",
        data={"expires_at": 1_000, "promotion[type]": "coupon", "promotion[coupon]": "SOON"},
    )
    assert past.status_code == 400 and past.json()["error"]["param"] == "expires_at"
    shop = await s.shop(client)
    session = await post(client, "/v1/billing_portal/sessions", customer=shop.customer["id"], on_behalf_of="acct_x")
    assert session["on_behalf_of"] == "acct_x"
    endpoint = await post(
        client,
        "/v1/webhook_endpoints",
        url="https://hooks.example/v",
        api_version="2026-07-29.dahlia",
        **{"enabled_events[0]": "*"},
    )
    assert endpoint["api_version"] == "2026-07-29.dahlia"
    connect = await client.post(
        "/v1/webhook_endpoints", data={"url": "https://hooks.example/c", "connect": "true", "enabled_events[0]": "*"}
    )
    assert connect.status_code == 400 and connect.json()["error"]["param"] == "connect"


async def test_a_us_bank_accounts_holder_and_account_type_change(client: httpx.AsyncClient) -> None:
    pm = await post(
        client,
        "/v1/payment_methods",
        type="us_bank_account",
        **{"us_bank_account[account_number]": "000123456789", "us_bank_account[routing_number]": "110000000"},
    )
    assert (pm["us_bank_account"]["account_holder_type"], pm["us_bank_account"]["account_type"]) == (
        "individual",
        "checking",
    )
    changed = await post(
        client,
        f"/v1/payment_methods/{pm['id']}",
        **{"us_bank_account[account_holder_type]": "company", "us_bank_account[account_type]": "savings"},
    )
    assert (changed["us_bank_account"]["account_holder_type"], changed["us_bank_account"]["account_type"]) == (
        "company",
        "savings",
    )
    card = await post(client, "/v1/payment_methods", type="card", **{"card[token]": "tok_visa"})
    wrong = await client.post(f"/v1/payment_methods/{card['id']}", data={"us_bank_account[account_type]": "savings"})
    assert wrong.status_code == 400 and wrong.json()["error"]["param"] == "us_bank_account"

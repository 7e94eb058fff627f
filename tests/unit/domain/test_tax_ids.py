"""The tax ID formats (app/domain/tax_ids.py): every type of Stripe's pinned definition has one,
Stripe's example for it passes (https://docs.stripe.com/billing/customer/tax-ids), and a value of
the wrong shape does not."""

from __future__ import annotations

import pytest

from app.domain import tax_ids as rules
from tests.contract.definition import definitions

# Stripe's examples from its table of supported types, as written there.
STRIPE_EXAMPLES = {
    "ad_nrt": "A-123456-Z",
    "ar_cuit": "12-3456789-01",
    "au_abn": "12345678912",
    "br_cnpj": "01.234.456/5432-10",
    "br_cpf": "123.456.789-87",
    "ca_gst_hst": "123456789RT0002",
    "ca_pst_bc": "PST-1234-5678",
    "ca_qst": "1234567890TQ1234",
    "ch_vat": "CHE-123.456.789 MWST",
    "cl_tin": "12.345.678-K",
    "co_nit": "123.456.789-0",
    "cr_tin": "1-234-567890",
    "eu_oss_vat": "EU123456789",
    "us_ein": "12-3456789",
    "za_vat": "4123456789",
}
EU_EXAMPLES = [
    "ATU12345678",
    "BE0123456789",
    "BG0123456789",
    "CY12345678Z",
    "CZ1234567890",
    "DE123456789",
    "DK12345678",
    "EE123456789",
    "EL123456789",
    "ESA1234567Z",
    "FI12345678",
    "FRAB123456789",
    "HR12345678912",
    "HU12345678912",
    "IE1234567AB",
    "IT12345678912",
    "LT123456789123",
    "LU12345678",
    "LV12345678912",
    "MT12345678",
    "NL123456789B12",
    "PL1234567890",
    "PT123456789",
    "RO1234567891",
    "SE123456789123",
    "SI12345678",
    "SK1234567891",
    "XI123456789",
]


def test_every_type_of_stripes_definition_has_a_format() -> None:
    d = definitions("2026-10-28.endive", ("TaxIdCreateParams",))
    union = d.root("TaxIdCreateParams")["fields"]["type"]["type"]["of"]
    stripes = {t["value"] for t in union if t["kind"] == "string"}
    assert stripes == set(rules.TYPES)


@pytest.mark.parametrize("kind", sorted(rules.FORMATS))
def test_each_types_example_has_its_format_and_a_wrong_shape_does_not(kind: str) -> None:
    fmt = rules.FORMATS[kind]
    assert rules.check(kind, fmt.example).value == fmt.example
    for wrong in ("x", fmt.example + "9999999", "!" + fmt.example):
        with pytest.raises(rules.TaxIdInvalid):
            rules.check(kind, wrong)


@pytest.mark.parametrize(("kind", "value"), sorted(STRIPE_EXAMPLES.items()))
def test_stripes_published_examples_pass(kind: str, value: str) -> None:
    rules.check(kind, value)


@pytest.mark.parametrize("value", EU_EXAMPLES)
def test_every_member_states_vat_number_passes_with_its_country(value: str) -> None:
    checked = rules.check("eu_vat", value)
    assert checked.country == {"EL": "GR", "XI": "GB"}.get(value[:2], value[:2])


def test_a_vat_number_of_one_state_in_anothers_layout_fails() -> None:
    for wrong in ("DE12345678", "ATU1234567", "NL123456789", "US123456789"):
        with pytest.raises(rules.TaxIdInvalid):
            rules.check("eu_vat", wrong)


def test_verification_follows_stripes_test_values() -> None:
    assert rules.verification("eu_vat", "DE123456789") is rules.VerificationStatus.VERIFIED
    assert rules.verification("eu_vat", "DE111111111") is rules.VerificationStatus.UNVERIFIED
    assert rules.verification("gb_vat", "GB222222222") is rules.VerificationStatus.PENDING
    assert rules.verification("us_ein", "12-3456789") is rules.VerificationStatus.UNAVAILABLE

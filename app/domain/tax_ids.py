"""Customer tax IDs: Stripe's types, each with its format check and country.

Stripe checks a tax ID's format when it is added (and, for a few types, verifies it with the
government registry afterwards). The formats below are each type's published shape (Stripe's
examples, https://docs.stripe.com/billing/customer/tax-ids, and the issuing authority's layout),
checked on the compact form: upper case, without the spaces, dots, dashes and slashes people
write between the groups. They check the shape, not check digits: Stripe's own examples
(`DE123456789`) carry no valid check digit, and test integrations use them.

The list of types is the pinned definition's (a contract test fails when Stripe adds one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

_SEPARATORS = re.compile(r"[\s.\-/]")


@dataclass(frozen=True)
class Format:
    pattern: str  # on the compact value
    example: str  # as written (Stripe's example where it gives one)
    country: str | None  # None: taken from the value's prefix (eu_vat) or none (eu_oss_vat)
    description: str

    def matches(self, value: str) -> bool:
        return re.fullmatch(self.pattern, compact(value)) is not None


def compact(value: str) -> str:
    return _SEPARATORS.sub("", value).upper()


# The EU VAT number of each member state (VIES layouts), by the prefix it starts with. XI is
# Northern Ireland; EL is Greece.
EU_VAT: dict[str, tuple[str, str]] = {
    "AT": ("AT", r"ATU\d{8}"),
    "BE": ("BE", r"BE[01]\d{9}"),
    "BG": ("BG", r"BG\d{9,10}"),
    "CY": ("CY", r"CY\d{8}[A-Z]"),
    "CZ": ("CZ", r"CZ\d{8,10}"),
    "DE": ("DE", r"DE\d{9}"),
    "DK": ("DK", r"DK\d{8}"),
    "EE": ("EE", r"EE\d{9}"),
    "EL": ("GR", r"EL\d{9}"),
    "ES": ("ES", r"ES[A-Z0-9]\d{7}[A-Z0-9]"),
    "FI": ("FI", r"FI\d{8}"),
    "FR": ("FR", r"FR[A-Z0-9]{2}\d{9}"),
    "HR": ("HR", r"HR\d{11}"),
    "HU": ("HU", r"HU\d{8}(\d{3})?"),
    "IE": ("IE", r"IE\d[A-Z0-9+*]\d{5}[A-Z]{1,2}"),
    "IT": ("IT", r"IT\d{11}"),
    "LT": ("LT", r"LT(\d{9}|\d{12})"),
    "LU": ("LU", r"LU\d{8}"),
    "LV": ("LV", r"LV\d{11}"),
    "MT": ("MT", r"MT\d{8}"),
    "NL": ("NL", r"NL\d{9}B\d{2}"),
    "PL": ("PL", r"PL\d{10}"),
    "PT": ("PT", r"PT\d{9}"),
    "RO": ("RO", r"RO\d{2,10}"),
    "SE": ("SE", r"SE\d{12}"),
    "SI": ("SI", r"SI\d{8}"),
    "SK": ("SK", r"SK\d{10}"),
    "XI": ("GB", r"XI(\d{9}|\d{12}|GD\d{3}|HA\d{3})"),
}


def _f(pattern: str, example: str, country: str | None, description: str) -> Format:
    return Format(pattern, example, country, description)


FORMATS: dict[str, Format] = {
    "ad_nrt": _f(r"[A-Z]\d{6}[A-Z]", "A-123456-Z", "AD", "Andorran NRT number"),
    "ae_trn": _f(r"\d{15}", "123456789012345", "AE", "United Arab Emirates TRN"),
    "al_tin": _f(r"[A-Z]\d{8}[A-Z]", "J12345678N", "AL", "Albania Tax Identification Number"),
    "am_tin": _f(r"\d{8}", "02538904", "AM", "Armenia Tax Identification Number"),
    "ao_tin": _f(r"\d{10}", "5123456789", "AO", "Angola Tax Identification Number"),
    "ar_cuit": _f(r"\d{11}", "12-3456789-01", "AR", "Argentinian tax ID number"),
    "au_abn": _f(r"\d{11}", "12345678912", "AU", "Australian Business Number (AU ABN)"),
    "au_acn": _f(r"\d{9}", "123456789", "AU", "Australian Company Number"),
    "au_arn": _f(r"\d{12}", "123456789123", "AU", "Australian Taxation Office Reference Number"),
    "au_wpn": _f(r"\d{11}", "12345678912", "AU", "Australia Withholding Payer Number"),
    "aw_tin": _f(r"\d{8}", "12345678", "AW", "Aruba Tax Identification Number"),
    "az_tin": _f(r"\d{10}", "0123456789", "AZ", "Azerbaijan Tax Identification Number"),
    "ba_tin": _f(r"\d{12,13}", "123456789012", "BA", "Bosnia and Herzegovina Tax Identification Number"),
    "bb_tin": _f(r"\d{13}", "1123456789012", "BB", "Barbados Tax Identification Number"),
    "bd_bin": _f(r"\d{13}", "123456789-0123", "BD", "Bangladesh Business Identification Number"),
    "bf_ifu": _f(r"\d{8}[A-Z]", "12345678A", "BF", "Burkina Faso Tax Identification Number"),
    "bg_uic": _f(r"\d{9}", "123456789", "BG", "Bulgaria Unified Identification Code"),
    "bh_vat": _f(r"\d{15}", "123456789012345", "BH", "Bahraini VAT Number"),
    "bj_ifu": _f(r"\d{13}", "1234567890123", "BJ", "Benin Tax Identification Number (IFU)"),
    "bo_tin": _f(r"\d{7,12}", "123456789", "BO", "Bolivian tax ID"),
    "br_cnpj": _f(r"\d{14}", "01.234.456/5432-10", "BR", "Brazilian CNPJ number"),
    "br_cpf": _f(r"\d{11}", "123.456.789-87", "BR", "Brazilian CPF number"),
    "bs_tin": _f(r"\d{9}", "123.456.789", "BS", "Bahamas Tax Identification Number"),
    "bw_vat": _f(r"[A-Z]\d{8,9}[A-Z]?|\d{9}", "P12345678", "BW", "Botswana VAT number"),
    "by_tin": _f(r"\d{9}", "123456789", "BY", "Belarus TIN Number"),
    "ca_bn": _f(r"\d{9}", "123456789", "CA", "Canadian BN"),
    "ca_gst_hst": _f(r"\d{9}RT\d{4}", "123456789RT0002", "CA", "Canadian GST/HST number"),
    "ca_pst_bc": _f(r"PST\d{8}", "PST-1234-5678", "CA", "Canadian PST number (British Columbia)"),
    "ca_pst_mb": _f(r"\d{7}", "123456-7", "CA", "Canadian PST number (Manitoba)"),
    "ca_pst_sk": _f(r"\d{7}", "1234567", "CA", "Canadian PST number (Saskatchewan)"),
    "ca_qst": _f(r"\d{10}TQ\d{4}", "1234567890TQ1234", "CA", "Canadian QST number (Québec)"),
    "cd_nif": _f(r"[A-Z]\d{7}[A-Z]", "A0123456M", "CD", "Congo (DR) Tax Identification Number (NIF)"),
    "ch_uid": _f(r"CHE\d{9}(HR)?", "CHE-123.456.789 HR", "CH", "Switzerland UID number"),
    "ch_vat": _f(r"CHE\d{9}(MWST|TVA|IVA)", "CHE-123.456.789 MWST", "CH", "Switzerland VAT number"),
    "ci_vat": _f(r"\d{7}[A-Z]", "1234567A", "CI", "Côte d'Ivoire VAT number"),
    "cl_tin": _f(r"\d{7,8}[0-9K]", "12.345.678-K", "CL", "Chilean TIN"),
    "cm_niu": _f(r"[A-Z]\d{12}[A-Z]", "M123456789000L", "CM", "Cameroon Tax Identification Number (NIU)"),
    "cn_tin": _f(r"[0-9A-Z]{15}([0-9A-Z]{3})?", "123456789012345678", "CN", "Chinese tax ID"),
    "co_nit": _f(r"\d{10}", "123.456.789-0", "CO", "Colombian NIT number"),
    "cr_tin": _f(r"\d{9,12}", "1-234-567890", "CR", "Costa Rican tax ID"),
    "cv_nif": _f(r"\d{9}", "213456789", "CV", "Cape Verde Tax Identification Number (NIF)"),
    "cz_dic": _f(r"(CZ)?\d{8,10}", "CZ12345678", "CZ", "Czechia tax identification number (DIČ)"),
    "de_stn": _f(r"\d{10,11}", "1234567890", "DE", "German tax number (Steuernummer)"),
    "do_rcn": _f(r"\d{9}|\d{11}", "123-4567890-1", "DO", "Dominican Republic RCN number"),
    "ec_ruc": _f(r"\d{13}", "1234567890001", "EC", "Ecuadorian RUC number"),
    "eg_tin": _f(r"\d{9}", "123456789", "EG", "Egyptian Tax Identification Number"),
    "es_cif": _f(r"[A-Z]\d{8}|[A-Z]\d{7}[A-Z0-9]", "A12345678", "ES", "Spanish NIF number (previously CIF)"),
    "et_tin": _f(r"\d{10}", "1234567890", "ET", "Ethiopia Tax Identification Number"),
    "eu_oss_vat": _f(r"EU\d{9}", "EU123456789", None, "European One Stop Shop VAT number for non-Union scheme"),
    "eu_vat": _f("|".join(p for _c, p in EU_VAT.values()), "DE123456789", None, "European VAT number"),
    "fo_vat": _f(r"\d{6}", "123456", "FO", "Faroe Islands VAT number"),
    "fr_siren": _f(r"\d{9}", "123456789", "FR", "France SIREN"),
    "fr_siret": _f(r"\d{14}", "12345678901234", "FR", "France SIRET"),
    "fr_spi": _f(r"\d{13}", "1234567890123", "FR", "France SPI (numéro fiscal)"),
    "gb_vat": _f(r"GB(\d{9}|\d{12}|GD\d{3}|HA\d{3})", "GB123456789", "GB", "United Kingdom VAT number"),
    "ge_vat": _f(r"\d{9}", "123456789", "GE", "Georgian VAT"),
    "gh_tin": _f(r"[A-Z]\d{10}", "C0000000000", "GH", "Ghana Tax Identification Number"),
    "gi_tin": _f(r"\d{5,9}", "12345", "GI", "Gibraltar Tax Identification Number"),
    "gn_nif": _f(r"\d{9}", "123456789", "GN", "Guinea Tax Identification Number (NIF)"),
    "hk_br": _f(r"\d{8}", "12345678", "HK", "Hong Kong BR number"),
    "hr_oib": _f(r"\d{11}", "12345678901", "HR", "Croatian Personal Identification Number"),
    "hu_tin": _f(r"\d{11}", "12345678-1-23", "HU", "Hungary tax number (adószám)"),
    "ic_nif": _f(r"[A-Z0-9]\d{7}[A-Z0-9]", "12345678Z", "ES", "Canary Islands tax number (NIF)"),
    "id_npwp": _f(r"\d{15,16}", "012.345.678.9-012.345", "ID", "Indonesian NPWP number"),
    "il_vat": _f(r"\d{9}", "000012345", "IL", "Israel VAT"),
    "in_gst": _f(r"\d{2}[A-Z]{5}\d{4}[A-Z][0-9A-Z]Z[0-9A-Z]", "12ABCDE3456FGZH", "IN", "Indian GST number"),
    "is_kt": _f(r"\d{10}", "123456-7890", "IS", "Iceland kennitala"),
    "is_vat": _f(r"\d{5,6}", "123456", "IS", "Icelandic VAT"),
    "it_cf": _f(r"[A-Z]{6}\d{2}[A-Z]\d{2}[A-Z]\d{3}[A-Z]|\d{11}", "RSSMRA85T10A562S", "IT", "Italy codice fiscale"),
    "jp_cn": _f(r"\d{13}", "1234567891234", "JP", "Japanese Corporate Number (Hōjin Bangō)"),
    "jp_rn": _f(r"\d{5}", "12345", "JP", "Japanese Registered Foreign Businesses' Registration Number"),
    "jp_trn": _f(r"T\d{13}", "T1234567891234", "JP", "Japanese Tax Registration Number (Tōroku Bangō)"),
    "ke_pin": _f(r"[A-Z]\d{9}[A-Z]", "P000111111A", "KE", "Kenya Revenue Authority Personal Identification Number"),
    "kg_tin": _f(r"\d{14}", "12345678901234", "KG", "Kyrgyzstan Tax Identification Number"),
    "kh_tin": _f(r"[A-Z]?\d{12,13}", "1001-123456789", "KH", "Cambodia Tax Identification Number"),
    "kr_brn": _f(r"\d{10}", "123-45-67890", "KR", "Korean BRN"),
    "kz_bin": _f(r"\d{12}", "123456789012", "KZ", "Kazakhstani Business Identification Number"),
    "la_tin": _f(r"\d{9,12}", "123456789-000", "LA", "Laos Tax Identification Number"),
    "li_uid": _f(r"CHE\d{9}", "CHE123456789", "LI", "Liechtensteinian UID number"),
    "li_vat": _f(r"\d{5}", "12345", "LI", "Liechtensteinian VAT number"),
    "lk_vat": _f(r"\d{9}7000|\d{9}", "123456789-7000", "LK", "Sri Lanka VAT number"),
    "ma_vat": _f(r"\d{8}", "12345678", "MA", "Morocco VAT Number"),
    "md_cf": _f(r"\d{13}", "1234567890123", "MD", "Moldova Cod Fiscal"),
    "md_vat": _f(r"\d{7}", "1234567", "MD", "Moldova VAT Number"),
    "me_pib": _f(r"\d{8}", "12345678", "ME", "Montenegro PIB Number"),
    "mk_vat": _f(r"(MK)?\d{13}", "MK1234567890123", "MK", "North Macedonia VAT Number"),
    "mr_nif": _f(r"\d{8}", "12345678", "MR", "Mauritania Tax Identification Number (NIF)"),
    "mu_vat": _f(r"\d{8}", "12345678", "MU", "Mauritius VAT registration number"),
    "mx_rfc": _f(r"[A-Z&Ñ]{3,4}\d{6}[A-Z0-9]{3}", "ABC010203AB9", "MX", "Mexican RFC number"),
    "my_frp": _f(r"\d{8}", "12345678", "MY", "Malaysian FRP number"),
    "my_itn": _f(r"[A-Z]{1,2}\d{10,11}", "C 1234567890", "MY", "Malaysian ITN"),
    "my_sst": _f(r"[A-Z]\d{2}\d{4}\d{8}", "A12-3456-78912345", "MY", "Malaysian SST number"),
    "mz_nuit": _f(r"\d{9}", "123456789", "MZ", "Mozambique tax identification number (NUIT)"),
    "ng_tin": _f(r"\d{12}", "12345678-0001", "NG", "Nigerian Tax Identification Number"),
    "no_vat": _f(r"\d{9}MVA", "123456789MVA", "NO", "Norwegian VAT number"),
    "no_voec": _f(r"\d{7}", "1234567", "NO", "Norwegian VAT on e-commerce number"),
    "np_pan": _f(r"\d{9}", "123456789", "NP", "Nepal PAN Number"),
    "nz_bn": _f(r"\d{13}", "9429000000000", "NZ", "New Zealand Business Number"),
    "nz_gst": _f(r"\d{8,9}", "123456789", "NZ", "New Zealand GST number"),
    "om_vat": _f(r"OM\d{10}", "OM1234567890", "OM", "Omani VAT Number"),
    "pe_ruc": _f(r"\d{11}", "12345678901", "PE", "Peruvian RUC number"),
    "ph_tin": _f(r"\d{12}", "123456789012", "PH", "Philippines Tax Identification Number"),
    "pl_nip": _f(r"\d{10}", "1234567890", "PL", "Polish tax ID number"),
    "pt_nif": _f(r"\d{9}", "123456789", "PT", "Portugal tax identification number (NIF)"),
    "py_ruc": _f(r"\d{6,8}\d", "12345678-9", "PY", "Paraguay RUC number"),
    "ro_tin": _f(r"\d{13}", "1234567890123", "RO", "Romanian tax ID number"),
    "rs_pib": _f(r"\d{9}", "123456789", "RS", "Serbian PIB number"),
    "ru_inn": _f(r"\d{10}|\d{12}", "1234567891", "RU", "Russian INN"),
    "ru_kpp": _f(r"\d{9}", "123456789", "RU", "Russian KPP"),
    "sa_vat": _f(r"\d{15}", "123456789012345", "SA", "Saudi Arabia VAT"),
    "sg_gst": _f(r"[A-Z]\d{8}[A-Z]|\d{9}[A-Z]|[A-Z]{2}\d{7}[A-Z]", "M12345678X", "SG", "Singaporean GST"),
    "sg_uen": _f(r"\d{8}[A-Z]|\d{9}[A-Z]|[ST]\d{2}[A-Z]{2}\d{4}[A-Z]", "123456789F", "SG", "Singaporean UEN"),
    "si_tin": _f(r"\d{8}", "12345678", "SI", "Slovenia tax number (davčna številka)"),
    "sm_coe": _f(r"\d{5}", "12345", "SM", "San Marino COE number"),
    "sn_ninea": _f(r"\d{7}[A-Z0-9]{0,3}", "12345672A2", "SN", "Senegal NINEA Number"),
    "sr_fin": _f(r"\d{10}", "1234567890", "SR", "Suriname FIN Number"),
    "sv_nit": _f(r"\d{14}", "1234-567890-123-4", "SV", "El Salvador NIT number"),
    "th_vat": _f(r"\d{13}", "1234567891234", "TH", "Thai VAT"),
    "tj_tin": _f(r"\d{9}", "123456789", "TJ", "Tajikistan Tax Identification Number"),
    "tr_tin": _f(r"\d{10}", "0123456789", "TR", "Turkish Tax Identification Number"),
    "tt_bir": _f(r"\d{9}", "123456789", "TT", "Trinidad and Tobago BIR number"),
    "tt_vat": _f(r"\d{6,9}", "123456", "TT", "Trinidad and Tobago VAT registration number"),
    "tw_vat": _f(r"\d{8}", "12345678", "TW", "Taiwanese VAT"),
    "tz_vat": _f(r"\d{8}[A-Z]", "12345678A", "TZ", "Tanzania VAT Number"),
    "ua_vat": _f(r"\d{9}|\d{12}", "123456789", "UA", "Ukrainian VAT"),
    "ug_tin": _f(r"\d{10}", "1014751879", "UG", "Uganda Tax Identification Number"),
    "us_ein": _f(r"\d{9}", "12-3456789", "US", "United States EIN"),
    "uy_ruc": _f(r"\d{12}", "123456789012", "UY", "Uruguayan RUC number"),
    "uz_tin": _f(r"\d{9}", "123456789", "UZ", "Uzbekistan TIN Number"),
    "uz_vat": _f(r"\d{12}", "123456789012", "UZ", "Uzbekistan VAT Number"),
    "ve_rif": _f(r"[A-Z]\d{9}", "A-12345678-9", "VE", "Venezuelan RIF number"),
    "vn_tin": _f(r"\d{10}(\d{3})?", "1234567890", "VN", "Vietnamese tax ID number"),
    "za_vat": _f(r"4\d{9}", "4123456789", "ZA", "South African VAT number"),
    "zm_tin": _f(r"\d{10}", "1004751879", "ZM", "Zambia Tax Identification Number"),
    "zw_tin": _f(r"\d{10}", "1234567890", "ZW", "Zimbabwe Tax Identification Number"),
}

TYPES = frozenset(FORMATS)

# The types Stripe verifies with a registry after adding them (VIES, HMRC, the ABR).
VERIFIED_TYPES = frozenset({"eu_vat", "gb_vat", "au_abn"})


class VerificationStatus(StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    UNVERIFIED = "unverified"
    UNAVAILABLE = "unavailable"


class TaxIdInvalid(ValueError):
    def __init__(self, kind: str, value: str) -> None:
        example = FORMATS[kind].example if kind in FORMATS else ""
        super().__init__(
            f"Invalid value for {kind}: {value!r} does not have the format of a {FORMATS[kind].description}"
            f" (for example {example})."
            if kind in FORMATS
            else f"Invalid tax ID type: {kind}."
        )


@dataclass(frozen=True)
class Checked:
    value: str  # as given, trimmed
    country: str | None


def check(kind: str, value: str) -> Checked:
    """The tax ID if `value` has `kind`'s format, with the country it belongs to; else TaxIdInvalid."""
    fmt = FORMATS.get(kind)
    trimmed = value.strip()
    if fmt is None or not trimmed or len(trimmed) > 64 or not fmt.matches(trimmed):
        raise TaxIdInvalid(kind, value)
    country = fmt.country
    if kind == "eu_vat":
        country = EU_VAT[compact(trimmed)[:2]][0]
    return Checked(trimmed, country)


def verification(kind: str, value: str) -> VerificationStatus:
    """Offline there is no registry to ask: a verifiable type is verified at once, except Stripe's
    test values (the digits 111111111 come back unverified, 222222222 stay pending)."""
    if kind not in VERIFIED_TYPES:
        return VerificationStatus.UNAVAILABLE
    digits = re.sub(r"\D", "", value)
    if "111111111" in digits:
        return VerificationStatus.UNVERIFIED
    if "222222222" in digits:
        return VerificationStatus.PENDING
    return VerificationStatus.VERIFIED

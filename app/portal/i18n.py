"""The portal's words in English and Swedish, and how a visit's language is chosen.

A session's `locale` wins (`auto` or absent: the customer's preferred_locales, then the browser's
Accept-Language); languages we do not have fall back to English.
"""

from __future__ import annotations

SUPPORTED = ("en", "sv")

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "title": "Billing",
        "login_title": "Sign in to manage your billing",
        "login_send": "Email me a sign-in link",
        "login_check_mail": "Check your email",
        "login_sent": "If {email} belongs to a customer, we have sent a sign-in link and a code to it.",
        "login_code": "Or enter the 6-digit code from the email",
        "login_continue": "Continue",
        "login_code_wrong": "That code is not valid. Check the latest email, or ask for a new link.",
        "login_link_used": "This sign-in link has been used or has expired. Ask for a new one below.",
        "login_form_expired": "The form expired. Please try again.",
        "login_email_invalid": "Enter a valid email address.",
        "login_gone_title": "This link is no longer active",
        "login_gone_body": "Ask the business for a new link to manage your billing.",
        "login_mail_subject": "Your sign-in link for {name}",
        "login_mail_intro": "Use this link to sign in and manage your billing with {name}:",
        "login_mail_code": "Or enter this code on the sign-in page: {code}",
        "login_mail_expiry": "The link and the code work once, for {minutes} minutes. If you did not ask for them, ignore this email.",
        "return": "Return to {name}",
        "subscriptions": "Subscriptions",
        "no_subscriptions": "You have no active subscriptions.",
        "payment_methods": "Payment methods",
        "no_payment_methods": "No payment methods on file.",
        "invoices": "Invoice history",
        "no_invoices": "No invoices yet.",
        "details": "Billing information",
        "status_active": "Active",
        "status_trialing": "Trial",
        "status_past_due": "Past due",
        "status_unpaid": "Unpaid",
        "status_incomplete": "Incomplete",
        "status_paused": "Paused",
        "status_canceled": "Canceled",
        "status_incomplete_expired": "Expired",
        "renews": "Renews on {date}",
        "cancels": "Cancels on {date}",
        "collection_paused": "Payment collection is paused.",
        "cancel_plan": "Cancel subscription",
        "cancel_confirm": "Confirm cancellation",
        "cancel_reason": "Why are you canceling?",
        "cancel_comment": "Anything else you would like to tell us?",
        "renew_plan": "Don't cancel",
        "update_plan": "Update subscription",
        "choose_plan": "Choose a plan",
        "quantity": "Quantity",
        "preview": "Review change",
        "confirm_update": "Confirm",
        "current": "Current",
        "new": "New",
        "per": "per {interval}",
        "cancel_only": "This subscription can only be canceled here:",
        "no_changes": "This subscription cannot be changed here:",
        "resume_collection": "Resume payments",
        "pause_collection": "Pause payments",
        "add_payment_method": "Add payment method",
        "card_number": "Card number",
        "expiry_month": "Expiry month",
        "expiry_year": "Expiry year",
        "cvc": "CVC",
        "add": "Add",
        "default": "Default",
        "make_default": "Make default",
        "remove": "Remove",
        "expires": "Expires {month}/{year}",
        "save": "Save",
        "email": "Email",
        "name": "Name",
        "phone": "Phone",
        "address_line1": "Address",
        "address_city": "City",
        "address_postal_code": "Postal code",
        "address_country": "Country",
        "invoice_view": "View",
        "invoice_draft": "Draft",
        "invoice_open": "Open",
        "invoice_paid": "Paid",
        "invoice_uncollectible": "Uncollectible",
        "invoice_void": "Void",
        "invoice_pdf": "PDF",
        "expired_title": "This link has expired",
        "expired_body": "For your security, portal links work once and only for a short time.",
        "sign_in_again": "Sign in again",
        "done_title": "All done",
        "error": "Something went wrong",
        "terms": "Terms",
        "privacy": "Privacy",
        "test_mode": "Test mode",
        "test_cards": "Test mode: use a test card such as 4242 4242 4242 4242.",
        "reason_customer_service": "Customer service was less than expected",
        "reason_low_quality": "Quality was less than expected",
        "reason_missing_features": "Some features are missing",
        "reason_other": "Other reason",
        "reason_switched_service": "I'm switching to a different service",
        "reason_too_complex": "Ease of use was less than expected",
        "reason_too_expensive": "It's too expensive",
        "reason_unused": "I don't use the service enough",
        "limitation_multiple_items": "It has more than one item.",
        "limitation_metered_price": "Its price is usage-based.",
        "limitation_tiered_price": "Its price is tiered.",
        "limitation_send_invoice_collection": "It is paid by invoice.",
        "limitation_unsupported_payment_method": "Its payment method is not supported here.",
        "limitation_subscription_status": "Its status allows no changes.",
        "limitation_price_not_in_configuration": "Its plan is not offered here.",
        "limitation_collection_paused": "Its payments are paused.",
        "limitation_subscription_schedule": "It is managed by a schedule; it can be neither changed nor canceled here.",
    },
    "sv": {
        "title": "Fakturering",
        "login_title": "Logga in för att hantera din fakturering",
        "login_send": "Mejla mig en inloggningslänk",
        "login_check_mail": "Kolla din e-post",
        "login_sent": "Om {email} tillhör en kund har vi skickat en inloggningslänk och en kod dit.",
        "login_code": "Eller ange den 6-siffriga koden från mejlet",
        "login_continue": "Fortsätt",
        "login_code_wrong": "Koden är inte giltig. Kolla det senaste mejlet eller be om en ny länk.",
        "login_link_used": "Inloggningslänken har använts eller gått ut. Be om en ny nedan.",
        "login_form_expired": "Formuläret har gått ut. Försök igen.",
        "login_email_invalid": "Ange en giltig e-postadress.",
        "login_gone_title": "Den här länken är inte längre aktiv",
        "login_gone_body": "Be företaget om en ny länk för att hantera din fakturering.",
        "login_mail_subject": "Din inloggningslänk till {name}",
        "login_mail_intro": "Använd länken för att logga in och hantera din fakturering hos {name}:",
        "login_mail_code": "Eller ange den här koden på inloggningssidan: {code}",
        "login_mail_expiry": "Länken och koden fungerar en gång, i {minutes} minuter. Om du inte bad om dem kan du bortse från mejlet.",
        "return": "Tillbaka till {name}",
        "subscriptions": "Abonnemang",
        "no_subscriptions": "Du har inga aktiva abonnemang.",
        "payment_methods": "Betalningsmetoder",
        "no_payment_methods": "Inga sparade betalningsmetoder.",
        "invoices": "Fakturahistorik",
        "no_invoices": "Inga fakturor ännu.",
        "details": "Faktureringsuppgifter",
        "status_active": "Aktivt",
        "status_trialing": "Provperiod",
        "status_past_due": "Förfallet",
        "status_unpaid": "Obetalt",
        "status_incomplete": "Ofullständigt",
        "status_paused": "Pausat",
        "status_canceled": "Avslutat",
        "status_incomplete_expired": "Utgånget",
        "renews": "Förnyas {date}",
        "cancels": "Avslutas {date}",
        "collection_paused": "Betalningarna är pausade.",
        "cancel_plan": "Avsluta abonnemang",
        "cancel_confirm": "Bekräfta avslut",
        "cancel_reason": "Varför avslutar du?",
        "cancel_comment": "Vill du berätta något mer?",
        "renew_plan": "Avsluta inte",
        "update_plan": "Ändra abonnemang",
        "choose_plan": "Välj abonnemang",
        "quantity": "Antal",
        "preview": "Granska ändringen",
        "confirm_update": "Bekräfta",
        "current": "Nuvarande",
        "new": "Nytt",
        "per": "per {interval}",
        "cancel_only": "Det här abonnemanget kan bara avslutas här:",
        "no_changes": "Det här abonnemanget kan inte ändras här:",
        "resume_collection": "Återuppta betalningar",
        "pause_collection": "Pausa betalningar",
        "add_payment_method": "Lägg till betalningsmetod",
        "card_number": "Kortnummer",
        "expiry_month": "Utgångsmånad",
        "expiry_year": "Utgångsår",
        "cvc": "CVC",
        "add": "Lägg till",
        "default": "Standard",
        "make_default": "Gör till standard",
        "remove": "Ta bort",
        "expires": "Går ut {month}/{year}",
        "save": "Spara",
        "email": "E-post",
        "name": "Namn",
        "phone": "Telefon",
        "address_line1": "Adress",
        "address_city": "Ort",
        "address_postal_code": "Postnummer",
        "address_country": "Land",
        "invoice_view": "Visa",
        "invoice_draft": "Utkast",
        "invoice_open": "Obetald",
        "invoice_paid": "Betald",
        "invoice_uncollectible": "Ej indrivningsbar",
        "invoice_void": "Makulerad",
        "invoice_pdf": "PDF",
        "expired_title": "Länken har gått ut",
        "expired_body": "Av säkerhetsskäl fungerar portallänkar en gång och bara en kort stund.",
        "sign_in_again": "Logga in igen",
        "done_title": "Klart",
        "error": "Något gick fel",
        "terms": "Villkor",
        "privacy": "Integritet",
        "test_mode": "Testläge",
        "test_cards": "Testläge: använd ett testkort som 4242 4242 4242 4242.",
        "reason_customer_service": "Kundtjänsten var sämre än väntat",
        "reason_low_quality": "Kvaliteten var sämre än väntat",
        "reason_missing_features": "Några funktioner saknas",
        "reason_other": "Annan anledning",
        "reason_switched_service": "Jag byter till en annan tjänst",
        "reason_too_complex": "Tjänsten var svårare att använda än väntat",
        "reason_too_expensive": "Det är för dyrt",
        "reason_unused": "Jag använder inte tjänsten tillräckligt",
        "limitation_multiple_items": "Det har mer än en del.",
        "limitation_metered_price": "Priset är användningsbaserat.",
        "limitation_tiered_price": "Priset är trappstegsbaserat.",
        "limitation_send_invoice_collection": "Det betalas mot faktura.",
        "limitation_unsupported_payment_method": "Betalningsmetoden stöds inte här.",
        "limitation_subscription_status": "Statusen tillåter inga ändringar.",
        "limitation_price_not_in_configuration": "Abonnemanget erbjuds inte här.",
        "limitation_collection_paused": "Betalningarna är pausade.",
        "limitation_subscription_schedule": "Det styrs av ett schema och kan varken ändras eller avslutas här.",
    },
}

INTERVALS = {
    "en": {"day": "day", "week": "week", "month": "month", "year": "year"},
    "sv": {"day": "dag", "week": "vecka", "month": "månad", "year": "år"},
}


def choose(session_locale: str | None, preferred: list[str], accept_language: str | None) -> str:
    """The visit's language: the session's locale, else the customer's, else the browser's; else English."""
    candidates: list[str] = []
    if session_locale and session_locale != "auto":
        candidates.append(session_locale)
    candidates.extend(preferred)
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip()
        if tag:
            candidates.append(tag)
    for tag in candidates:
        base = tag.lower().split("-")[0]
        if base in SUPPORTED:
            return base
    return "en"


def translator(locale: str) -> Translator:
    return Translator(locale if locale in MESSAGES else "en")


class Translator:
    def __init__(self, locale: str) -> None:
        self.locale = locale
        self.messages = MESSAGES[locale]

    def __call__(self, key: str, **values: object) -> str:
        text = self.messages.get(key) or MESSAGES["en"].get(key) or key
        return text.format(**values) if values else text

    def interval(self, name: str) -> str:
        return INTERVALS[self.locale].get(name, name)

    def __repr__(self) -> str:
        return f"Translator({self.locale!r})"

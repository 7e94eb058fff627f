"""Names the portal shows for Stripe's values (statuses, reasons, limitations), marked for the
catalogs; a template translates them where it shows them (`t(labels.X[value])`)."""

from __future__ import annotations

from app.portal.i18n import N_

SUBSCRIPTION_STATUS = {
    "active": N_("Active"),
    "trialing": N_("Trial"),
    "past_due": N_("Past due"),
    "unpaid": N_("Unpaid"),
    "incomplete": N_("Incomplete"),
    "paused": N_("Paused"),
    "canceled": N_("Canceled"),
    "incomplete_expired": N_("Expired"),
}
INVOICE_STATUS = {
    "draft": N_("Draft"),
    "open": N_("Open"),
    "paid": N_("Paid"),
    "uncollectible": N_("Uncollectible"),
    "void": N_("Void"),
}
# Stripe's cancellation_details.feedback values, as the cancel survey asks them.
CANCELLATION_REASON = {
    "customer_service": N_("Customer service was less than expected"),
    "low_quality": N_("Quality was less than expected"),
    "missing_features": N_("Some features are missing"),
    "other": N_("Other reason"),
    "switched_service": N_("I'm switching to a different service"),
    "too_complex": N_("Ease of use was less than expected"),
    "too_expensive": N_("It's too expensive"),
    "unused": N_("I don't use the service enough"),
}
# Why the portal cannot change a subscription (R4), as the page explains it.
LIMITATION = {
    "multiple_items": N_("It has more than one item."),
    "metered_price": N_("Its price is usage-based."),
    "tiered_price": N_("Its price is tiered."),
    "send_invoice_collection": N_("It is paid by invoice."),
    "unsupported_payment_method": N_("Its payment method is not supported here."),
    "subscription_status": N_("Its status allows no changes."),
    "price_not_in_configuration": N_("Its plan is not offered here."),
    "collection_paused": N_("Its payments are paused."),
    "subscription_schedule": N_("It is managed by a schedule; it can be neither changed nor canceled here."),
}
# What the page confirms after a change (`?done=` on the way back home).
DONE = {
    "canceled": N_("Your subscription has been canceled."),
    "cancel_scheduled": N_("Your subscription will be canceled at the end of the billing period."),
    "renewed": N_("Your subscription will continue."),
    "updated": N_("Your subscription has been updated."),
    "update_scheduled": N_("Your change is scheduled for the end of the billing period."),
    "offer_accepted": N_("The offer has been applied to your subscription."),
    "payment_method_added": N_("Your payment method has been added."),
    "default_set": N_("Your default payment method has been changed."),
    "payment_method_removed": N_("The payment method has been removed."),
    "details_saved": N_("Your billing information has been saved."),
    "tax_id_added": N_("The tax ID has been added."),
    "tax_id_removed": N_("The tax ID has been removed."),
    "invoice_paid": N_("Thank you: the invoice has been paid."),
    "collection_paused": N_("Payment collection is paused."),
    "collection_resumed": N_("Payment collection has resumed."),
}

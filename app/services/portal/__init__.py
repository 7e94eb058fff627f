"""What a signed-in customer sees and does in the portal (R1, R3-R5, R8, R9, R14, R17, R18).

- `overview`: everything the page shows, as typed views (`views`);
- `offers`: the one decision of what a subscription offers;
- `actions`: cancel, renew, change plan (with its review), pause and resume;
- `payment`: payment methods and paying open invoices;
- `details`: the customer's billing details and tax IDs;
- `flows`: deep-link flows and the cancel flow's retention offer.
"""

from app.services.portal.actions import (
    cancel,
    pause_collection,
    preview_update,
    renew,
    resume_collection,
    review_cancel,
    update,
)
from app.services.portal.details import add_tax_id, remove_tax_id, update_customer
from app.services.portal.flows import accept_offer, allowed_by_flow
from app.services.portal.overview import InvoiceCursor, overview
from app.services.portal.payment import (
    add_payment_method,
    pay_invoice,
    payable_invoice,
    remove_payment_method,
    set_default_payment_method,
)
from app.services.portal.visitor import Visitor

__all__ = [
    "InvoiceCursor",
    "Visitor",
    "accept_offer",
    "add_payment_method",
    "add_tax_id",
    "allowed_by_flow",
    "cancel",
    "overview",
    "pause_collection",
    "pay_invoice",
    "payable_invoice",
    "preview_update",
    "remove_payment_method",
    "remove_tax_id",
    "renew",
    "resume_collection",
    "review_cancel",
    "set_default_payment_method",
    "update",
    "update_customer",
]

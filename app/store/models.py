"""Tables. One class per Stripe object; nested Stripe hashes are JSON columns."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Text, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, validates

from app.store.base import Base, PkInt, ScopedRecord


class Account(Base):
    __tablename__ = "accounts"

    pk: Mapped[int] = mapped_column(PkInt, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str | None] = mapped_column(String(5000))
    email: Mapped[str | None] = mapped_column(String(5000))
    # R19: the operator enables paid Billing; live-mode portal features need it.
    billing_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created: Mapped[int] = mapped_column(BigInteger)

    def __repr__(self) -> str:
        return f"Account(id={self.id!r})"


class ApiKey(Base):
    __tablename__ = "api_keys"

    pk: Mapped[int] = mapped_column(PkInt, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[str] = mapped_column(String(64), index=True)
    livemode: Mapped[bool] = mapped_column(Boolean)
    # sha256 of the whole key: keys carry ~140 bits of randomness, so a fast hash is enough.
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    last4: Mapped[str] = mapped_column(String(4))
    created: Mapped[int] = mapped_column(BigInteger)
    revoked_at: Mapped[int | None] = mapped_column(BigInteger)


class Customer(ScopedRecord):
    __tablename__ = "customers"
    __table_args__ = (
        Index("ix_customers_scope_created", "account_id", "livemode", "created", "pk"),
        Index("ix_customers_scope_email", "account_id", "livemode", "email"),
        Index("ix_customers_scope_email_normalized", "account_id", "livemode", "email_normalized"),
    )

    email: Mapped[str | None] = mapped_column(String(512))
    # The email as the login page compares it (Unicode lower case: SQLite's lower() folds only
    # ASCII, so ÅSA@x.se would never match åsa@x.se there). Kept by the validator below.
    email_normalized: Mapped[str | None] = mapped_column(String(512))
    name: Mapped[str | None] = mapped_column(String(256))
    phone: Mapped[str | None] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(String(5000))
    address: Mapped[dict[str, Any] | None] = mapped_column()
    shipping: Mapped[dict[str, Any] | None] = mapped_column()
    preferred_locales: Mapped[list[Any]] = mapped_column(default=list)
    invoice_settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    balance: Mapped[int] = mapped_column(BigInteger, default=0)
    currency: Mapped[str | None] = mapped_column(String(3))
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    # The customer's discount (Stripe's `discount`): applies to all their invoices and subscriptions.
    discount_id: Mapped[str | None] = mapped_column(String(64))
    # Stored and shown on invoices; no tax is computed here (tax is out of scope, README).
    tax_exempt: Mapped[str] = mapped_column(String(16), default="none", server_default="none")
    # The test clock the customer is attached to (test mode, set on create only).
    test_clock_id: Mapped[str | None] = mapped_column(String(64))
    business_name: Mapped[str | None] = mapped_column(String(150))
    individual_name: Mapped[str | None] = mapped_column(String(150))
    # The merchant's (`invoice_prefix`), else the one derived from the id, as Stripe derives one
    # (app/domain/invoice_numbers.py), stored on create. None: a customer made before it was
    # stored, whose prefix is derived when needed.
    invoice_prefix: Mapped[str | None] = mapped_column(String(12))

    @validates("email")
    def _normalize_email(self, _key: str, value: str | None) -> str | None:
        self.email_normalized = normalized_email(value)
        return value


def normalized_email(value: str | None) -> str | None:
    return value.strip().lower() if value else None


class Event(ScopedRecord):
    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_scope_created", "account_id", "livemode", "created", "pk"),
        Index("ix_events_scope_type", "account_id", "livemode", "type"),
    )

    type: Mapped[str] = mapped_column(String(128))
    api_version: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column()
    request_id: Mapped[str | None] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    pending_webhooks: Mapped[int] = mapped_column(Integer, default=0)
    # Set once the delivery worker has made this event's deliveries (one per matching endpoint).
    fanned_out: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(), index=True)


class IdempotencyRecord(Base):
    """The first response to a POST with an Idempotency-Key, written in the use case's transaction."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("account_id", "livemode", "key"),)

    pk: Mapped[int] = mapped_column(PkInt, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(String(64))
    livemode: Mapped[bool] = mapped_column(Boolean)
    key: Mapped[str] = mapped_column(String(255))
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(512))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    created: Mapped[int] = mapped_column(BigInteger, index=True)


class Product(ScopedRecord):
    """A product. Its id may be chosen by the merchant (`prod_basic`), so it is unique per account
    and mode, not across accounts."""

    __tablename__ = "products"
    __table_args__ = (
        Index("uq_products_scope_id", "account_id", "livemode", "id", unique=True),
        Index("ix_products_scope_created", "account_id", "livemode", "created", "pk"),
    )

    id: Mapped[str] = mapped_column(String(64))

    name: Mapped[str] = mapped_column(String(5000))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    description: Mapped[str | None] = mapped_column(String(5000))
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    default_price: Mapped[str | None] = mapped_column(String(64))
    updated: Mapped[int] = mapped_column(BigInteger)
    # images, marketing_features, package_dimensions, shippable, statement_descriptor, unit_label, url
    details: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=text("'{}'"))
    deleted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Price(ScopedRecord):
    __tablename__ = "prices"
    __table_args__ = (
        Index("ix_prices_scope_created", "account_id", "livemode", "created", "pk"),
        Index("ix_prices_scope_product", "account_id", "livemode", "product_id"),
        Index("ix_prices_scope_lookup_key", "account_id", "livemode", "lookup_key"),
    )

    product_id: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    currency: Mapped[str] = mapped_column(String(3))
    type: Mapped[str] = mapped_column(String(16))
    recurring: Mapped[dict[str, Any] | None] = mapped_column()
    # `recurring.interval`, as a column so the `recurring[interval]` filter stays in SQL (and pages stay right).
    recurring_interval: Mapped[str | None] = mapped_column(String(8))
    billing_scheme: Mapped[str] = mapped_column(String(16), default="per_unit")
    tiers_mode: Mapped[str | None] = mapped_column(String(16))
    tiers: Mapped[list[Any] | None] = mapped_column()
    unit_amount: Mapped[int | None] = mapped_column(BigInteger)
    # {divide_by, round}: the quantity billed is the quantity divided, rounded up or down.
    transform_quantity: Mapped[dict[str, Any] | None] = mapped_column()
    lookup_key: Mapped[str | None] = mapped_column(String(200))
    nickname: Mapped[str | None] = mapped_column(String(5000))
    tax_behavior: Mapped[str] = mapped_column(String(16), default="unspecified")
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)


class PaymentMethod(ScopedRecord):
    __tablename__ = "payment_methods"
    __table_args__ = (
        Index("ix_payment_methods_scope_created", "account_id", "livemode", "created", "pk"),
        Index("ix_payment_methods_scope_customer", "account_id", "livemode", "customer_id"),
    )

    type: Mapped[str] = mapped_column(String(32))
    customer_id: Mapped[str | None] = mapped_column(String(64))
    billing_details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The type's own hash (`card`, `sepa_debit`, ...), holding only what Stripe shows: never a full number.
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    # Set when detached: Stripe never lets a detached method be attached again.
    detached_at: Mapped[int | None] = mapped_column(BigInteger)


class Subscription(ScopedRecord):
    __tablename__ = "subscriptions"
    __table_args__ = (
        Index("ix_subscriptions_scope_created", "account_id", "livemode", "created", "pk"),
        Index("ix_subscriptions_scope_customer", "account_id", "livemode", "customer_id"),
        # R16: "collection paused" is a filter over possibly millions of rows: it needs its own index.
        Index("ix_subscriptions_scope_paused", "account_id", "livemode", "collection_paused", "created", "pk"),
        # The billing scheduler's searches (app/store/repositories/schedule_due.py).
        Index("ix_subscriptions_cancel_at", "cancel_at"),
        Index("ix_subscriptions_trial_end", "trial_end"),
        Index("ix_subscriptions_status_created", "status", "created"),
        Index("ix_subscriptions_pending_expires_at", "pending_expires_at"),
        Index("ix_subscriptions_pause_resumes_at", "pause_resumes_at"),
    )

    customer_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32))
    currency: Mapped[str] = mapped_column(String(3))
    collection_method: Mapped[str] = mapped_column(String(32), default="charge_automatically")
    days_until_due: Mapped[int | None] = mapped_column(Integer)
    default_payment_method: Mapped[str | None] = mapped_column(String(64))
    cancel_at_period_end: Mapped[bool] = mapped_column(Boolean, default=False)
    cancel_at: Mapped[int | None] = mapped_column(BigInteger)
    canceled_at: Mapped[int | None] = mapped_column(BigInteger)
    ended_at: Mapped[int | None] = mapped_column(BigInteger)
    cancellation_details: Mapped[dict[str, Any] | None] = mapped_column()
    pause_collection: Mapped[dict[str, Any] | None] = mapped_column()
    # Mirrors `pause_collection is not None` so the R16 filter can use an index; set only with it.
    collection_paused: Mapped[bool] = mapped_column(Boolean, default=False)
    schedule_id: Mapped[str | None] = mapped_column(String(64))
    latest_invoice: Mapped[str | None] = mapped_column(String(64))
    trial_start: Mapped[int | None] = mapped_column(BigInteger)
    trial_end: Mapped[int | None] = mapped_column(BigInteger)
    trial_settings: Mapped[dict[str, Any] | None] = mapped_column()
    # A change waiting for its invoice to be paid (payment_behavior=pending_if_incomplete): the
    # items it leaves, its billing period, its invoice and when it expires.
    pending_update: Mapped[dict[str, Any] | None] = mapped_column()
    pending_expires_at: Mapped[int | None] = mapped_column(BigInteger)  # the scheduler's index of it
    pause_resumes_at: Mapped[int | None] = mapped_column(BigInteger)  # pause_collection's resumes_at, indexed
    # The trial end `customer.subscription.trial_will_end` was sent for (once per trial end).
    trial_warned_for: Mapped[int | None] = mapped_column(BigInteger)
    # invoice_settings, payment_settings and billing_mode as sent (what invoices of it copy).
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=text("'{}'"))
    billing_cycle_anchor: Mapped[int] = mapped_column(BigInteger)
    start_date: Mapped[int] = mapped_column(BigInteger)
    description: Mapped[str | None] = mapped_column(String(500))
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    # Discount ids, in the order they apply.
    discounts: Mapped[list[Any]] = mapped_column(default=list, server_default=text("'[]'"))

    def set_pause_collection(self, value: dict[str, Any] | None) -> None:
        self.pause_collection = value
        self.collection_paused = value is not None
        self.pause_resumes_at = (value or {}).get("resumes_at")


class SubscriptionItem(ScopedRecord):
    __tablename__ = "subscription_items"
    __table_args__ = (
        Index("ix_subscription_items_scope_sub", "account_id", "livemode", "subscription_id"),
        Index("ix_subscription_items_period_end", "current_period_end"),  # the billing scheduler's renewals
    )

    subscription_id: Mapped[str] = mapped_column(String(64))
    price_id: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int | None] = mapped_column(Integer)
    current_period_start: Mapped[int] = mapped_column(BigInteger)
    current_period_end: Mapped[int] = mapped_column(BigInteger)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)


class SubscriptionSchedule(ScopedRecord):
    __tablename__ = "subscription_schedules"
    __table_args__ = (Index("ix_subscription_schedules_scope_created", "account_id", "livemode", "created", "pk"),)

    customer_id: Mapped[str] = mapped_column(String(64))
    subscription_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32))
    end_behavior: Mapped[str] = mapped_column(String(16), default="release")
    phases: Mapped[list[Any]] = mapped_column(default=list)
    released_at: Mapped[int | None] = mapped_column(BigInteger)
    released_subscription: Mapped[str | None] = mapped_column(String(64))
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)


class Invoice(ScopedRecord):
    __tablename__ = "invoices"
    __table_args__ = (
        Index("ix_invoices_scope_created", "account_id", "livemode", "created", "pk"),
        Index("ix_invoices_scope_customer", "account_id", "livemode", "customer_id"),
        Index("ix_invoices_scope_subscription", "account_id", "livemode", "subscription_id"),
        # Numbers come from a counter (CounterRepository.next); the database holds them unique too.
        Index("uq_invoices_scope_number", "account_id", "livemode", "number", unique=True),
        # What the billing scheduler looks for across accounts: drafts to finalize, retries due.
        Index("ix_invoices_finalizes_at", "automatically_finalizes_at"),
        Index("ix_invoices_next_payment_attempt", "next_payment_attempt"),
        Index("ix_invoices_due_date", "due_date"),
    )

    customer_id: Mapped[str] = mapped_column(String(64))
    subscription_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    collection_method: Mapped[str] = mapped_column(String(32))
    currency: Mapped[str] = mapped_column(String(3))
    lines: Mapped[list[Any]] = mapped_column(default=list)
    amount_paid: Mapped[int] = mapped_column(BigInteger, default=0)
    # Charges tried (succeeded or declined), Stripe's attempt_count.
    attempt_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    number: Mapped[str | None] = mapped_column(String(64))
    period_start: Mapped[int] = mapped_column(BigInteger)
    period_end: Mapped[int] = mapped_column(BigInteger)
    due_date: Mapped[int | None] = mapped_column(BigInteger)
    days_until_due: Mapped[int | None] = mapped_column(Integer)
    status_transitions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    billing_reason: Mapped[str | None] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(String(1500))
    # The secret in hosted_invoice_url and invoice_pdf: anyone with the link may see the invoice.
    access_token: Mapped[str] = mapped_column(String(64), unique=True)
    # Fixed when the invoice is finalized, like Stripe's: built from the service's public base URL.
    hosted_invoice_url: Mapped[str | None] = mapped_column(String(1000))
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    # Discount ids that apply to the whole invoice, in order (the subscription's and customer's,
    # fixed when the invoice is made, or set on a draft).
    discounts: Mapped[list[Any]] = mapped_column(default=list, server_default=text("'[]'"))
    # The lines' total after discounts, kept with them (invoice_lines.reprice) so search can compare it.
    total: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # The customer's balance when the invoice was finalized, and after (None on a draft).
    starting_balance: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    ending_balance: Mapped[int | None] = mapped_column(BigInteger)
    # A failed automatic charge of a subscription invoice: when the next retry is due, and when the
    # first try failed (the retry window counts from it).
    next_payment_attempt: Mapped[int | None] = mapped_column(BigInteger)
    first_failed_at: Mapped[int | None] = mapped_column(BigInteger)
    # A draft that finalizes (and is collected) on its own at this time: a renewal an hour after it
    # is made, as on Stripe, or a manual invoice with auto_advance.
    automatically_finalizes_at: Mapped[int | None] = mapped_column(BigInteger)
    # When `invoice.overdue` was announced (once per invoice).
    overdue_at: Mapped[int | None] = mapped_column(BigInteger)
    # footer, statement_descriptor, custom_fields: shown on the invoice and its PDF.
    details: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=text("'{}'"))
    # A deleted draft (Stripe deletes only drafts): gone from lists, a stub when retrieved.
    deleted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class PortalConfiguration(ScopedRecord):
    __tablename__ = "portal_configurations"
    __table_args__ = (
        Index("ix_portal_configurations_scope_created", "account_id", "livemode", "created", "pk"),
        # R10: at most one default per account and mode, held by the database under any concurrency.
        Index(
            "uq_portal_configurations_one_default",
            "account_id",
            "livemode",
            unique=True,
            sqlite_where=text("is_default"),
            postgresql_where=text("is_default"),
        ),
    )

    active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    name: Mapped[str | None] = mapped_column(String(256))
    business_profile: Mapped[dict[str, Any]] = mapped_column(default=dict)
    default_return_url: Mapped[str | None] = mapped_column(String(5000))
    features: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # R7: the secret part of login_page.url; None while the login page is off. A new one each time it is enabled.
    login_page_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    updated: Mapped[int] = mapped_column(BigInteger)


class PortalSession(ScopedRecord):
    """Stripe's `billing_portal.session`: a short-lived, single-use link into the portal for one customer."""

    __tablename__ = "portal_sessions"
    __table_args__ = (Index("ix_portal_sessions_scope_created", "account_id", "livemode", "created", "pk"),)

    customer_id: Mapped[str] = mapped_column(String(64))
    configuration_id: Mapped[str] = mapped_column(String(64))
    return_url: Mapped[str | None] = mapped_column(String(5000))
    locale: Mapped[str | None] = mapped_column(String(16))
    on_behalf_of: Mapped[str | None] = mapped_column(String(64))
    flow: Mapped[dict[str, Any] | None] = mapped_column()
    # Stripe's after_expiration ({type: customer_login, customer_login: {expires_at}}) or None.
    after_expiration: Mapped[dict[str, Any] | None] = mapped_column()
    # sha256 of the URL's secret; the secret itself is only ever in the URL handed to the merchant.
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[int] = mapped_column(BigInteger)
    opened_at: Mapped[int | None] = mapped_column(BigInteger)


class PortalVisit(Base):
    """A customer's signed-in visit of the hosted portal, behind an HttpOnly cookie."""

    __tablename__ = "portal_visits"

    pk: Mapped[int] = mapped_column(PkInt, primary_key=True, autoincrement=True)
    # sha256 of the cookie's value.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[str] = mapped_column(String(64))
    livemode: Mapped[bool] = mapped_column(Boolean)
    customer_id: Mapped[str] = mapped_column(String(64))
    portal_session_id: Mapped[str] = mapped_column(String(64))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created: Mapped[int] = mapped_column(BigInteger)
    last_seen: Mapped[int] = mapped_column(BigInteger)
    # A deep-link flow shows only its step until done; then the visit is a plain portal visit.
    flow_done: Mapped[bool] = mapped_column(Boolean, default=False)


class LoginRequest(Base):
    """R7: one "email me a link" on a configuration's login page: a one-time link and code, 15 minutes.

    Kept for unknown emails too (without a customer), so rate limits and timing do not tell them apart.
    """

    __tablename__ = "portal_login_requests"
    __table_args__ = (
        Index("ix_portal_login_requests_email", "configuration_id", "email", "created"),
        Index("ix_portal_login_requests_address", "client_address", "created"),
    )

    pk: Mapped[int] = mapped_column(PkInt, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(String(64))
    livemode: Mapped[bool] = mapped_column(Boolean)
    configuration_id: Mapped[str] = mapped_column(String(64))
    email: Mapped[str] = mapped_column(String(512))
    customer_id: Mapped[str | None] = mapped_column(String(64))
    # sha256 of the emailed link's token and of the code; neither is stored in clear.
    link_hash: Mapped[str] = mapped_column(String(64), unique=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    code_attempts: Mapped[int] = mapped_column(Integer, default=0)
    client_address: Mapped[str] = mapped_column(String(64))
    created: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[int] = mapped_column(BigInteger)
    used_at: Mapped[int | None] = mapped_column(BigInteger)


class WebhookEndpoint(ScopedRecord):
    __tablename__ = "webhook_endpoints"
    __table_args__ = (Index("ix_webhook_endpoints_scope_created", "account_id", "livemode", "created", "pk"),)

    url: Mapped[str] = mapped_column(String(2048))
    enabled_events: Mapped[list[Any]] = mapped_column(default=list)
    description: Mapped[str | None] = mapped_column(String(5000))
    api_version: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="enabled")
    # Signing needs the secret itself (HMAC), so it is kept; it is shown only on create.
    secret: Mapped[str] = mapped_column(String(128))
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class WebhookDelivery(ScopedRecord):
    """One event owed to one endpoint: retried until the endpoint answers 2xx or the schedule ends."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "endpoint_id"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_endpoint", "account_id", "livemode", "endpoint_id", "created", "pk"),
    )

    event_id: Mapped[str] = mapped_column(String(64))
    endpoint_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | succeeded | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[int] = mapped_column(BigInteger)
    # A worker that claimed the delivery holds it until then; if it dies, another worker takes over.
    leased_until: Mapped[int] = mapped_column(BigInteger, default=0)
    last_attempt_at: Mapped[int | None] = mapped_column(BigInteger)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(1000))
    history: Mapped[list[Any]] = mapped_column(default=list)


class DashboardUser(Base):
    """R20: a person who runs the portal through the dashboard, for one account."""

    __tablename__ = "dashboard_users"

    pk: Mapped[int] = mapped_column(PkInt, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[str] = mapped_column(String(64), index=True)
    email: Mapped[str] = mapped_column(String(512), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))  # argon2
    created: Mapped[int] = mapped_column(BigInteger)


class DashboardSession(Base):
    __tablename__ = "dashboard_sessions"

    pk: Mapped[int] = mapped_column(PkInt, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[str] = mapped_column(String(64))
    account_id: Mapped[str] = mapped_column(String(64))
    csrf_token: Mapped[str] = mapped_column(String(64))
    # R2: the mode the dashboard shows; switched in the page.
    livemode: Mapped[bool] = mapped_column(Boolean, default=False)
    created: Mapped[int] = mapped_column(BigInteger)
    last_seen: Mapped[int] = mapped_column(BigInteger)
    ended: Mapped[bool] = mapped_column(Boolean, default=False)


class DashboardLoginFailure(Base):
    """A failed dashboard sign-in, counted per email and per client address."""

    __tablename__ = "dashboard_login_failures"
    __table_args__ = (
        Index("ix_dashboard_login_failures_email", "email", "at"),
        Index("ix_dashboard_login_failures_address", "client_address", "at"),
    )

    pk: Mapped[int] = mapped_column(PkInt, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(512))
    client_address: Mapped[str] = mapped_column(String(64))
    at: Mapped[int] = mapped_column(BigInteger)


class Counter(Base):
    """A sequence of one account and mode (invoice numbers), allocated by an atomic upsert so two
    transactions never take the same value (see CounterRepository.next)."""

    __tablename__ = "counters"

    account_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    livemode: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class ThrottleKey(Base):
    """One row per rate-limited key (an email, a client address): taking its row lock serializes
    the requests that count against the same limit, so count-then-record is atomic."""

    __tablename__ = "throttle_keys"

    key: Mapped[str] = mapped_column(String(700), primary_key=True)
    touched: Mapped[int] = mapped_column(BigInteger)


class InvoiceItem(ScopedRecord):
    """An amount for a customer, pending until an invoice takes it (then `invoice_id` is set and
    a line of that invoice carries it). Prorations are invoice items."""

    __tablename__ = "invoice_items"
    __table_args__ = (
        Index("ix_invoice_items_scope_created", "account_id", "livemode", "created", "pk"),
        Index("ix_invoice_items_scope_customer", "account_id", "livemode", "customer_id", "invoice_id"),
        Index("ix_invoice_items_scope_invoice", "account_id", "livemode", "invoice_id"),
    )

    customer_id: Mapped[str] = mapped_column(String(64))
    subscription_id: Mapped[str | None] = mapped_column(String(64))
    subscription_item_id: Mapped[str | None] = mapped_column(String(64))
    invoice_id: Mapped[str | None] = mapped_column(String(64))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    description: Mapped[str | None] = mapped_column(String(5000))
    period_start: Mapped[int] = mapped_column(BigInteger)
    period_end: Mapped[int] = mapped_column(BigInteger)
    price_id: Mapped[str | None] = mapped_column(String(64))
    product_id: Mapped[str | None] = mapped_column(String(64))
    unit_amount: Mapped[int | None] = mapped_column(BigInteger)
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    proration: Mapped[bool] = mapped_column(Boolean, default=False)
    discountable: Mapped[bool] = mapped_column(Boolean, default=True)
    discounts: Mapped[list[Any]] = mapped_column(default=list)
    date: Mapped[int] = mapped_column(BigInteger)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class Coupon(ScopedRecord):
    """A coupon. Its id may be chosen by the merchant (`SUMMER25`), so it is unique per account
    and mode, not across accounts."""

    __tablename__ = "coupons"
    __table_args__ = (
        Index("uq_coupons_scope_id", "account_id", "livemode", "id", unique=True),
        Index("ix_coupons_scope_created", "account_id", "livemode", "created", "pk"),
    )

    id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str | None] = mapped_column(String(40))
    # A decimal string ("12.5"): exact, as Stripe's percent_off is a decimal of up to 2 places.
    percent_off: Mapped[str | None] = mapped_column(String(16))
    amount_off: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3))
    duration: Mapped[str] = mapped_column(String(16))
    duration_in_months: Mapped[int | None] = mapped_column(Integer)
    max_redemptions: Mapped[int | None] = mapped_column(Integer)
    redeem_by: Mapped[int | None] = mapped_column(BigInteger)
    times_redeemed: Mapped[int] = mapped_column(Integer, default=0)
    applies_to_products: Mapped[list[Any] | None] = mapped_column()
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class PromotionCode(ScopedRecord):
    __tablename__ = "promotion_codes"
    __table_args__ = (
        Index("ix_promotion_codes_scope_created", "account_id", "livemode", "created", "pk"),
        Index("ix_promotion_codes_scope_code", "account_id", "livemode", "code"),
        # One active code of a name per account and mode, even when two are made at once.
        Index(
            "uq_promotion_codes_scope_active_code",
            "account_id",
            "livemode",
            "code",
            unique=True,
            postgresql_where=text("active"),
            sqlite_where=text("active"),
        ),
    )

    code: Mapped[str] = mapped_column(String(500))
    coupon_id: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    customer_id: Mapped[str | None] = mapped_column(String(64))
    expires_at: Mapped[int | None] = mapped_column(BigInteger)
    max_redemptions: Mapped[int | None] = mapped_column(Integer)
    times_redeemed: Mapped[int] = mapped_column(Integer, default=0)
    # first_time_transaction, minimum_amount, minimum_amount_currency
    restrictions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)


class Discount(ScopedRecord):
    """A coupon applied to a customer, subscription, invoice or invoice item (one redemption)."""

    __tablename__ = "discounts"
    __table_args__ = (Index("ix_discounts_scope_customer", "account_id", "livemode", "customer_id"),)

    coupon_id: Mapped[str] = mapped_column(String(64))
    promotion_code_id: Mapped[str | None] = mapped_column(String(64))
    customer_id: Mapped[str | None] = mapped_column(String(64))
    subscription_id: Mapped[str | None] = mapped_column(String(64))
    invoice_id: Mapped[str | None] = mapped_column(String(64))
    invoice_item_id: Mapped[str | None] = mapped_column(String(64))
    start: Mapped[int] = mapped_column(BigInteger)
    end: Mapped[int | None] = mapped_column(BigInteger)
    # A `once` discount is used up by the first invoice it applies to.
    used: Mapped[bool] = mapped_column(Boolean, default=False)


class CustomerBalanceTransaction(ScopedRecord):
    __tablename__ = "customer_balance_transactions"
    __table_args__ = (
        Index("ix_customer_balance_transactions_scope_customer", "account_id", "livemode", "customer_id", "created"),
    )

    customer_id: Mapped[str] = mapped_column(String(64))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    description: Mapped[str | None] = mapped_column(String(350))
    ending_balance: Mapped[int] = mapped_column(BigInteger)
    invoice_id: Mapped[str | None] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(48))
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)


class TestClock(ScopedRecord):
    """A test clock (test mode): the customers attached to it, and everything of theirs, live at
    its frozen time, which moves only when it is advanced."""

    __tablename__ = "test_clocks"
    __test__ = False
    __table_args__ = (Index("ix_test_clocks_scope_created", "account_id", "livemode", "created", "pk"),)

    name: Mapped[str | None] = mapped_column(String(300))
    frozen_time: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(32), default="ready")
    deletes_after: Mapped[int] = mapped_column(BigInteger)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class TaxId(ScopedRecord):
    """A tax ID: a customer's (`customer_id`), or the merchant's own (`owner_type` account/self)."""

    __tablename__ = "tax_ids"
    __table_args__ = (Index("ix_tax_ids_scope_owner", "account_id", "livemode", "owner_type", "customer_id", "pk"),)

    owner_type: Mapped[str] = mapped_column(String(16))
    customer_id: Mapped[str | None] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(64))
    country: Mapped[str | None] = mapped_column(String(2))
    verification_status: Mapped[str] = mapped_column(String(16))
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)

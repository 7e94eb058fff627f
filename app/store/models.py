"""Tables. One class per Stripe object; nested Stripe hashes are JSON columns."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

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
    )

    email: Mapped[str | None] = mapped_column(String(512))
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

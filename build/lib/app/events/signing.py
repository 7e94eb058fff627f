"""Stripe-Signature: t=<unix>,v1=hex(HMAC-SHA256(secret, f"{t}.{body}")), as the SDKs verify it."""

from __future__ import annotations

import hashlib
import hmac


def signature(secret: str, payload: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"

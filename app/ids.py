"""Stripe-style object ids: a prefix and random base62."""

from __future__ import annotations

import secrets
import string

_ALPHABET = string.ascii_letters + string.digits


def random_base62(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def new_id(prefix: str, length: int = 24) -> str:
    """`new_id("cus")` -> "cus_" + 24 random base62 characters (~142 bits)."""
    return f"{prefix}_{random_base62(length)}"

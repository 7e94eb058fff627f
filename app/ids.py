"""Stripe-style object ids: a prefix and random base62."""

from __future__ import annotations

import os
import string

_ALPHABET = string.ascii_letters + string.digits
# 248 = 4 * 62: bytes below it map evenly onto the alphabet; the few above are dropped (no modulo bias).
_EVEN = 4 * len(_ALPHABET)


def random_base62(length: int) -> str:
    """`length` characters from the OS's CSPRNG, read in one call (ids are made on every write)."""
    chars: list[str] = []
    while len(chars) < length:
        chars.extend(_ALPHABET[b % 62] for b in os.urandom(length + 8) if b < _EVEN)
    return "".join(chars[:length])


def new_id(prefix: str, length: int = 24) -> str:
    """`new_id("cus")` -> "cus_" + 24 random base62 characters (~142 bits)."""
    return f"{prefix}_{random_base62(length)}"

"""Stripe-style object ids: a prefix and random base62."""

from __future__ import annotations

import os
import string

_ALPHABET = string.ascii_letters + string.digits
# 248 = 4 * 62: bytes below it map evenly onto the alphabet; the few above are dropped (no modulo bias).
_EVEN = 4 * len(_ALPHABET)
_TO_ALPHABET = bytes(ord(_ALPHABET[b % 62]) if b < _EVEN else 0 for b in range(256))
_UNEVEN = bytes(range(_EVEN, 256))


def random_base62(length: int) -> str:
    """`length` characters from the OS's CSPRNG, read in one call and mapped in C (ids are made on
    every write)."""
    chars = b""
    while len(chars) < length:
        chars += os.urandom(length + 8).translate(_TO_ALPHABET, _UNEVEN)
    return chars[:length].decode("ascii")


def new_id(prefix: str, length: int = 24) -> str:
    """`new_id("cus")` -> "cus_" + 24 random base62 characters (~142 bits)."""
    return f"{prefix}_{random_base62(length)}"

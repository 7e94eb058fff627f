"""R7: which customer an email signs in as, and the one-time code's rules."""

from __future__ import annotations

LINK_LIFETIME = 15 * 60
MAX_CODE_ATTEMPTS = 5


def choose_customer(candidates: list[tuple[str, int, bool]]) -> str | None:
    """Several customers share the email: the most recently created one with an active subscription,
    else the most recently created one. `candidates` are (id, created, has_active), newest first."""
    if not candidates:
        return None
    with_active = [c for c in candidates if c[2]]
    return (with_active or candidates)[0][0]


def normalise_email(value: str) -> str | None:
    email = value.strip().lower()
    local, at, domain = email.rpartition("@")
    if not at or not local or "." not in domain or len(email) > 512 or any(ch.isspace() for ch in email):
        return None
    return email

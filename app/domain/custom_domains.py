"""R12's custom domain, verified before it is used: a domain the merchant names moves every
portal link (and the mailed sign-in link with its token) there, so it must be theirs.

The service issues a token when the domain is set; the merchant publishes it as a DNS TXT
record at `_billing-portal.<domain>`; verifying looks it up. Until then (or when the operator
approves it: `portal accounts update ... --custom-domain D --verified`) links use BASE_URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

TXT_LABEL = "_billing-portal"
TXT_PREFIX = "billing-portal-verification="


@dataclass(frozen=True)
class Verification:
    domain: str
    token: str
    verified: bool

    @property
    def txt_name(self) -> str:
        return f"{TXT_LABEL}.{self.domain}"

    @property
    def txt_value(self) -> str:
        return TXT_PREFIX + self.token

    def proven_by(self, records: list[str]) -> bool:
        """Whether one of the TXT records at txt_name carries this token."""
        return any(record.strip() == self.txt_value for record in records)


def of(portal_settings: dict[str, Any] | None) -> Verification | None:
    portal = portal_settings or {}
    domain = portal.get("custom_domain")
    if not domain:
        return None
    return Verification(
        str(domain), str(portal.get("custom_domain_token") or ""), bool(portal.get("custom_domain_verified"))
    )


def verified_domain(account_settings: dict[str, Any] | None) -> str | None:
    """The custom domain links may use: only a verified one."""
    found = of((account_settings or {}).get("portal"))
    return found.domain if found is not None and found.verified else None

"""Webhook rules: which events an endpoint wants, where it may point, and the retry schedule."""

from __future__ import annotations

import ipaddress
import random
from urllib.parse import urlsplit

from app.domain.errors import RuleViolation

# Exponential backoff: 1 min, 2, 4, ... capped at 6 h per wait. Test mode gives up after a few
# hours (8 attempts), live mode after about three days (Stripe's window).
BASE_DELAY = 60
MAX_DELAY = 6 * 3600
TEST_ATTEMPTS = 8
LIVE_WINDOW = 3 * 24 * 3600


def matches(enabled_events: list[str], event_type: str) -> bool:
    return "*" in enabled_events or event_type in enabled_events


def retry_delay(attempts: int, *, livemode: bool, age: int, rng: random.Random | None = None) -> int | None:
    """Seconds until the next try after `attempts` failed ones (jittered), or None: give up."""
    if not livemode and attempts >= TEST_ATTEMPTS:
        return None
    delay = min(BASE_DELAY * 2 ** max(attempts - 1, 0), MAX_DELAY)
    delay = int(delay * (rng or random).uniform(0.75, 1.25))
    if livemode and age + delay > LIVE_WINDOW:
        return None
    return delay


# Cloud metadata services outside the link-local range (AWS's IPv6 one, Alibaba's, Oracle's is
# link-local already): never a webhook target, in either mode.
METADATA_ADDRESSES = frozenset({ipaddress.ip_address("fd00:ec2::254"), ipaddress.ip_address("100.100.100.200")})


def _ip(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    ip = ipaddress.ip_address(address)
    # ::ffff:169.254.169.254 is 169.254.169.254 to the kernel.
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def is_public(address: str) -> bool:
    """Globally reachable unicast: outside every IANA special-purpose range (private, loopback,
    link-local, shared 100.64.0.0/10, documentation, benchmarking, reserved, ...)."""
    ip = _ip(address)
    return ip.is_global and not ip.is_multicast and ip not in METADATA_ADDRESSES


def address_allowed(address: str, *, livemode: bool) -> bool:
    """Where a delivery may connect. Live mode: public addresses only. Test mode also allows
    loopback and private networks (local development), never link-local (169.254.0.0/16, where
    cloud metadata services answer), metadata, multicast or unspecified addresses."""
    if livemode:
        return is_public(address)
    ip = _ip(address)
    return not (ip.is_link_local or ip.is_multicast or ip.is_unspecified or ip in METADATA_ADDRESSES)


def check_endpoint_url(url: str, *, livemode: bool) -> str:
    """Absolute http(s); live mode: https and only public addresses; test mode: no link-local or
    metadata addresses. Names are checked again, resolved, at every delivery."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RuleViolation(
            f"Invalid URL: {url!r}. It must be an absolute http(s) URL.", code="url_invalid", param="url"
        )
    try:
        literal = address_allowed(parts.hostname, livemode=False)
    except ValueError:
        literal = True  # a name
    if not literal:
        raise RuleViolation(
            "Webhook endpoints cannot point at link-local or cloud metadata addresses.", code="url_invalid", param="url"
        )
    if livemode:
        if parts.scheme != "https":
            raise RuleViolation("Live-mode webhook endpoints must use https.", code="url_invalid", param="url")
        host = parts.hostname
        if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
            raise RuleViolation(
                "Live-mode webhook endpoints cannot point at local hosts.", code="url_invalid", param="url"
            )
        try:
            public = is_public(host)
        except ValueError:
            public = True  # a name: checked again, resolved, at every delivery
        if not public:
            raise RuleViolation(
                "Live-mode webhook endpoints cannot point at loopback, private or link-local addresses.",
                code="url_invalid",
                param="url",
            )
    return url

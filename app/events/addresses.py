"""Where a webhook delivery connects: the endpoint's host resolved once, every address checked
against the mode's policy (app/domain/webhooks.py), and the connection made to the address that
was checked, so a name cannot resolve to a public address for the check and to an internal one
for the connection (DNS rebinding).

Names are resolved with dnspython's asyncio resolver, not the C library in a thread pool: a
nameserver that never answers costs a timer, not one of the few executor threads every other
delivery (and the server) needs.
"""

from __future__ import annotations

import asyncio
import ipaddress

import dns.asyncresolver
import dns.exception
import dns.nameserver
import dns.rdatatype
import dns.resolver

from app.domain import webhooks as rules

RESOLVE_SECONDS = 3.0


class Unreachable(Exception):
    """The endpoint's host has no address a delivery may connect to."""


def _nameserver(spec: str) -> dns.nameserver.Nameserver:
    """`1.2.3.4`, `1.2.3.4:5353`, `::1` or `[::1]:5353`."""
    spec = spec.strip()
    if spec.startswith("["):
        host, _, port = spec[1:].partition("]")
        return dns.nameserver.Do53Nameserver(host, int(port.lstrip(":") or 53))
    if spec.count(":") == 1:
        host, port = spec.split(":")
        return dns.nameserver.Do53Nameserver(host, int(port))
    return dns.nameserver.Do53Nameserver(spec, 53)


class Resolver:
    def __init__(self, nameservers: list[str] | None = None, *, timeout: float = RESOLVE_SECONDS) -> None:
        try:
            self._resolver = dns.asyncresolver.Resolver(configure=not nameservers)
        except dns.resolver.NoResolverConfiguration:
            self._resolver = dns.asyncresolver.Resolver(configure=False)
        if nameservers:
            self._resolver.nameservers = [_nameserver(n) for n in nameservers]
        self._resolver.lifetime = timeout
        self._resolver.timeout = timeout

    async def addresses(self, host: str) -> list[str]:
        """The host's addresses (an IP literal is its own); `localhost` is loopback (RFC 6761)."""
        host = host.strip("[]").rstrip(".").lower()
        try:
            return [str(ipaddress.ip_address(host))]
        except ValueError:
            pass
        if host == "localhost" or host.endswith(".localhost"):
            return ["127.0.0.1"]
        found: list[str] = []
        answers = await asyncio.gather(
            *(self._query(host, kind) for kind in (dns.rdatatype.A, dns.rdatatype.AAAA)), return_exceptions=True
        )
        for answer in answers:
            if isinstance(answer, dns.exception.Timeout):
                raise Unreachable(f"resolving {host} timed out")
            if isinstance(answer, list):
                found += answer
        return found

    async def txt(self, name: str) -> list[str]:
        """The TXT records at `name`, each as one string (its parts joined)."""
        try:
            answer = await self._resolver.resolve(name.rstrip(".") + ".", dns.rdatatype.TXT, search=False)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer, dns.resolver.NoNameservers):
            return []
        except dns.exception.Timeout as exc:
            raise Unreachable(f"resolving {name} timed out") from exc
        return [b"".join(record.strings).decode("utf-8", "replace") for record in answer]

    async def _query(self, host: str, kind: dns.rdatatype.RdataType) -> list[str]:
        try:
            answer = await self._resolver.resolve(host, kind, search=False)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer, dns.resolver.NoNameservers):
            return []
        return [str(record) for record in answer]

    async def target(self, host: str, *, livemode: bool) -> str:
        """The address to connect to: every address of the host must be allowed (a name with one
        internal address is refused outright rather than tried on its others)."""
        addresses = await self.addresses(host)
        if not addresses:
            raise Unreachable(f"{host} does not resolve")
        refused = [a for a in addresses if not rules.address_allowed(a, livemode=livemode)]
        if refused:
            where = "a non-public" if livemode else "a link-local or metadata"
            raise Unreachable(f"{host} resolves to {where} address ({refused[0]})")
        return addresses[0]

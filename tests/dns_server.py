"""A small authoritative DNS server on 127.0.0.1 (UDP, dnspython for the wire format), for tests
where resolution matters: it answers A/AAAA/TXT records from a table, NXDOMAIN otherwise, and
counts the questions it was asked."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset


@dataclass
class Zone:
    records: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # (name, "A") -> values
    asked: Counter[tuple[str, str]] = field(default_factory=Counter)
    port: int = 0

    @property
    def nameserver(self) -> str:
        return f"127.0.0.1:{self.port}"

    def set(self, name: str, kind: str, *values: str) -> None:
        self.records[(name.rstrip(".").lower(), kind)] = list(values)

    def answer(self, data: bytes) -> bytes:
        query = dns.message.from_wire(data)
        response = dns.message.make_response(query)
        question = query.question[0]
        name = question.name.to_text().rstrip(".").lower()
        kind = dns.rdatatype.to_text(question.rdtype)
        self.asked[(name, kind)] += 1
        values = self.records.get((name, kind))
        if values:
            rendered = [f'"{v}"' for v in values] if kind == "TXT" else values
            response.answer.append(dns.rrset.from_text(question.name, 60, "IN", kind, *rendered))
        elif not any(n == name for n, _ in self.records):
            response.set_rcode(dns.rcode.NXDOMAIN)
        return bytes(response.to_wire())


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, zone: Zone) -> None:
        self.zone = zone
        self.transport: Any = None

    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr: Any) -> None:
        self.transport.sendto(self.zone.answer(data), addr)


@asynccontextmanager
async def dns_server() -> AsyncIterator[Zone]:
    zone = Zone()
    transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(
        lambda: _Protocol(zone), local_addr=("127.0.0.1", 0)
    )
    zone.port = transport.get_extra_info("sockname")[1]
    try:
        yield zone
    finally:
        transport.close()

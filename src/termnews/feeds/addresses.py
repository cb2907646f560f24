"""Which addresses are the user's own machine or network ("local") and which are public.

A feed on the public internet must not make termnews fetch from the user's machine or
network (SSRF): a redirect to ``http://127.0.0.1:8080/admin`` or to the cloud metadata
address ``169.254.169.254``, or an article link or image URL pointing there. The fetcher
(``fetch``, ``h11pool``) uses this module to refuse those; this module only classifies.

Local: loopback, private (RFC 1918, fc00::/7), link-local (169.254/16, fe80::/10), shared
address space (CGNAT, 100.64/10), unspecified, multicast, reserved and the other special
ranges Python's ``ipaddress`` calls private; IPv6 forms that carry an IPv4 address
(IPv4-mapped, NAT64, 6to4) are judged by that IPv4 address.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_CGNAT = ipaddress.ip_network("100.64.0.0/10")  # RFC 6598: the ISP's network, not the internet
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052: IPv4 hosts seen from IPv6-only nets

# TEST-ONLY: loopback ports to treat as public, so tests can play a "public" feed server on
# 127.0.0.1 without the network. Set only from Python (tests' fixtures, through
# ``loopback_ports_treated_as_public``); nothing in feeds, config or the environment reads
# into it. Empty in every real run.
_TEST_PUBLIC_PORTS: frozenset[int] = frozenset()


class LocalAddressRefused(Exception):
    """A request from a public origin would reach a local address."""

    def __init__(self, address: str) -> None:
        super().__init__(f"local network address refused ({address})")
        self.address = address


def parse_ip(text: str) -> IPAddress | None:
    """text as an IP address (IPv6 zone and brackets allowed), or None if it is not one."""
    text = text.strip().removeprefix("[").removesuffix("]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.sixtofour


def is_local_ip(address: str | IPAddress, port: int | None = None) -> bool:
    """Whether address is on the user's machine or network (anything not plainly public).

    An unparsable address counts as local: the caller refuses what it cannot judge.
    ``port`` only matters for the test-only override of loopback ports.
    """
    ip = parse_ip(address) if isinstance(address, str) else address
    if ip is None:
        return True
    if isinstance(ip, ipaddress.IPv6Address):
        v4 = _embedded_v4(ip)
        if v4 is not None:
            return is_local_ip(v4, port)
        if ip.is_site_local:  # fec0::/10, deprecated but still routed on old networks
            return True
    if ip.is_loopback and port is not None and port in _TEST_PUBLIC_PORTS:
        return False
    return (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_unspecified
            or ip.is_multicast or ip.is_reserved
            or (isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT))


def is_localhost_name(host: str) -> bool:
    """'localhost' and names under .localhost (RFC 6761): local without asking DNS."""
    host = host.lower().rstrip(".")
    return host == "localhost" or host.endswith(".localhost")


async def addresses_of(host: str, port: int) -> list[str] | None:
    """The addresses host stands for: itself when a literal IP, else resolved with the
    event loop's getaddrinfo (in a thread, off the loop). None when the name does not
    resolve (the connection that follows fails with the DNS error)."""
    if parse_ip(host) is not None:
        return [host]
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def local_address_of(host: str, port: int) -> str | None:
    """The first local address host stands for (see ``addresses_of``), or None when every
    one is public. A localhost name is local without resolving."""
    if is_localhost_name(host):
        return host
    for address in await addresses_of(host, port) or []:
        if is_local_ip(address, port):
            return address
    return None


def url_host_port(url: str) -> tuple[str, int] | None:
    """host and port of an http(s) URL (the scheme's default port when none is given)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    return parts.hostname, port or (443 if scheme == "https" else 80)


async def url_is_local(url: str) -> bool:
    """Whether url's host is local: a literal IP directly, a name if ANY address it
    resolves to is local. A URL with no http(s) host counts as local (refuse it)."""
    found = url_host_port(url)
    if found is None:
        return True
    return await local_address_of(*found) is not None


async def origin_is_local(url: str) -> bool:
    """Whether a fetch that starts at url may go to local addresses: the user chose a
    local address. Stricter than ``url_is_local``: a name counts only when EVERY address is
    local (a public name that also resolves to 127.0.0.1 gains nothing), and a name that
    does not resolve is public. A file: URL (the demo outlet) is on the user's machine."""
    if urlsplit(url).scheme.lower() == "file":
        return True
    found = url_host_port(url)
    if found is None:
        return False
    host, port = found
    if is_localhost_name(host):
        return True
    addresses = await addresses_of(host, port)
    return bool(addresses) and all(is_local_ip(a, port) for a in addresses or ())


@contextlib.contextmanager
def loopback_ports_treated_as_public(ports: set[int] | frozenset[int]) -> Iterator[None]:
    """TEST-ONLY: treat 127.0.0.1/::1 on these ports as public while the block runs."""
    global _TEST_PUBLIC_PORTS
    saved = _TEST_PUBLIC_PORTS
    _TEST_PUBLIC_PORTS = frozenset(ports)
    try:
        yield
    finally:
        _TEST_PUBLIC_PORTS = saved

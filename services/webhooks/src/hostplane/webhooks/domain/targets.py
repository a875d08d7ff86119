"""Which URLs an endpoint may have: Hostplane posts to them from inside its own network, so a
subscriber must not be able to point it at that network (or at a cloud's metadata service).

A URL is refused when it is not http(s), carries credentials, writes an IPv4 address in any
form but four decimal parts (`2130706433`, `0177.0.0.1` and `127.1` mean 127.0.0.1 to some
parsers and nothing to others), or names a host that is, or resolves to, an address outside
the public internet: loopback, private (RFC 1918, fc00::/7), link-local, unspecified,
multicast, reserved or otherwise not globally routable. An IPv6 address that carries an IPv4
one (`::ffff:127.0.0.1`, 6to4, Teredo, NAT64) is judged by the IPv4 address too.
`allow_private` lifts the address rules alone, for development and tests.
"""

import ipaddress
import re
import socket
from collections.abc import Callable, Iterable
from urllib.parse import SplitResult, urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Iterable[str]]
"""The addresses a host name resolves to, for a port: injected so that checks need no DNS."""

SCHEMES = {"http": 80, "https": 443}
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
# Dot-separated integers in decimal, octal or hex: what inet_aton reads as an IPv4 address.
NUMERIC_HOST = re.compile(r"^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+))*\.?$", re.IGNORECASE)

# Checked in this order, so an address is refused under its most telling name.
REFUSED_KINDS: tuple[tuple[str, Callable[[IPAddress], bool]], ...] = (
    ("a loopback address", lambda ip: ip.is_loopback),
    ("the unspecified address", lambda ip: ip.is_unspecified),
    ("a link-local address", lambda ip: ip.is_link_local),
    ("a multicast address", lambda ip: ip.is_multicast),
    ("a private address", lambda ip: ip.is_private),
    ("a reserved address", lambda ip: ip.is_reserved),
    ("not a public address", lambda ip: not ip.is_global),
)


class TargetRefused(ValueError):
    """A URL Hostplane will not deliver webhooks to."""


def resolve_with_dns(host: str, port: int) -> list[str]:
    """The host's addresses, as the system resolver gives them."""
    answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(sockaddr[0]) for *_, sockaddr in answers]


def check_target(
    url: str, allow_private: bool, resolve: Resolver = resolve_with_dns
) -> tuple[IPAddress, ...]:
    """The addresses `url` reaches, all of them allowed; raises TargetRefused otherwise.

    A delivery should connect to one of these: resolving the name again could give another
    answer than the one checked.
    """
    parts = _split(url)
    host, port = _host(parts), _port(parts)
    literal = _literal(host)
    if literal is not None:
        if not allow_private:
            _refuse_if_internal(str(literal), literal)
        return (literal,)
    addresses = _resolved(host, port, resolve)
    if not allow_private:
        for address in addresses:
            _refuse_if_internal(f"{host!r} resolves to {address}", address)
    return addresses


def _split(url: str) -> SplitResult:
    try:
        parts = urlsplit(url.strip())
    except ValueError as error:
        raise TargetRefused(f"{url!r} is not a URL: {error}") from error
    if parts.scheme.lower() not in SCHEMES:
        raise TargetRefused(f"{url!r} is not an http or https URL")
    if parts.username is not None or parts.password is not None:
        raise TargetRefused("a webhook URL carries no credentials: sign with its secret")
    return parts


def _host(parts: SplitResult) -> str:
    host = parts.hostname
    if not host:
        raise TargetRefused(f"{parts.geturl()!r} names no host")
    if NUMERIC_HOST.match(host) and not _is_dotted_quad(host):
        raise TargetRefused(f"{host!r}: write an IPv4 address as four decimal numbers")
    return host


def _port(parts: SplitResult) -> int:
    try:
        port = parts.port
    except ValueError as error:
        raise TargetRefused(f"{parts.netloc!r} has no valid port") from error
    return port if port is not None else SCHEMES[parts.scheme.lower()]


def _is_dotted_quad(host: str) -> bool:
    try:
        ipaddress.IPv4Address(host)
    except ValueError:
        return False
    return True


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _resolved(host: str, port: int, resolve: Resolver) -> tuple[IPAddress, ...]:
    try:
        answers = list(resolve(host, port))
    except (OSError, UnicodeError) as error:
        raise TargetRefused(f"{host!r} does not resolve: {error}") from error
    addresses: list[IPAddress] = []
    for answer in answers:
        address = _literal(answer)
        if address is None:
            raise TargetRefused(f"{host!r} resolves to {answer!r}, which is not an address")
        addresses.append(address)
    if not addresses:
        raise TargetRefused(f"{host!r} resolves to no address")
    return tuple(addresses)


def _refuse_if_internal(shown: str, address: IPAddress) -> None:
    for judged in (*_embedded_ipv4(address), address):
        for kind, is_kind in REFUSED_KINDS:
            if is_kind(judged):
                carried = "" if judged == address else f", which carries {judged}"
                raise TargetRefused(f"{shown}{carried}: {kind}")


def _embedded_ipv4(address: IPAddress) -> tuple[ipaddress.IPv4Address, ...]:
    if isinstance(address, ipaddress.IPv4Address):
        return ()
    carried = [address.ipv4_mapped, address.sixtofour, *(address.teredo or ())]
    if address in NAT64:
        carried.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return tuple(ip for ip in carried if ip is not None)

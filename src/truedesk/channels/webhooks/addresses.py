"""Where a webhook may go: public addresses only, unless an administrator allows a network.

The host name is resolved once per attempt and every address it resolves to
is checked; the connection is then made to the checked address itself (see
transport.py), so a DNS answer that changes between the check and the
connection (DNS rebinding) cannot steer a request to an internal service.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from truedesk.channels.webhooks.errors import BlockedAddress, InvalidWebhook

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
SCHEMES = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Target:
    """A parsed webhook URL: scheme, host name as written, port and path with query."""

    scheme: str
    host: str
    port: int
    path: str

    @property
    def host_is_ip(self) -> bool:
        return literal_ip(self.host) is not None


def parse_url(url: str) -> Target:
    """Split a webhook URL; refuse anything but http(s) with a host and no credentials."""
    try:
        parts = urlsplit(str(url).strip())
        port = parts.port
    except ValueError:
        raise InvalidWebhook(_("That is not a valid URL."), field="url") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES or not parts.hostname:
        raise InvalidWebhook(_("Use an http:// or https:// URL with a host name."), field="url")
    if parts.username or parts.password:
        raise InvalidWebhook(_("Do not put credentials in the URL."), field="url")
    if parts.fragment:
        raise InvalidWebhook(_("A webhook URL has no #fragment."), field="url")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(scheme=scheme, host=parts.hostname, port=port or SCHEMES[scheme], path=path)


def literal_ip(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def parse_networks(values: Iterable[str]) -> list[IPNetwork]:
    """The allowed networks; a malformed row is skipped (the admin form validates them)."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            continue
    return networks


def _unmapped(address: IPAddress) -> IPAddress:
    # ::ffff:127.0.0.1 reaches 127.0.0.1, and a 6to4 relay takes 2002:7f00:1::
    # to 127.0.0.1 too: judge the IPv4 address inside.
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.sixtofour is not None:
            return address.sixtofour
    return address


def is_public(address: IPAddress) -> bool:
    """Globally routable unicast: not private, loopback, link-local, multicast or reserved."""
    address = _unmapped(address)
    # fec0::/10 (deprecated site-local) is still routed inside some networks.
    site_local = isinstance(address, ipaddress.IPv6Address) and address.is_site_local
    return (
        address.is_global
        and not address.is_multicast
        and not address.is_reserved
        and not site_local
    )


def is_permitted(address: IPAddress, allowed: Iterable[IPNetwork]) -> bool:
    address = _unmapped(address)
    return is_public(address) or any(
        address.version == network.version and address in network for network in allowed
    )


def check_address(address: IPAddress, allowed: Iterable[IPNetwork]) -> None:
    if not is_permitted(address, list(allowed)):
        raise BlockedAddress(
            _(
                "%(address)s is a private, loopback, link-local, multicast or reserved "
                "address; an administrator must allow its network first."
            )
            % {"address": address},
            field="url",
        )


def resolve(target: Target, allowed: Iterable[IPNetwork]) -> IPAddress:
    """The address to connect to; every address the host resolves to must be permitted."""
    networks = list(allowed)
    ip = literal_ip(target.host)
    if ip is not None:
        check_address(ip, networks)
        return ip
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise InvalidWebhook(
            _("%(host)s could not be resolved: %(error)s") % {"host": target.host, "error": exc},
            field="url",
        ) from None
    addresses = []
    for info in infos:
        candidate = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if candidate not in addresses:
            addresses.append(candidate)
    if not addresses:
        raise InvalidWebhook(_("%(host)s has no address.") % {"host": target.host}, field="url")
    # Strict: one forbidden answer refuses the host, so a name that mixes a
    # public and an internal address cannot be used to probe the inside.
    for candidate in addresses:
        check_address(candidate, networks)
    return addresses[0]

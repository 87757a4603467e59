"""Which URLs a webhook may be sent to: the guard against requests into our own network.

A URL is https, or http only for a private or loopback host when
WEBHOOKS_ALLOW_PRIVATE is on; every address its host resolves to must be public
unless that setting is on. The check runs when a subscription is saved and again
before each send, and the send connects to the address the check approved (a name
that resolves differently a second later cannot redirect it).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

MAX_URL_LENGTH = 2000


class AddressRefused(ValueError):
    """The URL may not be called; the message says why, for the admin."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as written in the URL (for SNI, certificate checks and the Host header)
    port: int
    path: str  # path and query
    addresses: tuple[str, ...]  # the approved IP addresses to connect to, in order

    @property
    def address(self) -> str:
        return self.addresses[0]

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"


def _is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _parts(url: str):
    if len(url) > MAX_URL_LENGTH:
        raise AddressRefused(
            _("The URL is longer than %(limit)s characters.") % {"limit": MAX_URL_LENGTH}
        )
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise AddressRefused(_("This is not a valid URL.")) from None
    if parts.scheme not in {"http", "https"}:
        raise AddressRefused(_("Use an https:// URL."))
    if not parts.hostname:
        raise AddressRefused(_("The URL names no host."))
    if parts.username or parts.password:
        raise AddressRefused(_("Leave user names and passwords out of the URL."))
    if parts.fragment:
        raise AddressRefused(_("Leave the #fragment out of the URL."))
    return parts, port


def _resolve(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise AddressRefused(
            _("The host “%(host)s” cannot be resolved.") % {"host": host}
        ) from None
    found = []
    for info in infos:
        ip = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if ip not in found:
            found.append(ip)
    if not found:
        raise AddressRefused(_("The host “%(host)s” cannot be resolved.") % {"host": host})
    return found


def target_check(url: str) -> Target:
    """The address to send `url` to, or AddressRefused saying why it may not be called."""
    parts, port = _parts(url)
    host = parts.hostname
    port = port or (443 if parts.scheme == "https" else 80)
    allow_private = settings.WEBHOOKS_ALLOW_PRIVATE
    addresses = _resolve(host, port)
    private = [ip for ip in addresses if not _is_public(ip)]
    if private and not allow_private:
        raise AddressRefused(
            _(
                "“%(host)s” leads to %(address)s, a private, loopback or link-local "
                "address: webhooks go to public addresses only."
            )
            % {"host": host, "address": private[0]}
        )
    if parts.scheme == "http" and not (allow_private and len(private) == len(addresses)):
        raise AddressRefused(
            _("Use an https:// URL: plain http is allowed only for private or local hosts.")
        )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(parts.scheme, host, port, path, tuple(str(ip) for ip in addresses))

"""Who asked, behind a proxy: the client address, scheme and host a request came with.

Off by default: a request's client is its TCP peer (``scope["client"]`` under ASGI), its
host its ``Host`` header, and any ``Forwarded`` or ``X-Forwarded-*`` header is ignored,
since anyone can send one. With :class:`TrustedProxies` (``Application(trusted_proxies=
["127.0.0.1", "10.0.0.0/8"])``), a request whose peer is one of them is taken at the
proxy's word, in this order:

1. ``Forwarded`` (RFC 7239), if present: its ``for=``, ``proto=`` and ``host=``;
2. otherwise ``X-Forwarded-For``, ``X-Forwarded-Proto`` and ``X-Forwarded-Host``.

The client is the nearest address of the ``for`` chain that is not itself a trusted
proxy, read from the right (the end the trusted proxy wrote), so a client cannot pass
itself off as another by sending the header: what it sent stands left of what the
proxy added. The scheme and the host are those of the proxy nearest the client that
said them (the first value). Anything that does not parse is ignored (the peer stands).

What it changes: per-client limits and sessions count by the real client, the ``Host``
check and the ``Origin`` check see the host the browser asked for, and pages know
whether the browser came by ``https``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping

import attrs

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@attrs.frozen
class Origin:
    """Where a request came from, as the application should see it.

    Attributes:
        client: the client's IP address ("" if unknown).
        scheme: ``http`` or ``https`` as the browser used it, or None if not known
            (no trusted proxy said; the transport's own then stands).
        host: the ``Host`` the browser asked for, or None to keep the request's own.
    """

    client: str
    scheme: str | None = None
    host: str | None = None

    def headers(self, headers: Mapping[str, str]) -> Mapping[str, str]:
        """``headers`` with ``host`` as the browser sent it (for the Host and Origin
        checks): the forwarded host when a trusted proxy gave one, else as they are."""
        if self.host is None or headers.get("host") == self.host:
            return headers
        return {**headers, "host": self.host}


@attrs.frozen
class TrustedProxies:
    """The proxies whose ``Forwarded``/``X-Forwarded-*`` headers are believed.

    Attributes:
        networks: addresses or networks (``"127.0.0.1"``, ``"10.0.0.0/8"``,
            ``"::1"``). Empty (the default): no header is believed.
    """

    networks: tuple[Network, ...] = ()

    @classmethod
    def of(cls, proxies: Iterable[str]) -> TrustedProxies:
        """From addresses and networks; raises ValueError naming one that is neither."""
        networks: list[Network] = []
        for proxy in proxies:
            try:
                networks.append(ipaddress.ip_network(proxy.strip(), strict=False))
            except ValueError:
                raise ValueError(
                    f"trusted_proxies: {proxy!r} is not an IP address or network; "
                    'give the proxies\' addresses, e.g. ["127.0.0.1", "10.0.0.0/8"]'
                ) from None
        return cls(tuple(networks))

    def trusts(self, address: str) -> bool:
        """Whether ``address`` is one of the trusted proxies."""
        if not self.networks:
            return False
        ip = _ip(address)
        return ip is not None and any(ip in network for network in self.networks)

    def resolve(self, peer: str, headers: Mapping[str, str]) -> Origin:
        """Where a request from ``peer`` with ``headers`` (lower-case names) came from:
        the peer itself unless it is a trusted proxy (see the module's docstring)."""
        if not self.trusts(peer):
            return Origin(peer)
        forwarded = headers.get("forwarded")
        if forwarded is not None:
            hops = _forwarded_hops(forwarded)
            chain = [hop.get("for", "") for hop in hops]
            scheme = next((hop["proto"] for hop in hops if "proto" in hop), None)
            host = next((hop["host"] for hop in hops if "host" in hop), None)
        else:
            chain = _list(headers.get("x-forwarded-for", ""))
            scheme = next(iter(_list(headers.get("x-forwarded-proto", ""))), None)
            host = next(iter(_list(headers.get("x-forwarded-host", ""))), None)
        return Origin(self._client(peer, chain), _scheme(scheme), _host(host))

    def _client(self, peer: str, chain: list[str]) -> str:
        """The nearest address of ``chain`` (nearest last) that is not a trusted proxy."""
        client = peer
        for hop in reversed(chain):
            address = _address(hop)
            if address is None:
                break  # "unknown", an obfuscated name, garbage: nothing beyond is believed
            client = address
            if not self.trusts(address):
                break
        return client


def _forwarded_hops(value: str) -> list[dict[str, str]]:
    """The elements of a ``Forwarded`` header, each as its lower-case parameters."""
    hops: list[dict[str, str]] = []
    for element in value.split(","):
        hop: dict[str, str] = {}
        for pair in element.split(";"):
            name, sep, raw = pair.partition("=")
            if sep:
                hop[name.strip().lower()] = raw.strip().strip('"')
        hops.append(hop)
    return hops


def _list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def _address(node: str) -> str | None:
    """The IP address of a forwarded node (``1.2.3.4``, ``1.2.3.4:80``, ``[::1]:80``,
    ``::1``), or None for anything else."""
    node = node.strip()
    if node.startswith("["):
        node = node[1 : node.find("]")] if "]" in node else ""
    elif node.count(":") == 1:
        node = node.partition(":")[0]
    ip = _ip(node)
    return None if ip is None else str(ip)


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _scheme(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip().lower()
    return value if value in ("http", "https") else None


def _host(value: str | None) -> str | None:
    """A forwarded host, if it is a plausible ``Host`` value (no spaces, no slashes)."""
    if not value or len(value) > 255 or any(c in value for c in " /\\@\t\r\n"):
        return None
    return value

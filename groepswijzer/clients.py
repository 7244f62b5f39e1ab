"""Who is asking: the address of the client behind our own load balancers.

Behind a load balancer every request comes from the balancer's address, so a
limit keyed on ``REMOTE_ADDR`` counts all visitors as one. Each proxy that we
run adds the address it received the request from to ``X-Forwarded-For``; the
client is the last address that none of our proxies wrote. Everything to the
left of it was typed by the client and is never trusted.

Two ways to say which proxies are ours (settings, from the environment):
``GROEPSWIJZER_TRUSTED_PROXY_RANGES`` (networks such as ``10.0.0.0/8``), or
``GROEPSWIJZER_TRUSTED_PROXY_COUNT`` (how many proxies stand in front of the
web processes). With neither, the connection's own address counts.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings


def _address(text):
    """A clean address string, or None for anything that is not one (ports and brackets allowed)."""
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 192.0.2.1:443
        text = text.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


@lru_cache(maxsize=8)
def _networks(ranges):
    return tuple(ipaddress.ip_network(item, strict=False) for item in ranges)


def _is_trusted(address, networks):
    ip = ipaddress.ip_address(address)
    return any(ip in network for network in networks)


def client_ip(request):
    """The client's address, as far as our own proxies vouch for it; never None.

    Rule: walk from the connection address leftwards through X-Forwarded-For,
    passing only addresses of our own proxies (by range, or the configured
    number of hops). A header shorter than promised, or an entry that is not an
    address, stops the walk at the last address we could trust.
    """
    remote = _address(request.META.get("REMOTE_ADDR", "")) or "0.0.0.0"
    ranges = tuple(getattr(settings, "GROEPSWIJZER_TRUSTED_PROXY_RANGES", ()) or ())
    count = int(getattr(settings, "GROEPSWIJZER_TRUSTED_PROXY_COUNT", 0) or 0)
    if not ranges and count <= 0:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    hops = [_address(part) for part in reversed(forwarded)]  # nearest first

    if ranges:
        networks = _networks(ranges)
        current = remote
        for hop in hops:
            if not _is_trusted(current, networks) or hop is None:
                break
            current = hop
        return current

    # A fixed number of proxies: the client is the count-th address from the right.
    if len(hops) < count or hops[count - 1] is None:
        return remote
    return hops[count - 1]


def client_key(request):
    """The client address as a rate-limit key; IPv6 clients own a whole /64, so count it as one."""
    address = ipaddress.ip_address(client_ip(request))
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)

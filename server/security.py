"""Safety rules: SERVICE allow-list (SSRF), LOAD refusal, update authorization.

pyoxigraph evaluates ``SERVICE`` and ``LOAD`` by fetching over HTTP, so both are checked
before a request reaches the engine:

* ``LOAD`` is always refused (403): the endpoint never fetches data on a client's behalf.
* ``SERVICE <iri>`` is allowed only for IRIs on ``service_allowlist`` (exact match), with an
  ``http``/``https`` scheme, whose host does not resolve to a loopback, private, link-local,
  multicast or reserved address (unless ``allow_loopback_service``, for tests). A ``SERVICE``
  whose target is a variable or cannot be resolved is refused.
* ``FROM``/``FROM NAMED``/``USING`` never fetch: pyoxigraph only reads graphs of its store, and a
  graph IRI it does not hold is an empty graph.

Known limit: the host check resolves the name once; DNS answers that change between this check
and pyoxigraph's own lookup are not caught. Keep the allow-list short and trusted.
"""

from __future__ import annotations

import hmac
import ipaddress
import socket
from urllib.parse import urlsplit

from server.errors import ApiError
from server.settings import Settings


def check_services(targets: list[str | None], settings: Settings) -> None:
    """Raise 403 unless every SERVICE target is allowed."""
    for target in targets:
        if target is None:
            raise ApiError(
                403,
                "SERVICE refused",
                "SERVICE needs a constant IRI from the allow-list (no variables).",
            )
        if target not in settings.service_allowlist:
            allowed = ", ".join(settings.service_allowlist) or "none"
            raise ApiError(
                403,
                "SERVICE refused",
                f"<{target}> is not an allowed federation endpoint (allowed: {allowed}).",
            )
        parts = urlsplit(target)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ApiError(403, "SERVICE refused", f"<{target}> is not an http(s) URL.")
        if not settings.allow_loopback_service and _is_internal(parts.hostname):
            raise ApiError(
                403,
                "SERVICE refused",
                f"<{target}> points to a loopback, private or link-local address.",
            )


def _is_internal(host: str) -> bool:
    """True if ``host`` is, or resolves to, a non-public address (or does not resolve)."""
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return True
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if (
            not address.is_global  # also shared (100.64/10), documentation and benchmark ranges
            or address.is_loopback
            or address.is_private
            or address.is_link_local
            or address.is_multicast
            or address.is_reserved
            or address.is_unspecified
        ):
            return True
    return False


def check_no_load(has_load: bool) -> None:
    """Raise 403 for LOAD, always."""
    if has_load:
        raise ApiError(403, "LOAD refused", "This endpoint never fetches data: LOAD is disabled.")


def check_update_allowed(authorization: str | None, settings: Settings) -> None:
    """Raise 403 unless updates are enabled and the bearer token matches."""
    if not settings.updates_enabled:
        raise ApiError(403, "Updates disabled", "This endpoint is read-only: SPARQL Update is switched off.")
    scheme, _, token = (authorization or "").partition(" ")
    expected = (settings.update_token or "").encode()
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected):
        raise ApiError(
            403,
            "Update refused",
            "A valid `Authorization: Bearer <token>` is required.",
            {"WWW-Authenticate": 'Bearer realm="sparql-update"'},
        )

"""What the studio checks before a request reaches a route: the host name, and for requests that change state,
where they come from, what they carry and how much.

The studio has no login, so any web page the user opens could try to drive it: a page on another origin can send
a "simple" POST (``text/plain`` or form-encoded, even with ``mode: "no-cors"``) without asking first, and a page on
a name that resolves to 127.0.0.1 (DNS rebinding) would be same-origin with it. So:

- every request must name one of the studio's host names (refused with a JSON 400 otherwise);
- a request that changes state (anything but GET and HEAD) needs ``Content-Type: application/json`` (which a
  cross-origin page cannot send without a CORS preflight, which the studio never grants), an ``Origin`` that is
  the studio's own when one is sent, and the session token that only the studio's own page carries.

A missing ``Origin`` is accepted: browsers send one with every POST, fetch or form, same-origin or not, so only
non-browser clients (curl, a script) omit it, and those already run on this machine and still need the token,
which they read from the page like the browser does.
"""

from __future__ import annotations

import json
import secrets

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from skyasset.errors import SkyassetError

__all__ = ["TOKEN_HEADER", "RequestGuard", "error_response", "host_name"]

TOKEN_HEADER = "X-Skyasset-Token"
_SAFE_METHODS = ("GET", "HEAD")


def error_response(message: str, status: int, code: str = "invalid_argument", *, close: bool = False) -> Response:
    """The CLI's JSON error object as an HTTP answer; ASCII-only, so no text from a request can break encoding."""
    body = json.dumps(SkyassetError(code, message).to_json(), ensure_ascii=True)  # type: ignore[arg-type]
    headers = {"Connection": "close"} if close else None
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def host_name(host_header: str) -> str:
    """The name part of a Host header: ``127.0.0.1:8765`` -> ``127.0.0.1``, ``[::1]:8765`` -> ``[::1]``."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1] if "]" in host else host
    return host.split(":", 1)[0]


class RequestGuard:
    """ASGI middleware applying the checks above; ``hosts`` ``None`` allows any host name (``--allow-remote``)."""

    def __init__(self, app: ASGIApp, *, hosts: list[str] | None, token: str) -> None:
        self.app = app
        self.hosts = None if hosts is None else {h.lower() for h in hosts}
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            refusal = self.refusal(scope, Headers(scope=scope))
            if refusal is not None:
                await refusal(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def refusal(self, scope: Scope, headers: Headers) -> Response | None:
        host = headers.get("host", "")
        if self.hosts is not None and host_name(host) not in self.hosts:
            return error_response(
                f"Host name {host!r} is not this studio's: open it at http://127.0.0.1:PORT/ (or localhost); "
                "other names are refused so that no other site can reach it.",
                400,
            )
        if scope["method"] in _SAFE_METHODS:
            return None
        fetch_site = headers.get("sec-fetch-site")
        if fetch_site is not None and fetch_site != "same-origin":
            return error_response(
                f"Refused a {fetch_site} request: only the studio's own page may start work.", 403, close=True
            )
        origin = headers.get("origin")
        if origin is not None and origin.lower() != f"{scope['scheme']}://{host}".lower():
            return error_response(
                f"Refused a request from origin {origin!r}: only the studio's own page may start work.",
                403,
                close=True,
            )
        media_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media_type != "application/json":
            return error_response(
                f"Send the parameters as Content-Type: application/json, not {media_type or 'no type'!r}.",
                415,
                close=True,
            )
        if not secrets.compare_digest(headers.get(TOKEN_HEADER.lower(), "").encode(), self.token.encode()):
            return error_response(
                f"Missing or wrong {TOKEN_HEADER} header: send the token from the studio page's "
                '<meta name="skyasset-token"> (it changes each time the studio starts).',
                403,
                close=True,
            )
        return None

"""What stops a web page on the internet from making the app run code.

The app executes learner code, so every request is checked, in this order: the Host
header must name the address we are bound to (a DNS-rebinding page arrives with its own
host name); the request must carry the session cookie (set by opening the startup URL
with its token, as Jupyter does) or the token itself as a bearer header; a request that
changes state must come from our own origin (CSRF). Every response carries a
Content-Security-Policy with no inline script and no framing.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

COOKIE = "deepcareer_session"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")

Next = Callable[[Request], Awaitable[Response]]


def new_token() -> str:
    return secrets.token_urlsafe(32)


class Guard:
    """Starlette middleware (``app.middleware("http")(Guard(...))``)."""

    def __init__(self, token: str, host: str, port: int) -> None:
        self.token = token
        self.hosts = {f"{h}:{port}" for h in (host, "localhost" if host == "127.0.0.1"
                                               else host)}
        self.origins = {f"http://{h}" for h in self.hosts}

    def _authorised(self, request: Request) -> bool:
        cookie = request.cookies.get(COOKIE, "")
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        return any(v and hmac.compare_digest(v, self.token) for v in (cookie, bearer))

    def _same_origin(self, request: Request) -> bool:
        origin = request.headers.get("origin")
        if origin is None:
            referer = request.headers.get("referer")
            if referer is None:
                return True  # not a browser form or fetch: curl, the notebook API
            parts = urlsplit(referer)
            origin = f"{parts.scheme}://{parts.netloc}"
        return origin in self.origins

    async def __call__(self, request: Request, call_next: Next) -> Response:
        if request.headers.get("host", "") not in self.hosts:
            return PlainTextResponse("Bad host: deepcareer only answers on its own address.",
                                     status_code=400)
        query_token = request.query_params.get("token")
        if query_token is not None and hmac.compare_digest(query_token, self.token):
            target = request.url.path  # drop the token from the address bar and history
            response: Response = RedirectResponse(target, status_code=303)
            response.set_cookie(COOKIE, self.token, httponly=True, samesite="strict",
                                secure=False, path="/")
            return _harden(response)
        if request.url.path.startswith("/static/"):
            return _harden(await call_next(request))  # CSS and JS only, no data
        if not self._authorised(request):
            return _harden(PlainTextResponse(
                "Not signed in: open the address with ?token=... that `deepcareer serve` "
                "printed in your terminal.", status_code=401))
        if request.method not in SAFE_METHODS and not self._same_origin(request):
            return _harden(PlainTextResponse("Cross-origin request refused.", status_code=403))
        return _harden(await call_next(request))


def _harden(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Cache-Control"] = "no-store"
    return response

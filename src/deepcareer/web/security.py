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
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE = "deepcareer_session"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")


def new_token() -> str:
    return secrets.token_urlsafe(32)


SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}


class Guard:
    """A plain ASGI middleware (cheaper than Starlette's ``BaseHTTPMiddleware`` on every
    request): ``app.add_middleware(Guard, token=..., host=..., port=...)``."""

    def __init__(self, app: ASGIApp, token: str, host: str, port: int) -> None:
        self.app = app
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

    def _refusal(self, request: Request) -> Response | None:
        """The response that ends this request here, or None to let it through."""
        if request.headers.get("host", "") not in self.hosts:
            return PlainTextResponse("Bad host: deepcareer only answers on its own address.",
                                     status_code=400)
        query_token = request.query_params.get("token")
        if query_token is not None and hmac.compare_digest(query_token, self.token):
            response = RedirectResponse(request.url.path, status_code=303)  # token out of
            response.set_cookie(COOKIE, self.token, httponly=True,  # the address bar
                                samesite="strict", secure=False, path="/")
            return response
        if request.url.path.startswith("/static/"):
            return None  # CSS and JS only, no data
        if not self._authorised(request):
            return PlainTextResponse(
                "Not signed in: open the address with ?token=... that `deepcareer serve` "
                "printed in your terminal.", status_code=401)
        if request.method not in SAFE_METHODS and not self._same_origin(request):
            return PlainTextResponse("Cross-origin request refused.", status_code=403)
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        static = request.url.path.startswith("/static/")

        async def hardened(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for key, value in SECURITY_HEADERS.items():
                    headers[key] = value
                if not static:
                    headers["cache-control"] = "no-store"
            await send(message)

        refusal = self._refusal(request)
        if refusal is not None:
            await refusal(scope, receive, hardened)
            return
        await self.app(scope, receive, hardened)

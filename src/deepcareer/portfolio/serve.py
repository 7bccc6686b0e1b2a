"""Preview a built site on 127.0.0.1 only, with the standard library's file server."""

from __future__ import annotations

import functools
from collections.abc import Callable
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def make_server(site: Path, port: int = 0) -> ThreadingHTTPServer:
    handler = functools.partial(_Quiet, directory=str(site))
    return ThreadingHTTPServer(("127.0.0.1", port), handler)


def serve(site: Path, port: int = 0, announce: Callable[[str], None] = print) -> None:
    """Serve ``site`` until Ctrl-C; ``announce`` gets the address (the CLI renders it)."""
    server = make_server(site, port)
    host, bound = str(server.server_address[0]), server.server_address[1]
    announce(f"http://{host}:{bound}/")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()

"""Start the web app on 127.0.0.1 with a fresh token, and say where it is.

The socket is bound and listening *before* the address is printed, and handed to
uvicorn as it is: a script that reads the address and connects at once is queued by
the kernel until the app accepts, never refused, and the printed port is always the
one bound (with ``--port 0``, the one the system chose).
"""

from __future__ import annotations

import errno
import socket
from pathlib import Path

from deepcareer.errors import UsageError

DEFAULT_PORT = 8765
HOST = "127.0.0.1"


def free_port(preferred: int) -> int:
    """``preferred`` when it is free, otherwise any free port the system hands out."""
    for port in (preferred, 0):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((HOST, port))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise OSError("no free port on 127.0.0.1")


def listen(port: int | None) -> socket.socket:
    """A socket bound to 127.0.0.1 and listening.

    ``port=None`` is the default: ``DEFAULT_PORT``, or a port the system chooses when
    that one is taken. A port asked for by number is that port or a UsageError.
    """
    if port is not None and not 0 <= port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, not {port}; --port 0 lets "
                         "the system choose a free one.")
    for candidate in ([DEFAULT_PORT, 0] if port is None else [port]):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            sock.bind((HOST, candidate))
            sock.listen(2048)
        except OSError as exc:
            sock.close()
            if port is None and exc.errno == errno.EADDRINUSE:
                continue
            raise UsageError(_bind_failure(candidate, exc)) from exc
        return sock
    raise UsageError("No free port on 127.0.0.1.")  # the system always has one: unreachable


def _bind_failure(port: int, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return (f"Port {port} on {HOST} is already in use (another `deepcareer serve`, or "
                "another program). Pick another with --port N, or use --port 0 to let the "
                "system choose a free one.")
    if exc.errno == errno.EACCES:
        return (f"This account may not listen on port {port} (ports below 1024 need "
                "administrator rights). Use a port above 1024, or --port 0.")
    return f"Cannot listen on {HOST}:{port}: {exc.strerror}. Try --port 0."


def run(home: Path, port: int | None = None, *, open_browser: bool = True) -> None:
    import uvicorn
    from rich.console import Console

    from deepcareer.web.app import create_app
    from deepcareer.web.security import new_token

    console = Console(highlight=False)  # the web app prints on its own (faces do not share)
    sock = listen(port)
    try:
        bound = int(sock.getsockname()[1])
        token = new_token()
        app = create_app(home, token, HOST, bound)
        url = f"http://{HOST}:{bound}/?token={token}"
        console.print(f"deepcareer is running at [bold]{url}[/]", soft_wrap=True)  # one line,
        # so the address can be copied whole
        if port is None and bound != DEFAULT_PORT:
            console.print(f"(Port {DEFAULT_PORT} was taken, so the system chose {bound}.)",
                          style="dim")
        console.print("Open that address (it signs you in); Ctrl-C stops the app.", style="dim")
        if open_browser:
            import webbrowser

            webbrowser.open(url)
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
        server.run(sockets=[sock])
    finally:
        sock.close()

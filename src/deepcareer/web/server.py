"""Start the web app on 127.0.0.1 with a fresh token, and say where it is."""

from __future__ import annotations

import socket
from pathlib import Path

DEFAULT_PORT = 8765


def free_port(preferred: int) -> int:
    """``preferred`` when it is free, otherwise any free port the system hands out."""
    for port in (preferred, 0):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise OSError("no free port on 127.0.0.1")


def run(home: Path, port: int = DEFAULT_PORT, *, open_browser: bool = True) -> None:
    import uvicorn

    from deepcareer.cli.render import console
    from deepcareer.web.app import create_app
    from deepcareer.web.security import new_token

    port = free_port(port)
    token = new_token()
    app = create_app(home, token, "127.0.0.1", port)
    url = f"http://127.0.0.1:{port}/?token={token}"
    console.print(f"deepcareer is running at [bold]{url}[/]", soft_wrap=True)  # one line,
    # so the address can be copied whole
    console.print("Open that address (it signs you in); Ctrl-C stops the app.", style="dim")
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")

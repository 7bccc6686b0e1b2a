"""Web app latency on a long history, against a bare FastAPI route of the same size.

A home gets 100,000 attempts and 2,000 review cards (as in bench/mentor_scale.py). The
app and a floor app (one route returning a static HTML page as large as our dashboard)
run under the same uvicorn settings on 127.0.0.1; a loopback client makes 500 requests to
each page, interleaved. Prints p50 and p95 of the dashboard and the exercise page, and the
ratio of p95s to the floor (goals: p95 <= 50 ms, ratio <= 3). Then times a check through
the web API against `deepcareer check` in a terminal (goal: web <= 1.2x the CLI).

Usage: python bench/web_latency.py [--requests N] [--attempts N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import precompile, time_command
from mentor_scale import fill

TOKEN = "bench-token"


def serve(app: object, port: int) -> object:
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,  # type: ignore[arg-type]
                                           log_level="warning", access_log=False))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--attempts", type=int, default=100_000)
    args = parser.parse_args()
    precompile()
    import httpx2 as httpx
    from fastapi import FastAPI
    from fastapi.responses import HTMLResponse

    from deepcareer.web.app import create_app
    from deepcareer.web.security import COOKIE
    from deepcareer.web.server import free_port

    work = Path(tempfile.mkdtemp(prefix="deepcareer-bench-"))
    home = work / "home"
    fill(home, args.attempts, 2_000)
    port = free_port(8770)
    serve(create_app(home, TOKEN, "127.0.0.1", port), port)
    base = f"http://127.0.0.1:{port}"
    client = httpx.Client(base_url=base, cookies={COOKIE: TOKEN}, timeout=30)
    sizes = {"/": len(client.get("/").content),
             "/exercises/softmax": len(client.get("/exercises/softmax").content)}
    floor_app = FastAPI()
    statics = {path: "<!doctype html><html><body>" + "x" * max(0, n - 40) + "</body></html>"
               for path, n in sizes.items()}

    @floor_app.get("/", response_class=HTMLResponse)
    def small() -> str:
        return statics["/"]

    @floor_app.get("/exercises/softmax", response_class=HTMLResponse)
    def large() -> str:
        return statics["/exercises/softmax"]

    floor_port = free_port(8771)
    serve(floor_app, floor_port)
    floor_client = httpx.Client(base_url=f"http://127.0.0.1:{floor_port}", timeout=30)
    pages = {"dashboard": "/", "exercise": "/exercises/softmax"}
    times: dict[str, list[float]] = {k: [] for k in [*pages, *(f"floor-{p}" for p in pages)]}
    plan = [(name, client, path) for name, path in pages.items()]
    plan += [(f"floor-{name}", floor_client, path) for name, path in pages.items()]
    for _name, c, path in plan:
        c.get(path)  # warm
    for _ in range(args.requests):
        for name, c, path in plan:
            start = time.perf_counter()
            response = c.get(path)
            times[name].append(time.perf_counter() - start)
            assert response.status_code == 200, (path, response.status_code)
    print(f"history: {args.attempts} attempts, 2000 cards; {args.requests} requests per page")
    for name, path in pages.items():
        p50, p95 = statistics.median(times[name]), pct(times[name], 95)
        floor95 = pct(times[f"floor-{name}"], 95)
        print(f"{name} ({sizes[path] / 1024:.0f} KB): p50 {1000 * p50:.1f} ms, p95 "
              f"{1000 * p95:.1f} ms (goal <= 50 ms); bare FastAPI, same size: p95 "
              f"{1000 * floor95:.1f} ms; ratio {p95 / floor95:.2f} (goal <= 3)")
    from deepcareer.curriculum.catalog import default_catalog

    code = default_catalog().get("softmax").reference_source
    solution = work / "softmax.py"
    solution.write_text(code)
    exe = str(Path(sys.executable).with_name("deepcareer"))
    cli_cmd = [exe, "check", "softmax", "--file", str(solution), "--home", str(home)]
    time_command(cli_cmd, work)
    web, cli = [], []
    for _ in range(7):
        start = time.perf_counter()
        assert client.post("/api/exercises/softmax/check",
                           json={"code": code}).json()["status"] == "pass"
        web.append(time.perf_counter() - start)
        cli.append(time_command(cli_cmd, work))
    m_web, m_cli = statistics.median(web), statistics.median(cli)
    print(f"check softmax: web API {m_web:.3f} s, CLI {m_cli:.3f} s; ratio {m_web / m_cli:.2f} "
          "(goal <= 1.2)")


if __name__ == "__main__":
    main()

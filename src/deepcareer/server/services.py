"""Private PostgreSQL and Redis instances for the tests and the class demo.

A class server runs on the PostgreSQL and Redis its operator provides (URLs as options or
environment variables). The tests and ``make class-demo`` need their own, on a machine that
has only Debian's packages installed: each instance lives in a folder of its own, listens
on a free loopback port, keeps nothing after it stops, and never touches the system's
clusters. PostgreSQL refuses to run as root, so under root it runs as the ``postgres``
system user (Debian's package creates it).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from deepcareer.errors import ServerError


@dataclass
class Service:
    """A running private instance: where to reach it, and how to stop it."""

    name: str
    url: str
    folder: Path
    stop: Callable[[], None]
    port: int
    # PostgreSQL only: stop and start again on the same data and port (outage drills).
    halt: Callable[[], None] | None = None
    resume: Callable[[], None] | None = None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not candidates:
        raise ServerError(f"PostgreSQL's {name} is not installed. On Debian: "
                          "apt-get install postgresql (make test does it for you).")
    return candidates[-1]


def _as_postgres(argv: list[str]) -> list[str]:
    """Run as the postgres system user when we are root (PostgreSQL refuses root)."""
    if os.geteuid() != 0:
        return argv
    runuser = shutil.which("runuser") or shutil.which("setpriv")
    if runuser is None:
        raise ServerError("running PostgreSQL as root needs runuser (util-linux)")
    if runuser.endswith("runuser"):
        return [runuser, "-u", "postgres", "--", *argv]
    return [runuser, "--reuid=postgres", "--regid=postgres", "--init-groups", *argv]


def _wait_for(check: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise ServerError(f"{what} did not start within {timeout:g} s")


def _port_open(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
        return True
    return False


def start_postgres(database: str = "deepcareer") -> Service:
    """initdb a cluster in a fresh temporary folder and start it on a free loopback port
    (trust auth, loopback only, no fsync: a scratch database, never the system's). The
    folder sits directly in the system's temporary directory, which the postgres user can
    traverse (a pytest ``tmp_path`` is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="deepcareer-postgres-"))
    data, sockets = folder / "data", folder / "sockets"
    sockets.mkdir(exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        shutil.chown(sockets, "postgres")
    port = free_port()
    run = dict(capture_output=True, text=True, timeout=120)
    done = subprocess.run(_as_postgres([_pg_bin("initdb"), "-D", str(data), "-A", "trust",
                                        "-U", "deepcareer", "-E", "UTF8", "--no-sync"]),
                          **run)  # type: ignore[call-overload]
    if done.returncode != 0:
        raise ServerError(f"initdb failed: {done.stderr.strip()[-500:]}")
    options = (f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
               "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
    done = subprocess.run(_as_postgres([_pg_bin("pg_ctl"), "-D", str(data), "-o", options,
                                        "-l", str(folder / "postgres.log"), "-w", "start"]),
                          **run)  # type: ignore[call-overload]
    if done.returncode != 0:
        raise ServerError(f"PostgreSQL did not start: {done.stderr.strip()[-500:]}")
    _wait_for(lambda: _port_open(port), "PostgreSQL")
    subprocess.run(_as_postgres([_pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(port),
                                 "-U", "deepcareer", database]), check=True, **run)  # type: ignore[call-overload]

    def halt(mode: str = "fast") -> None:
        # "fast" writes out every commit first: with synchronous_commit off, an immediate
        # stop would lose the last few, which an outage drill must not confuse with recovery.
        subprocess.run(_as_postgres([_pg_bin("pg_ctl"), "-D", str(data), "-m", mode,
                                     "-w", "stop"]), capture_output=True, timeout=60)

    def resume() -> None:
        subprocess.run(_as_postgres([_pg_bin("pg_ctl"), "-D", str(data), "-o", options,
                                     "-l", str(folder / "postgres.log"), "-w", "start"]),
                       capture_output=True, timeout=120)
        _wait_for(lambda: _port_open(port), "PostgreSQL")

    def stop() -> None:
        halt("immediate")  # the folder goes next: nothing to keep
        shutil.rmtree(folder, ignore_errors=True)

    return Service("postgresql", f"postgresql+psycopg://deepcareer@127.0.0.1:{port}/{database}",
                   folder, stop, port, halt, resume)


def start_redis(port: int | None = None) -> Service:
    """A Redis on a free loopback port (or ``port``: a restart) that keeps nothing on disk."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise ServerError("redis-server is not installed. On Debian: apt-get install "
                          "redis-server (make test does it for you).")
    folder = Path(tempfile.mkdtemp(prefix="deepcareer-redis-"))
    port = port or free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(folder)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_for(lambda: _port_open(port) or proc.poll() is not None, "Redis")
    if proc.poll() is not None:
        raise ServerError(f"redis-server exited with {proc.returncode}")

    def stop() -> None:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)
        if proc.poll() is None:
            proc.kill()
        shutil.rmtree(folder, ignore_errors=True)

    return Service("redis", f"redis://127.0.0.1:{port}/0", folder, stop, port)


@contextlib.contextmanager
def running() -> Iterator[tuple[Service, Service]]:
    """Both services for the length of a block; stopped (and their folders removed) after."""
    pg = start_postgres()
    try:
        redis = start_redis()
    except BaseException:
        pg.stop()
        raise
    try:
        yield pg, redis
    finally:
        redis.stop()
        pg.stop()

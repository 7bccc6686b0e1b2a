"""The wall holds against an attacker who has already broken the in-process guard.

Every attack starts with ``BREAK``, which empties the audit hook's tables and closure
(``test_the_guard_alone_is_not_a_wall`` shows that this really disarms it), so what
is tested is the operating-system sandbox itself: what is mounted, what the run can
see of the host, what survives it, and what the parent accepts back. Each attack runs
in a cold child and in a child from the warm pool; ``tests/web/test_web_attacks.py``
sends the same kinds of code through the web API.
"""

# ruff: noqa: UP031  (attack code is templated with %, since it is full of braces)
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from deepcareer.grading import isolation, sandbox
from deepcareer.grading._child import pack_value
from deepcareer.grading.sandbox import Limits
from tests.conftest import os_sandbox_skip

X = np.array([[1.0, 2.0, 3.0]])
SOLUTIONS = sandbox.PACKAGE_DIR / "content" / "exercises"

BREAK = '''
def _break_guard():
    """Disarm the audit hook: empty its tables, widen its folders to everything."""
    import gc, sys
    main = sys.modules.get("__main__")
    for name in ("_BLOCKED_EVENTS", "_PATH_EVENTS"):
        getattr(main, name, {}).clear()
    for o in gc.get_objects():
        if type(o).__name__ == "function" and o.__name__ == "hook" and o.__closure__:
            for cell in o.__closure__:
                value = cell.cell_contents
                if isinstance(value, list):
                    value.clear()
                elif isinstance(value, str):
                    cell.cell_contents = "/"
_break_guard()
'''

# A grandchild in a session of its own, tagged with a marker (%r): it outlives a process
# group kill, so only the PID namespace ends it.
LINGER = '''
pid = os.fork()
if pid == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(300)", %r])
    os._exit(0)
os.waitpid(pid, 0)
'''

pytestmark = os_sandbox_skip()


@pytest.fixture(autouse=True, params=["cold", "warm"])
def mode(request: pytest.FixtureRequest) -> Iterator[str]:
    if request.param == "warm":
        with sandbox.warm():
            yield "warm"
    else:
        yield "cold"


def attack(body: str, *, forbidden: tuple[str, ...] = (), wall_s: float = 20.0
           ) -> sandbox.SandboxResult:
    """Run ``def f(x): <body>`` after BREAK; ``f`` returns what the attack found."""
    arrays: list[object] = []
    calls = [{"fn": "f", "args": [pack_value(X, arrays)], "kwargs": {}}]
    indented = "\n".join("    " + line for line in body.strip("\n").splitlines())
    source = f"import os, sys\n{BREAK}\ndef f(x):\n{indented}\n"
    limits = Limits(wall_s=wall_s) if wall_s != Limits().wall_s else None
    return sandbox.start(source, "attack.py", calls, arrays, forbidden=forbidden,
                         limits=limits).wait()


def found(result: sandbox.SandboxResult) -> object:
    assert result.isolation == isolation.OS
    assert result.calls[0].kind == "result", (result.status, result.calls[0], result.stdout)
    return result.calls[0].value


def host_processes_with(marker: str) -> list[str]:
    hits = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                if marker.encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                    hits.append(pid)
            except OSError:
                continue
    return hits


def test_no_reference_solution_anywhere_in_the_sandbox() -> None:
    """Not a list of paths: walk the whole visible tree for any exercise folder."""
    result = attack('''
hits = []
for root, dirs, files in os.walk("/"):
    dirs[:] = [d for d in dirs if root + "/" + d not in ("/proc", "/sys", "/dev")]
    if "exercise.toml" in files or "solution.py" in files and "checks.py" in files:
        hits.append(root)
direct = []
for p in %r:
    try:
        direct.append(open(p).read()[:20])
    except OSError:
        pass
return repr((hits, direct))
''' % ([str(SOLUTIONS / "fundamentals" / "softmax" / "solution.py")],))
    assert found(result) == "([], [])"


def test_no_progress_database_home_or_repository_is_visible(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "progress.db").write_bytes(b"SQLite format 3\x00secret")
    result = attack('''
hits = []
for root, dirs, files in os.walk("/"):
    dirs[:] = [d for d in dirs if root + "/" + d not in ("/proc", "/sys", "/dev")]
    hits += [root + "/" + n for n in files + dirs if n in ("progress.db", ".git", "home.json")]
try:
    open(%r, "rb").read()
    hits.append("home read")
except OSError:
    pass
return repr(hits)
''' % str(home / "progress.db"), forbidden=(str(home),))
    assert found(result) == "[]"


def test_host_processes_their_environment_and_memory_are_out_of_sight() -> None:
    secret = f"secret-{uuid.uuid4().hex}"
    victim = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", secret],
                              env={**os.environ, "DC_TOKEN": secret})
    try:
        result = attack('''
seen = []
for pid in os.listdir("/proc"):
    if pid.isdigit():
        for part in ("cmdline", "environ"):
            try:
                data = open("/proc/%%s/%%s" %% (pid, part), "rb").read()
            except OSError:
                continue
            if %r.encode() in data:
                seen.append(pid)
pids = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
return repr((seen, len(pids)))
''' % secret)
        seen, count = eval(str(found(result)))  # our own repr of two plain values
        assert seen == [] and count < 10  # only the run's own few processes
    finally:
        victim.kill()
        victim.wait()


def test_no_signal_reaches_a_host_process() -> None:
    marker = f"victim-{uuid.uuid4().hex}"
    victim = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", marker])
    try:
        result = attack('''
import signal
sent = 0
for pid in range(2, 1 << 16):
    try:
        os.kill(pid, signal.SIGKILL)
        sent += 1
    except OSError:
        pass
try:
    fd = os.pidfd_open(%d)
    signal.pidfd_send_signal(fd, signal.SIGKILL)
    sent += 1000
except OSError:
    pass
return sent
''' % victim.pid)
        assert result.status in ("ok", "crashed")  # killing its own processes is allowed
        time.sleep(0.2)
        assert victim.poll() is None, "a host process was killed from the sandbox"
    finally:
        victim.kill()
        victim.wait()


def test_no_process_outlives_the_run_however_it_was_started(tmp_path: Path) -> None:
    marker = f"linger-{uuid.uuid4().hex}"
    result = attack(LINGER % marker + 'return "started"\n')
    assert found(result) == "started"
    deadline = time.monotonic() + 3.0
    while host_processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert host_processes_with(marker) == []


def test_files_outside_the_scratch_folder_cannot_be_written(tmp_path: Path) -> None:
    target = tmp_path / f"escape-{uuid.uuid4().hex}"
    result = attack('''
done = []
for path in (%r, "/usr/escape", sys.prefix + "/escape", "/tmp/../escape"):
    try:
        with open(path, "w") as fh:
            fh.write("x")
        done.append(path)
    except OSError:
        pass
return repr(done)
''' % str(target))
    assert found(result) in ("[]", "['/tmp/../escape']")  # /escape lies in the run's own root
    assert not target.exists()
    assert not Path(sys.prefix, "escape").exists()


def test_no_network_even_to_a_listener_on_this_machine() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.5)
    port = server.getsockname()[1]
    got: list[object] = []

    def accept() -> None:
        with contextlib.suppress(OSError):
            got.append(server.accept())

    thread = threading.Thread(target=accept)
    thread.start()
    try:
        result = attack('''
import socket
try:
    socket.create_connection(("127.0.0.1", %d), timeout=1).sendall(b"hi")
    return "connected"
except OSError as exc:
    return type(exc).__name__
''' % port)
        assert found(result) != "connected"
    finally:
        thread.join()
        server.close()
    assert got == []


def test_a_flood_of_the_result_channel_is_cut_off_without_harming_the_parent() -> None:
    result = attack('''
chunk = b"\\xff" * (1 << 20)
for fd in range(3, 12):
    try:
        while True:
            os.write(fd, chunk)
    except OSError:
        pass
return x
''')
    assert result.status == "crashed"
    assert "more than the grader reads" in result.exit_detail


def test_forged_frames_are_refused_not_trusted() -> None:
    """A frame whose array header claims 800 GB, then one claiming a pass."""
    result = attack('''
import json, struct
body = json.dumps({"kind": "result", "index": 0, "value": {"a": 0}}).encode()
head = "{'descr': '<f8', 'fortran_order': False, 'shape': (100000000000,), }"
head = head + " " * (118 - len(head)) + "\\n"
blob = b"\\x93NUMPY\\x01\\x00" + struct.pack("<H", len(head)) + head.encode()
frame = struct.pack(">II", len(body), 1) + body + struct.pack(">Q", len(blob)) + blob
for fd in range(3, 12):
    try:
        os.write(fd, frame)
    except OSError:
        pass
return x
''')
    assert result.calls[0].kind != "result"
    assert result.status == "crashed"


def test_terminal_escapes_never_reach_the_learners_screen() -> None:
    result = attack('''
print("\\x1b[2J\\x1b[32mPASS\\x1b[0m\\r\\x9b31m \\u202e")
raise ValueError("\\x1b]0;owned\\x07 \\x1b[32mPASS")
''')
    assert "\x1b" not in result.stdout and "\x9b" not in result.stdout
    assert "\u202e" not in result.stdout and "PASS" in result.stdout
    error = result.calls[0].error
    assert "\x1b" not in error["message"] and "\x07" not in error["message"]


def test_the_run_sees_no_capabilities_and_cannot_make_namespaces() -> None:
    result = attack('''
status = open("/proc/self/status").read()
caps = [l.split()[1] for l in status.splitlines() if l.startswith("CapEff")]
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
made = libc.unshare(0x10000000)  # CLONE_NEWUSER
return repr((caps, made, os.getuid()))
''')
    caps, made, uid = eval(str(found(result)))
    assert caps == ["0000000000000000"] and made == -1 and uid == isolation.NOBODY


def test_the_guard_alone_is_not_a_wall(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                       ) -> None:
    """Why the OS sandbox exists: with the guard as the only layer, BREAK gets through.

    This also proves that the attacks above really disarm the guard first.
    """
    monkeypatch.setenv(isolation.ENV_VAR, isolation.GUARD)
    isolation.reset()
    try:
        target = tmp_path / "outside.txt"
        result = attack(f'open({str(target)!r}, "w").write("x")\nreturn "wrote"\n')
        assert result.isolation == isolation.GUARD
        assert result.calls[0].value == "wrote" and target.exists()
    finally:
        monkeypatch.undo()
        isolation.reset()


def test_a_memory_bomb_is_refused_and_the_parent_survives() -> None:
    result = attack('''
blocks = []
while True:
    blocks.append(bytearray(64 << 20))
''')
    assert result.calls[0].kind == "error" or result.status == "crashed"
    assert os.getpid() > 0  # still here


@pytest.mark.slow  # hundreds of processes, or a grader killed: make test only
def test_a_fork_bomb_ends_with_the_run() -> None:
    marker = f"bomb-{uuid.uuid4().hex}"
    result = attack('''
import time
for _ in range(64):
    try:
        if os.fork() == 0:
            sys.argv.append(%r)
            time.sleep(300)
            os._exit(0)
    except OSError:
        break
while True:
    pass
''' % marker, wall_s=2.0)
    assert result.status == "timeout"
    time.sleep(0.3)
    assert host_processes_with(marker) == []


@pytest.mark.slow  # hundreds of processes, or a grader killed: make test only
def test_killing_the_grader_kills_the_run() -> None:
    """``--die-with-parent``: a grader killed with SIGKILL leaves no learner process behind."""
    marker = f"orphan-{uuid.uuid4().hex}"
    script = (
        "import numpy as np\n"
        "from deepcareer.grading import sandbox\n"
        "from deepcareer.grading._child import pack_value\n"
        "arrays = []\n"
        "calls = [{'fn': 'f', 'args': [pack_value(np.ones(1), arrays)], 'kwargs': {}}]\n"
        f"src = 'import time\\ndef f(x):\\n    time.sleep(300)  # {marker}\\n'\n"
        "run = sandbox.start(src, 'l.py', calls, arrays)\n"
        "print(run.pid, flush=True)\n"
        "run.wait()\n"
    )
    grader = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
    assert grader.stdout is not None
    child_pid = int(grader.stdout.readline())
    time.sleep(0.5)
    grader.send_signal(signal.SIGKILL)
    grader.wait()
    deadline = time.monotonic() + 3.0
    while Path(f"/proc/{child_pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not Path(f"/proc/{child_pid}").exists()


def test_writing_cannot_fill_the_hosts_disk_or_memory() -> None:
    """The working folder and /tmp are private tmpfs mounts of a fixed size."""
    result = attack('''
written = {}
for folder in (".", "/tmp"):
    total = 0
    try:
        for i in range(64):
            with open("%s/fill-%d" % (folder, i), "wb") as fh:
                for _ in range(16):
                    fh.write(b"\\0" * (1 << 20))
                    total += 1
    except OSError:
        pass
    written[folder] = total
return repr(written)
''')
    written = eval(str(found(result)))
    assert written["."] <= sandbox.SCRATCH_MB and written["/tmp"] <= isolation.TMP_MB

"""The operating-system wall around learner code: bubblewrap, or the guard alone.

An audit hook inside the child is not a security boundary: code that runs in the
same interpreter can reach the hook's state, call the C layer directly or read any
file the process can. So every run of learner code (exercise checks, warm or cold,
reviews, the notebook, the web app, project runs) starts under ``bwrap`` with

- new user, PID, network, IPC, UTS and cgroup namespaces, no capabilities and no
  further user namespaces: no network, no view of host processes (a fresh ``/proc``
  shows only the run's own), no signals to anything outside;
- a root made of read-only binds of exactly the Python runtime, the folders on
  ``sys.path`` and the system libraries under ``/usr``, and the few sandbox scripts
  the child runs. The course content (references, checks), the learner's home, the
  repository and everyone else's files are simply not there; where one of them lies
  inside a bound folder (an installed wheel inside site-packages, say) an empty
  tmpfs is mounted over it;
- one private writable scratch folder, the run's working directory;
- ``--die-with-parent`` and ``--new-session``; when the run's first process exits or
  is killed, the kernel ends every process of the namespace, however it was started.

The in-process guard (``_child._install_guard``) stays inside as a second layer that
turns forbidden actions into friendly messages. Where bubblewrap cannot run (not
installed, user namespaces disabled, another OS), runs fall back to the guard alone;
the level (:data:`OS` or :data:`GUARD`) is recorded with every attempt and run, so
evidence graded without the wall is labelled wherever it is shown.

``DEEPCAREER_SANDBOX=guard`` forces the fallback (for tests of that path);
``DEEPCAREER_SANDBOX=os`` makes a missing bubblewrap an error instead of a fallback.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Sequence
from pathlib import Path

from deepcareer.errors import GradingError

OS = "os"
GUARD = "guard"
LEVELS = (OS, GUARD)
ENV_VAR = "DEEPCAREER_SANDBOX"
PACKAGE_DIR = Path(__file__).resolve().parent.parent
NOBODY = 65534  # the uid and gid learner code runs as inside the namespace

# What every interpreter needs from the system: libc and friends, the loader's cache.
_SYSTEM_DIRS = ("/usr",)
_MERGED_USR = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
_SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/localtime")

WEAKER_NOTE = ("Isolation is weaker on this machine: {reason} Learner code runs behind the "
               "in-process guard only, and this attempt is recorded as graded without OS "
               "isolation. Install bubblewrap (Debian: apt-get install bubblewrap) for the "
               "full sandbox.")


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


@functools.lru_cache(maxsize=1)
def _runtime_dirs() -> tuple[str, ...]:
    """The folders the child's interpreter reads: its installation and site-packages.

    Only the prefixes and the install scheme's library folders, never the parent's
    other ``sys.path`` entries: those can be the current directory, a test runner's
    root or an editable install's ``src`` folder (the course itself). The child runs
    with ``-I``, so it looks nowhere else.
    """
    paths = sysconfig.get_paths()
    found: list[str] = []
    for entry in (sys.base_prefix, sys.prefix, paths["stdlib"], paths["platstdlib"],
                  paths["purelib"], paths["platlib"]):
        if not entry or not os.path.isdir(entry):
            continue
        real = os.path.realpath(entry)
        if real == "/" or any(_inside(real, d) for d in _SYSTEM_DIRS):
            continue
        found.append(real)
    # Keep the outermost folders only: binding a parent covers its children.
    found.sort(key=len)
    kept: list[str] = []
    for path in found:
        if not any(_inside(path, k) for k in kept):
            kept.append(path)
    return tuple(kept)


TMP_MB = 64  # the private /tmp, in memory


def command(argv: Sequence[str], *, scratch: str, files: Sequence[str] = (),
            hide: Sequence[str] = (), scratch_mb: int | None = None) -> list[str]:
    """``argv`` wrapped in bubblewrap, with ``scratch`` as the only writable folder.

    ``files`` are extra read-only files bound at their own paths (the sandbox
    scripts). ``hide`` are host paths that must not be readable even if they sit
    inside a bound folder (the package, the learner's home). With ``scratch_mb``
    the scratch folder is a private tmpfs of that size at the same path instead of
    the host folder: a run whose results travel on a pipe (exercise checks) then
    cannot fill the host's disk, and nothing it writes is ever seen by the parent.
    """
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise GradingError("bubblewrap (bwrap) is not installed")
    args = [bwrap, "--unshare-all", "--unshare-user", "--disable-userns",
            "--uid", str(NOBODY), "--gid", str(NOBODY), "--cap-drop", "ALL",
            "--die-with-parent", "--new-session", "--hostname", "sandbox"]
    for d in _SYSTEM_DIRS:
        args += ["--ro-bind", d, d]
    for link in _MERGED_USR:
        if os.path.islink(link):
            args += ["--symlink", os.readlink(link), link]
        elif os.path.isdir(link):
            args += ["--ro-bind", link, link]
    for f in _SYSTEM_FILES:
        args += ["--ro-bind-try", f, f]
    args += ["--proc", "/proc", "--dev", "/dev", "--size", str(TMP_MB << 20), "--tmpfs", "/tmp"]
    bound = list(_runtime_dirs())
    for d in bound:
        args += ["--ro-bind", d, d]
    scratch = os.path.realpath(scratch)
    if scratch_mb is None:
        args += ["--bind", scratch, scratch]
    else:
        args += ["--size", str(scratch_mb << 20), "--tmpfs", scratch]
    mounted = [*_SYSTEM_DIRS, *bound, scratch]
    for path in {os.path.realpath(p) for p in (str(PACKAGE_DIR), *hide) if p}:
        if not any(_inside(path, m) for m in mounted) or _inside(scratch, path):
            continue  # not visible anyway (or it holds the scratch folder itself)
        if os.path.isdir(path):
            args += ["--tmpfs", path]
        elif os.path.exists(path):
            args += ["--ro-bind", "/dev/null", path]
    # The sandbox scripts, last: they may sit inside a folder just hidden by a tmpfs.
    for f in files:
        real = os.path.realpath(f)
        args += ["--ro-bind", real, real]
    args += ["--chdir", scratch, "--"]
    return args + list(argv)


@functools.lru_cache(maxsize=1)
def _probe() -> tuple[str, str]:
    """(level, reason): can bubblewrap start the interpreter here?"""
    wanted = os.environ.get(ENV_VAR, "").strip().lower()
    if wanted == GUARD:
        return GUARD, f"{ENV_VAR}=guard is set."
    if not sys.platform.startswith("linux"):
        reason = "bubblewrap needs Linux."
    elif shutil.which("bwrap") is None:
        reason = "bubblewrap (bwrap) is not installed."
    else:
        import tempfile

        scratch = tempfile.mkdtemp(prefix="deepcareer-probe-")
        try:
            argv = command([sys.executable, "-I", "-S", "-c", "print('ok')"], scratch=scratch)
            done = subprocess.run(argv, capture_output=True, timeout=30, check=False)
            if done.returncode == 0 and done.stdout.strip() == b"ok":
                return OS, ""
            said = done.stderr.decode(errors="replace").strip().splitlines()
            reason = f"bubblewrap could not start ({said[-1] if said else 'no reason given'})."
        except (OSError, subprocess.SubprocessError, GradingError) as exc:
            reason = f"bubblewrap could not start ({exc})."
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    if wanted == OS:
        raise GradingError(f"{ENV_VAR}=os is set, but {reason}")
    return GUARD, reason


def level() -> str:
    """:data:`OS` where bubblewrap works here, else :data:`GUARD` (probed once)."""
    return _probe()[0]


def weaker_note() -> str:
    """The one line shown when runs fall back to the guard ("" when they do not)."""
    found, reason = _probe()
    return WEAKER_NOTE.format(reason=reason) if found == GUARD else ""


def reset() -> None:
    """Forget the probe (tests switch levels with the environment variable)."""
    _probe.cache_clear()
    _runtime_dirs.cache_clear()


def exposes(paths: Sequence[str]) -> bool:
    """Would any of ``paths`` be readable inside a sandbox that hides only the package?"""
    if level() != OS:
        return False
    mounted = [*_SYSTEM_DIRS, *_runtime_dirs()]
    return any(any(_inside(os.path.realpath(p), m) for m in mounted) for p in paths
               if p and not _inside(os.path.realpath(p), str(PACKAGE_DIR)))


def wrap(argv: Sequence[str], *, scratch: str, files: Sequence[str] = (),
         hide: Sequence[str] = (), scratch_mb: int | None = None) -> tuple[list[str], str]:
    """``(argv to run, level)``: under bubblewrap where it works, else unchanged."""
    if level() == OS:
        return command(argv, scratch=scratch, files=files, hide=hide,
                       scratch_mb=scratch_mb), OS
    return list(argv), GUARD


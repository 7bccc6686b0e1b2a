"""Shared timing helper for the benchmarks: run a command, fail loudly, return seconds."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path


def time_command(cmd: list[str], cwd: Path, expect: int = 0) -> float:
    """Wall time of one run of ``cmd``; exits with its output if the exit code is wrong."""
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != expect:
        sys.exit(f"{' '.join(cmd)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return elapsed


def precompile() -> None:
    """Byte-compile the package, as a non-editable install does, so timed commands read
    cached bytecode even where PYTHONDONTWRITEBYTECODE stops Python from writing it."""
    import compileall

    import deepcareer

    compileall.compile_dir(str(Path(deepcareer.__file__).parent), quiet=1)

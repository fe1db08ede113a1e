"""The kernel launcher that student code runs under: nbgrader starts this instead of a plain
ipykernel, and it sets limits before it becomes the kernel.

- memory: an address-space cap, so a memory bomb gets a MemoryError (or the kernel dies) instead
  of taking the machine down;
- time: CPU seconds for the whole notebook, and a watchdog that kills the kernel when the notebook
  runs longer than its wall-clock limit (nbgrader only limits single cells);
- files: a cap on the size of any file the kernel writes;
- environment: nothing of the grader's own (NBGRADER_*) or of the instructor's session leaks in.

Usage (from a kernelspec): python -m grader.sandbox --memory-mb 2048 --cpu-s 120 --wall-s 300 -f {connection_file}
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

KERNEL_NAME = "cx-sandbox"


def kernelspec(folder: Path, memory_mb: int, cpu_s: int, wall_s: int) -> Path:
    """Write a kernelspec for the sandboxed kernel under `folder/kernels/`; put `folder` on JUPYTER_PATH."""
    spec_dir = folder / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [
            sys.executable, "-m", "grader.sandbox",
            "--memory-mb", str(memory_mb), "--cpu-s", str(cpu_s), "--wall-s", str(wall_s),
            "-f", "{connection_file}",
        ],
        "display_name": "Python 3 (grading sandbox)",
        "language": "python",
        "metadata": {"debugger": False},
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")
    return folder


def _limit(kind: int, value: int) -> None:
    try:
        resource.setrlimit(kind, (value, value))
    except (ValueError, OSError):
        pass  # a platform without this limit (e.g. RLIMIT_AS on macOS): the others still apply


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _watchdog(kernel_pid: int, wall_s: int, home: Path) -> None:
    """A child process that kills the kernel when the notebook runs over its wall-clock limit,
    and removes the kernel's scratch home once the kernel is gone."""
    if os.fork() != 0:
        return
    os.setsid()
    deadline = time.monotonic() + wall_s
    while _alive(kernel_pid) and time.monotonic() < deadline:
        time.sleep(0.25)
    if _alive(kernel_pid):
        os.kill(kernel_pid, signal.SIGKILL)
    shutil.rmtree(home, ignore_errors=True)
    os._exit(0)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--memory-mb", type=int, default=2048)
    parser.add_argument("--cpu-s", type=int, default=300)
    parser.add_argument("--wall-s", type=int, default=600)
    parser.add_argument("--file-mb", type=int, default=200)
    parser.add_argument("-f", dest="connection_file", required=True)
    args = parser.parse_args(argv)

    home = Path(tempfile.mkdtemp(prefix="cx-kernel-"))

    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("NBGRADER", "JUPYTER_TOKEN", "SSH_", "AWS_", "GIT_"))
    }
    environment.update(
        HOME=str(home),
        IPYTHONDIR=str(home / ".ipython"),
        MPLCONFIGDIR=str(home / ".matplotlib"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        # One BLAS thread per kernel: the grader already runs notebooks side by side.
        OPENBLAS_NUM_THREADS="1",
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        PYTHONDONTWRITEBYTECODE="1",
        # glibc reserves 64 MB of address space per thread arena: keep the address-space cap
        # about memory actually used.
        MALLOC_ARENA_MAX="2",
    )
    _limit(resource.RLIMIT_AS, args.memory_mb * 1024 * 1024)
    _limit(resource.RLIMIT_CPU, args.cpu_s)
    _limit(resource.RLIMIT_FSIZE, args.file_mb * 1024 * 1024)
    _limit(resource.RLIMIT_CORE, 0)
    _watchdog(os.getpid(), args.wall_s, home)
    # The kernel's own log (not the student's output, which travels over Jupyter's channels) would
    # only clutter the instructor's terminal.
    log = os.open(home / "kernel.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(log, 2)
    os.execve(
        sys.executable,
        [sys.executable, "-m", "ipykernel_launcher", "-f", args.connection_file],
        environment,
    )


if __name__ == "__main__":
    main()

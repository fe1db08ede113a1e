"""The limits student code runs under, and the plain kernel launcher that applies them.

Every kernel that runs a student's notebook gets:
- memory: an address-space cap, so a memory bomb gets a MemoryError (or the kernel dies) instead
  of taking the machine down;
- time: CPU seconds for the whole notebook, and a wall-clock limit for the whole notebook
  (nbgrader itself only limits single cells);
- files: a cap on the size of any file the kernel writes;
- environment: nothing of the grader's own (NBGRADER_*) or of the instructor's secrets leaks in,
  and HOME is a scratch folder of its own.

Two launchers apply them: `python -m grader.sandbox` (this module: a fresh Python per kernel) and
`python -m grader.zygote launch` (a kernel forked from a process that has already imported
ipykernel and pandas; much cheaper per notebook, see grader/zygote.py).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

KERNEL_NAME = "cx-sandbox"
# Tracebacks in the notebook are for nbgrader's records only (feedback shows the error's name and
# message): IPython's default verbose ones cost about 0.1 s of CPU each, and a blank notebook
# raises two per task.
KERNEL_OPTIONS = ("--InteractiveShell.xmode=Minimal",)
SECRET_PREFIXES = ("NBGRADER", "JUPYTER_TOKEN", "SSH_", "AWS_", "GIT_", "GITHUB_", "AZURE_", "GOOGLE_")


@dataclass(frozen=True)
class Limits:
    """What one student's notebook may use. The cell timeout is nbgrader's; the rest the launchers
    apply to the kernel."""

    cell_timeout_s: int = 60
    notebook_timeout_s: int = 300
    memory_mb: int = 1536
    cpu_s: int = 300
    file_mb: int = 200

    def arguments(self) -> list[str]:
        """The kernel's limits as launcher arguments (see limits_parser)."""
        return [
            "--memory-mb",
            str(self.memory_mb),
            "--cpu-s",
            str(self.cpu_s),
            "--wall-s",
            str(self.notebook_timeout_s),
            "--file-mb",
            str(self.file_mb),
        ]


def kernel_environment(base: dict[str, str], home: Path) -> dict[str, str]:
    environment = {key: value for key, value in base.items() if not key.startswith(SECRET_PREFIXES)}
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
    return environment


def _limit(kind: int, value: int) -> None:
    # A platform without this limit (e.g. RLIMIT_AS on macOS) keeps the others.
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(kind, (value, value))


def apply_limits(limits: Limits) -> None:
    _limit(resource.RLIMIT_AS, limits.memory_mb * 1024 * 1024)
    _limit(resource.RLIMIT_CPU, limits.cpu_s)
    _limit(resource.RLIMIT_FSIZE, limits.file_mb * 1024 * 1024)
    _limit(resource.RLIMIT_CORE, 0)


def quiet_stderr(home: Path) -> None:
    """The kernel's own log (not the student's output, which travels over Jupyter's channels)
    would only clutter the instructor's terminal."""
    log = os.open(home / "kernel.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(log, 2)
    os.close(log)


def kernelspec(folder: Path, argv: list[str]) -> Path:
    """Write the `cx-sandbox` kernelspec under `folder/kernels/`; put `folder` on JUPYTER_PATH."""
    spec_dir = folder / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [*argv, "-f", "{connection_file}"],
        "display_name": "Python 3 (grading sandbox)",
        "language": "python",
        "metadata": {"debugger": False},
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")
    return folder


def plain_kernelspec(folder: Path, limits: Limits) -> Path:
    return kernelspec(folder, [sys.executable, "-m", "grader.sandbox", *limits.arguments()])


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


def limits_parser(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    defaults = Limits()
    parser.add_argument("--memory-mb", type=int, default=defaults.memory_mb)
    parser.add_argument("--cpu-s", type=int, default=defaults.cpu_s)
    parser.add_argument("--wall-s", type=int, default=defaults.notebook_timeout_s)
    parser.add_argument("--file-mb", type=int, default=defaults.file_mb)
    return parser


def limits_from(args: argparse.Namespace) -> Limits:
    return Limits(notebook_timeout_s=args.wall_s, memory_mb=args.memory_mb, cpu_s=args.cpu_s, file_mb=args.file_mb)


def main(argv: list[str] | None = None) -> None:
    parser = limits_parser("Start an IPython kernel under the grader's limits.")
    parser.add_argument("-f", dest="connection_file", required=True)
    args = parser.parse_args(argv)
    limits = limits_from(args)
    home = Path(tempfile.mkdtemp(prefix="cx-kernel-"))
    environment = kernel_environment(dict(os.environ), home)
    apply_limits(limits)
    _watchdog(os.getpid(), limits.notebook_timeout_s, home)
    quiet_stderr(home)
    os.execve(
        sys.executable,
        [sys.executable, "-m", "ipykernel_launcher", "-f", args.connection_file, *KERNEL_OPTIONS],
        environment,
    )


if __name__ == "__main__":
    main()

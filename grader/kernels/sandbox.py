"""The limits and environment student code runs under, and the kernelspecs that start kernels.

Every kernel that runs a student's notebook gets:
- memory: an address-space cap, so a memory bomb gets a MemoryError (or the kernel dies) instead
  of taking the machine down;
- time: CPU seconds and a wall-clock limit for the whole notebook (nbgrader itself only limits
  single cells);
- files: a cap on the size of any file the kernel writes, and a private /tmp of that size;
- processes: a cap on processes and threads (isolated kernels run as a user of their own, so
  the cap counts theirs alone);
- environment: an allow-list (locale, PATH), never the grader's own variables or secrets, and a
  HOME of its own.

Kernels are forked from a warm process (grader/kernels/zygote.py) and, unless the instructor chose
`--no-isolation`, confined in namespaces of their own (grader/kernels/isolation.py).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import sys
from dataclasses import dataclass
from pathlib import Path

STUDENT_KERNEL = "cx-student"
"""Runs a student's cells (phase 1: the student run)."""
CHECK_KERNEL = "cx-check"
"""Runs the checks on a student's saved answers (phase 2: nbgrader's grading); never runs student code."""
ROLES = {STUDENT_KERNEL: "student", CHECK_KERNEL: "check"}
# Tracebacks in the notebook are for the grader's records only (feedback shows a message by key,
# or the error's name): IPython's default verbose ones cost about 0.1 s of CPU each. Nobody reads
# a grading kernel's history: no SQLite file per kernel.
KERNEL_OPTIONS = ("--InteractiveShell.xmode=Minimal", "--HistoryManager.enabled=False")
# What a kernel keeps of the grader's environment: nothing that could hold a secret.
ALLOWED_ENVIRONMENT = ("LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "LC_NUMERIC", "LC_TIME", "TZ")
CHECK_MODE_VARIABLE = "CX_CHECK_STRUCTURED"
"""Set in check kernels: a failed check raises its message key and values as JSON
(solutions/_common/cxcheck.py, worded by grader.messages.check_message)."""


@dataclass(frozen=True)
class Limits:
    """What one student's notebook may use. The cell timeout is the grader's; the rest the
    zygote applies to the kernel. `cpu_s` of 0 follows the notebook's wall-clock limit."""

    cell_timeout_s: int = 60
    notebook_timeout_s: int = 300
    memory_mb: int = 1536
    cpu_s: int = 0
    file_mb: int = 200
    processes: int = 64

    @property
    def cpu_seconds(self) -> int:
        return self.cpu_s or self.notebook_timeout_s

    def arguments(self) -> list[str]:
        """The kernel's limits as zygote arguments (see limits_parser)."""
        return [
            "--memory-mb",
            str(self.memory_mb),
            "--cpu-s",
            str(self.cpu_seconds),
            "--wall-s",
            str(self.notebook_timeout_s),
            "--file-mb",
            str(self.file_mb),
            "--processes",
            str(self.processes),
        ]


def limits_parser(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    defaults = Limits()
    parser.add_argument("--memory-mb", type=int, default=defaults.memory_mb)
    parser.add_argument("--cpu-s", type=int, default=defaults.cpu_seconds)
    parser.add_argument("--wall-s", type=int, default=defaults.notebook_timeout_s)
    parser.add_argument("--file-mb", type=int, default=defaults.file_mb)
    parser.add_argument("--processes", type=int, default=defaults.processes)
    return parser


def limits_from(args: argparse.Namespace) -> Limits:
    return Limits(
        notebook_timeout_s=args.wall_s,
        memory_mb=args.memory_mb,
        cpu_s=args.cpu_s,
        file_mb=args.file_mb,
        processes=args.processes,
    )


def base_environment(source: dict[str, str] | None = None) -> dict[str, str]:
    """The variables every kernel (and the zygote) starts from."""
    variables = dict(os.environ) if source is None else source
    environment = {key: variables[key] for key in ALLOWED_ENVIRONMENT if key in variables}
    environment.setdefault("LANG", "C.UTF-8")
    environment.update(
        PATH=os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]),
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


def kernel_environment(base: dict[str, str], home: Path, role: str) -> dict[str, str]:
    environment = dict(base)
    environment.update(
        HOME=str(home),
        IPYTHONDIR=str(home / ".ipython"),
        MPLCONFIGDIR=str(home / ".matplotlib"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTER_DATA_DIR=str(home / "data"),
        JUPYTER_CONFIG_DIR=str(home / "config"),
    )
    if role == "check":
        environment[CHECK_MODE_VARIABLE] = "1"
    return environment


def _limit(kind: int, value: int) -> None:
    # A platform without this limit (e.g. RLIMIT_AS on macOS) keeps the others.
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(kind, (value, value))


def apply_limits(limits: Limits, own_user: bool) -> None:
    """Resource limits for the calling process and what it starts. The process cap only means
    something for a user of its own (root is exempt, and a shared user would share the cap)."""
    _limit(resource.RLIMIT_AS, limits.memory_mb * 1024 * 1024)
    _limit(resource.RLIMIT_CPU, limits.cpu_seconds)
    _limit(resource.RLIMIT_FSIZE, limits.file_mb * 1024 * 1024)
    _limit(resource.RLIMIT_CORE, 0)
    if own_user:
        _limit(resource.RLIMIT_NPROC, limits.processes)


def write_kernelspecs(folder: Path, socket_path: str) -> Path:
    """Write the two kernelspecs (student, check) under `folder/kernels/`; put `folder` on
    JUPYTER_PATH. Both start `grader/kernels/launcher.py`, a standard-library script that asks the zygote
    for a kernel (so a kernel start costs a small Python, not ipykernel and pandas)."""
    launcher = Path(__file__).resolve().parent / "launcher.py"
    for name, role in ROLES.items():
        spec_dir = folder / "kernels" / name
        spec_dir.mkdir(parents=True, exist_ok=True)
        spec = {
            "argv": [sys.executable, "-I", "-S", str(launcher), socket_path, role, "{connection_file}"],
            "display_name": f"Python 3 (grading, {role})",
            "language": "python",
            # An interrupt travels as a message: the kernel is in namespaces where the launcher's
            # signals cannot reach it.
            "interrupt_mode": "message",
            "metadata": {"debugger": False},
        }
        (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")
    return folder

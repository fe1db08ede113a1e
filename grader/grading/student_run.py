"""The student run: a submission's cells in an isolated kernel, only to produce its answers.

The kernel runs the notebook made by `assemble.student_run` (the release's cells restored, the
visible tests only, each checkpoint saving what it reads) in the job's `run/` folder, which holds a
copy of the released files and nothing else. What comes back is data about the run, never a
score: the errors of the solution cells (for the student's feedback), whether each task's visible
tests passed here (compared later with the check run's), and the saved answers, which the grader
reads from the folder with care (the folder is the student's: no links followed, sizes capped).
Outputs are dropped as they arrive: only errors are kept, and only their name and the start of
their text.
"""

from __future__ import annotations

import os
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

from grader.grading.answers import ANSWERS_FOLDER, MAX_FILE_BYTES
from grader.grading.assemble import SOLUTION, STUDENT, StudentRun, is_test
from grader.kernels.kernel_client import CLIENT_CLASS
from grader.kernels.sandbox import STUDENT_KERNEL, Limits
from grader.messages import bounded

TIMEOUTS = {"CellTimeoutError", "KeyboardInterrupt", "TimeoutError"}
"""Errors of a cell stopped at its time limit (the kernel is interrupted: KeyboardInterrupt)."""


class _ErrorsOnly(NotebookClient):
    """Keeps each cell's first error and nothing else of what the kernel sends."""

    def output(self, outs: list, msg: dict, display_id: str | None, cell_index: int) -> nbformat.NotebookNode | None:
        if msg["msg_type"] != "error" or any(o.get("output_type") == "error" for o in outs):
            return None
        content = msg.get("content", {})
        error = nbformat.v4.new_output(
            "error",
            ename=bounded(content.get("ename", ""), 80),
            evalue=bounded(content.get("evalue", "")),
            traceback=[],
        )
        outs.append(error)
        return error


@dataclass
class StudentRunResult:
    solution_errors: dict[str, tuple[str, str]] = field(default_factory=dict)
    """The first error of each solution cell, by grade id: (name, start of the message)."""
    visible: dict[str, bool] = field(default_factory=dict)
    """Whether each test cell's visible checks passed in the student's kernel, by grade id."""
    died: str = ""
    """Why the run stopped before its end (the kernel died, the notebook's time ran out)."""
    stopped: dict[str, list[str]] = field(default_factory=dict)
    """Cells of the student's own (not a task's solution cell) stopped at the cell time limit, by
    the grade id of the test cell that follows them: the start of each cell's code."""


def run_student(run: StudentRun, folder: Path, limits: Limits) -> StudentRunResult:
    """Run `run.notebook` in a student kernel whose folder is `folder`."""
    notebook = nbformat.from_dict(run.notebook)
    manager = AsyncKernelManager(
        client_class=CLIENT_CLASS,
        kernel_name=STUDENT_KERNEL,
        transport="ipc",
        ip=str(folder / ".k"),
        connection_file=str(folder.parent / "student-kernel.json"),
    )
    client = _ErrorsOnly(
        notebook,
        km=manager,
        timeout=limits.cell_timeout_s,
        startup_timeout=60,
        interrupt_on_timeout=True,
        allow_errors=True,
        record_timing=False,
        shutdown_kernel="immediate",
        raise_on_iopub_timeout=False,
        resources={"metadata": {"path": str(folder)}},
    )
    result = StudentRunResult()
    started = time.monotonic()
    try:
        # nbclient leaves running a kernel whose manager it was given (ours, for the IPC sockets):
        # without cleanup_kc, every student kernel idled until its zygote's wall-clock limit.
        client.execute(cleanup_kc=True)
    except DeadKernelError:
        if time.monotonic() - started >= limits.notebook_timeout_s - 1:
            result.died = f"the notebook ran longer than its time limit ({limits.notebook_timeout_s} s)"
        else:
            result.died = f"the kernel died: the notebook crashed Python or ran out of memory ({limits.memory_mb} MB)"
    stopped: list[str] = []
    for cell, role in zip(notebook.cells, run.roles, strict=True):
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if role.role == SOLUTION and errors and role.grade_id:
            result.solution_errors[role.grade_id] = (errors[0]["ename"], errors[0]["evalue"])
        elif role.role == STUDENT and errors and errors[0]["ename"] in TIMEOUTS:
            stopped.append(bounded(" ".join(str(cell.get("source", "")).split()), 60))
        elif role.grade_id and is_test(cell) and cell.get("execution_count") is not None:
            result.visible[role.grade_id] = not errors
        if stopped and role.grade_id and is_test(cell):
            result.stopped[role.grade_id], stopped = stopped, []
    return result


def read_answers(folder: Path) -> dict[str, bytes]:
    """The saved answers in a student run's folder, by checkpoint: regular files only (no link is
    followed), each at most MAX_FILE_BYTES; anything else is left behind."""
    answers: dict[str, bytes] = {}
    try:
        directory = os.open(folder / ANSWERS_FOLDER, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return answers
    try:
        for name in os.listdir(directory):
            if not name.endswith(".json") or len(name) > 120:
                continue
            try:
                fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=directory)
            except OSError:
                continue
            with os.fdopen(fd, "rb") as stream:
                info = os.fstat(stream.fileno())
                if stat.S_ISREG(info.st_mode) and info.st_size <= MAX_FILE_BYTES:
                    answers[name[: -len(".json")]] = stream.read(MAX_FILE_BYTES + 1)[:MAX_FILE_BYTES]
    finally:
        os.close(directory)
    return answers

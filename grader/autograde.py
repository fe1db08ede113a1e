"""Autograde: one function from a submission to a result, and executors that run it side by side.

`grade_submission(job)` is self-contained (paths and settings in, a `Result` out, nothing shared
with other submissions), so any executor can run it: `LocalExecutor` runs it in local processes;
another executor could send jobs to other machines without changing the pipeline.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from grader.collect import Submission
from grader.exercises import Exercise
from grader.integrity import tampering
from grader.messages import message
from grader.nbgrader_driver import GradedNotebook, Limits, NbgraderError, autograde
from grader.results import FAILED, GRADED, Result, TaskResult
from grader.sandbox import KERNEL_NAME, plain_kernelspec
from grader.zygote import Zygote


@dataclass(frozen=True)
class GradingJob:
    submission: Submission
    exercise: Exercise
    template: Path
    """The nbgrader course built for the submission's language (nbgrader_driver.build_template)."""
    scratch: Path
    limits: Limits
    release: str
    max_score: float
    kernels: Path | None
    """A folder with the sandbox kernelspec (added to JUPYTER_PATH); None runs a plain kernel."""


def _task_number(grade_id: str) -> str:
    match = re.search(r"(\d+)", grade_id)
    return match.group(1) if match else grade_id


def task_message(graded: GradedNotebook, grade_id: str, lang: str, limits: Limits) -> str:
    """What the student should look at for one task; empty when it earned all its points."""
    cell = next(c for c in graded.cells if c.grade_id == grade_id)
    if cell.score >= cell.max_score:
        return ""
    solution = grade_id.removesuffix("_tests")
    code_error = graded.errors.get(solution) if solution != grade_id else None
    if code_error:
        ename, evalue = code_error
        if ename in {"CellTimeoutError", "KeyboardInterrupt", "TimeoutError"}:
            return message(lang, "timeout", seconds=limits.cell_timeout_s)
        if ename == "MemoryError":
            return message(lang, "memory")
        if ename == "SystemExit":
            return message(lang, "exit")
        if ename == "NotImplementedError":
            return message(lang, "not_implemented")
        return message(lang, "code_error", error=f"{ename}: {evalue}".rstrip(": "))
    if cell.error is None:
        return message(lang, "check_failed")
    ename, evalue = cell.error
    if ename == "AssertionError":
        return evalue.strip() or message(lang, "check_failed")
    if ename == "NameError":
        name = re.search(r"name '([^']+)'", evalue)
        return message(lang, "not_done", name=name.group(1) if name else evalue)
    if ename in {"CellTimeoutError", "KeyboardInterrupt"}:
        return message(lang, "timeout", seconds=limits.cell_timeout_s)
    return message(lang, "check_error", error=f"{ename}: {evalue}".rstrip(": "))


def _precheck(path: Path) -> str | None:
    """Why a file cannot be a notebook at all, before any kernel starts. (A full schema check is
    left to nbgrader, which reads the notebook anyway: doing it twice costs a tenth of a second.)"""
    data = path.read_bytes()
    if not data.strip():
        return "empty file"
    try:
        content = json.loads(data)
    except UnicodeDecodeError:
        return "not a text file (not a notebook)"
    except ValueError as error:
        return f"not valid JSON ({error})"
    if not isinstance(content, dict) or not isinstance(content.get("cells"), list):
        return "not a notebook (no list of cells)"
    if not isinstance(content.get("nbformat"), int) or content["nbformat"] < 4:
        return "an old or unknown notebook format: save it again with a current Jupyter"
    return None


def _failure_reason(log: str, limits: Limits) -> str:
    if "DeadKernelError" in log or "Kernel died" in log:
        return (
            f"the kernel died: the notebook crashed Python, ran out of memory ({limits.memory_mb} MB) "
            f"or ran longer than {limits.notebook_timeout_s} s"
        )
    if "TimeoutError" in log or "Timeout waiting" in log:
        return "the kernel did not answer in time"
    last = [line.strip() for line in log.strip().splitlines() if line.strip()]
    return f"nbgrader could not grade it ({last[-1][:300] if last else 'no log'})"


def grade_submission(job: GradingJob) -> Result:
    """Grade one submission with nbgrader in its own scratch course; never raises for bad input."""
    started = time.monotonic()
    submission = job.submission
    result = Result(
        student_id=submission.student_id,
        exercise=job.exercise.id,
        language=submission.language,
        score=0.0,
        max_score=job.max_score,
        status=FAILED,
        source=submission.source,
        sha256=submission.sha256,
        release=job.release,
        notes=list(submission.notes),
    )
    problem = _precheck(submission.path)
    if problem:
        result.message = problem
    else:
        if job.kernels:
            os.environ["JUPYTER_PATH"] = str(job.kernels)
        try:
            graded = autograde(
                job.template,
                job.exercise,
                submission.language,
                submission.path,
                submission.student_id,
                job.scratch,
                job.limits,
                kernel=KERNEL_NAME if job.kernels else None,
            )
            result.status = GRADED
            changed = tampering(submission.path)
            if changed:
                result.notes.append(f"review by hand: the student's code changes the checks ({', '.join(changed)})")
            result.score = graded.score
            result.max_score = graded.max_score
            result.tasks = [
                TaskResult(
                    task=_task_number(cell.grade_id),
                    points=cell.score,
                    max_points=cell.max_score,
                    message=task_message(graded, cell.grade_id, submission.language, job.limits),
                )
                for cell in graded.cells
            ]
        except NbgraderError as error:
            result.message = _failure_reason(str(error), job.limits)
        except Exception as error:  # one broken submission must never stop the batch
            result.message = f"the grader failed on this submission: {type(error).__name__}: {error}"
        finally:
            shutil.rmtree(job.scratch, ignore_errors=True)
    result.duration_s = round(time.monotonic() - started, 2)
    return result


def default_workers() -> int:
    """Twice the cores: a notebook spends much of its grading time waiting for its kernel
    (start-up, messages), so one notebook per core leaves the cores idle that long. Measured on
    2 cores (benchmarks/grading.py, 60 notebooks): 2 workers 2.5x serial nbgrader, 4 workers 3.4x."""
    return 2 * (os.cpu_count() or 1)


class LocalExecutor:
    """Runs grading jobs in local worker processes; a crashed worker fails only its own job."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = max(1, workers or default_workers())

    def map(self, function: Callable[[GradingJob], Result], jobs: Iterable[GradingJob]) -> Iterator[Result]:
        pending = list(jobs)
        while pending:
            with ProcessPoolExecutor(max_workers=min(self.workers, len(pending))) as pool:
                futures: dict[Future, GradingJob] = {pool.submit(function, job): job for job in pending}
                pending = []
                broken = False
                for future in as_completed(futures):
                    job = futures[future]
                    try:
                        yield future.result()
                    except BrokenProcessPool:
                        # The pool is gone: the job that broke it fails, the others are retried.
                        if not broken:
                            broken = True
                            yield _worker_crash(job)
                        else:
                            pending.append(job)
                    except Exception as error:
                        yield _worker_crash(job, error)


def _worker_crash(job: GradingJob, error: Exception | None = None) -> Result:
    detail = f": {type(error).__name__}: {error}" if error else ""
    return Result(
        student_id=job.submission.student_id,
        exercise=job.exercise.id,
        language=job.submission.language,
        score=0.0,
        max_score=job.max_score,
        status=FAILED,
        message=f"the grading process crashed on this submission{detail}",
        source=job.submission.source,
        sha256=job.submission.sha256,
        release=job.release,
        notes=list(job.submission.notes),
    )


@contextmanager
def sandbox_kernels(limits: Limits, folder: Path, warm: bool = True) -> Iterator[Path]:
    """A folder holding the sandbox kernelspec (for JUPYTER_PATH) while the block runs: warm
    kernels forked from a zygote where the platform can fork, else a fresh Python per kernel."""
    with ExitStack() as stack:
        zygote = None
        if warm and hasattr(os, "fork"):
            with suppress(OSError, RuntimeError):  # no zygote: plain kernels, slower, same limits
                zygote = stack.enter_context(Zygote(folder, limits))
        yield zygote.kernelspec() if zygote else plain_kernelspec(folder, limits)

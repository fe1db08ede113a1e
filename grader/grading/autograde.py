"""Autograde: one function from a submission to a result, and executors that run it side by side.

`grade_submission(job)` grades one notebook in two runs (see grader/grading/assemble.py): the student run
executes the student's cells in an isolated kernel and saves their answers as data; the check run
is nbgrader's autograde of the release with those answers loaded, in a fresh kernel that never
ran student code. The scores come from the check run only. The student run's own view (did the
visible checks pass there?) is kept: a task that passed there and fails on the saved answers is
marked for the instructor's review, as is code that reaches for the checking machinery
(grader/grading/integrity.py).

The function is self-contained (a job in, a `Result` out, nothing shared with other
submissions), so any executor can run it: `LocalExecutor` runs it in local processes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from jupyter_core.utils import ensure_event_loop

from grader.exercises import Exercise
from grader.grading.assemble import student_run
from grader.grading.integrity import tampering
from grader.grading.nbgrader_driver import GradedNotebook, NbgraderError, check_answers, copy_released_files
from grader.grading.student_run import TIMEOUTS, StudentRunResult, read_answers, run_student
from grader.intake.collect import Submission
from grader.kernels.isolation import die_with_parent
from grader.kernels.sandbox import Limits
from grader.kernels.zygote import answers as zygote_answers
from grader.messages import (
    GRADER_KEY,
    OWN_ERRORS,
    STRUCTURED_PREFIX,
    bounded,
    check_key,
    check_message,
    message,
)
from grader.results import Result, Status, TaskResult


@dataclass(frozen=True)
class Template:
    """What grading needs of one language of an exercise, prepared once per batch."""

    root: Path
    """The nbgrader course built for the language (nbgrader_driver.build_template)."""
    release: dict
    """The student version of the notebook."""
    checkpoints: dict[str, list[str]]
    """The variables each checkpoint reads (assemble.answer_names)."""
    check: dict
    """The check notebook (assemble.check_notebook)."""
    max_score: float


@dataclass(frozen=True)
class GradingJob:
    submission: Submission
    exercise: Exercise
    template: Template
    folder: Path
    """The job's own folder, under the batch's job folders (the only ones kernels can see)."""
    limits: Limits
    release: str
    kernels: Path
    """The folder with the grading kernelspecs (added to JUPYTER_PATH)."""
    zygote: str
    """The socket of the zygote that serves the batch's kernels."""
    isolated: bool = True
    setup: str = ""
    """pipeline.grading_setup: the limits and versions the result depends on."""


def _task_number(grade_id: str) -> str:
    match = re.search(r"(\d+)", grade_id)
    return match.group(1) if match else grade_id


GRADER_STOPPED = (
    "the grader's warm-kernel process stopped while grading this notebook (not the notebook's fault): "
    "it is graded again on the next run"
)


def task_feedback(
    exercise: Exercise,
    lang: str,
    points: float,
    maximum: float,
    solution_error: tuple[str, str] | None,
    check_error: tuple[str, str] | None,
    limits: Limits,
) -> tuple[str, str]:
    """What the student should look at for one task, and which message that is (the key the report
    counts mistakes by: a catalogue key, or `grader:<name>` for the grader's own words); both empty
    when the task earned all its points. Only words of the grader's and of the exercise's
    catalogues, and never more than a bounded piece of anything student code could have chosen."""

    def own(which: str, **values: object) -> tuple[str, str]:
        return message(lang, which, **values), GRADER_KEY + which

    if points >= maximum:
        return "", ""
    if solution_error:
        ename, evalue = solution_error
        if ename in TIMEOUTS:
            return own("timeout", seconds=limits.cell_timeout_s)
        if ename in OWN_ERRORS:
            return own(OWN_ERRORS[ename])
        return own("code_error", error=bounded(f"{ename}: {evalue}".rstrip(": ")))
    if check_error is None:
        return own("check_failed")
    ename, evalue = check_error
    if ename == "AssertionError":
        if key := check_key(exercise, lang, evalue):
            return check_message(exercise, lang, evalue) or message(lang, "check_failed"), key
        if evalue.strip() and not evalue.startswith(STRUCTURED_PREFIX):
            # A plain `assert` with a message of its own: shown cut short, counted as one kind.
            return check_message(exercise, lang, evalue), GRADER_KEY + "assert"
        return own("check_failed")
    if ename == "NameError":
        name = re.search(r"name '([^']+)'", evalue)
        return own("not_done", name=bounded(name.group(1) if name else evalue, 60))
    if ename in TIMEOUTS:
        return own("timeout", seconds=limits.cell_timeout_s)
    return own("check_error", error=bounded(f"{ename}: {evalue}".rstrip(": ")))


def _precheck(data: bytes) -> tuple[dict | None, str | None]:
    """The notebook, or why a file cannot be a notebook at all, before any kernel starts."""
    if not data.strip():
        return None, "empty file"
    try:
        content = json.loads(data)
    except UnicodeDecodeError:
        return None, "not a text file (not a notebook)"
    except (ValueError, RecursionError) as error:
        return None, f"not valid JSON ({bounded(error, 120)})"
    if not isinstance(content, dict) or not isinstance(content.get("cells"), list):
        return None, "not a notebook (no list of cells)"
    if not isinstance(content.get("nbformat"), int) or content["nbformat"] < 4:
        return None, "an old or unknown notebook format: save it again with a current Jupyter"
    return content, None


def _review(student: StudentRunResult, graded: GradedNotebook) -> list[str]:
    """Tasks whose visible checks passed in the student's kernel but fail on the saved answers:
    the code changed what the checks do there, or an answer could not be saved as data."""
    return [
        f"task {_task_number(grade_id)}: its visible checks passed in the student's run but fail on the "
        "saved answers (the code may change the checks, or an answer is not plain data)"
        for grade_id, passed in student.visible.items()
        if passed and graded.visible.get(grade_id) is False
    ]


def check_course_folder(jobs: Path) -> Path:
    return jobs / f"check-{os.getpid()}"


def _prepare_run_folder(job: GradingJob, data: bytes) -> Path:
    folder = job.folder / "run"
    copy_released_files(job.template.root, job.exercise, folder)
    (folder / job.exercise.notebook_name(job.submission.language)).write_bytes(data)
    return folder


def _grade(job: GradingJob, notebook: dict, data: bytes, result: Result) -> None:
    exercise, lang = job.exercise, job.submission.language
    run = student_run(job.template.release, notebook, job.template.checkpoints)
    folder = _prepare_run_folder(job, data)
    student = run_student(run, folder, job.limits)
    if student.died:
        result.message = student.died
        return
    answers = read_answers(folder)
    shutil.rmtree(folder, ignore_errors=True)
    # One scratch course per worker process, at the same path for each of its notebooks: nbgrader's
    # gradebook engine (and its cache of compiled SQL) is then reused (nbgrader_driver._engine).
    course = check_course_folder(job.folder.parent)
    try:
        graded = check_answers(
            job.template.root, exercise, lang, job.template.check, answers, course, job.limits, isolated=job.isolated
        )
    finally:
        shutil.rmtree(course, ignore_errors=True)
    result.status = Status.GRADED
    result.score, result.max_score = graded.score, graded.max_score
    result.tasks = []
    for cell in graded.cells:
        solution_error = student.solution_errors.get(cell.grade_id.removesuffix("_tests"))
        text, key = task_feedback(exercise, lang, cell.score, cell.max_score, solution_error, cell.error, job.limits)
        result.tasks.append(TaskResult(_task_number(cell.grade_id), cell.score, cell.max_score, text, key))
    for task, cell in zip(result.tasks, graded.cells, strict=True):
        if stopped := student.stopped.get(cell.grade_id):
            notice = message(lang, "stopped_cell", seconds=job.limits.cell_timeout_s, start=stopped[0])
            task.message = f"{task.message} {notice}".strip()
    result.review += _review(student, graded)
    changed = tampering(run.student_code)
    if changed:
        result.review.append(f"the student's code reaches for the checking machinery ({', '.join(changed)})")


def _failed(job: GradingJob, message: str = "") -> Result:
    """A result with no points, as every grading starts and a crash ends."""
    return Result(
        student_id=job.submission.student_id,
        exercise=job.exercise.id,
        language=job.submission.language,
        score=0.0,
        max_score=job.template.max_score,
        status=Status.FAILED,
        message=message,
        source=job.submission.source,
        sha256=job.submission.sha256,
        release=job.release,
        notes=list(job.submission.notes),
        isolated=job.isolated,
        raw_id=job.submission.raw_id,
        setup=job.setup,
    )


def _zygote_stopped(socket_path: str, grace_s: float = 1.0) -> bool:
    """Whether the zygote stopped. A kernel can die with its zygote a moment before the zygote's
    socket closes, so a failure is only charged to the notebook if the zygote keeps answering."""
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline:
        if not zygote_answers(socket_path):
            return True
        time.sleep(0.1)
    return False


def grade_submission(job: GradingJob) -> Result:
    """Grade one submission; never raises for bad input."""
    started = time.monotonic()
    result = _failed(job)
    data = job.submission.path.read_bytes()
    notebook, problem = _precheck(data)
    if problem or notebook is None:
        result.message = problem or "not a notebook"
    else:
        os.environ["JUPYTER_PATH"] = str(job.kernels)
        try:
            _grade(job, notebook, data, result)
        except NbgraderError as error:
            last = (str(error).strip().splitlines() or ["no log"])[-1]
            result = _failed(job, f"nbgrader could not run the checks on the saved answers ({bounded(last)})")
        except Exception as error:  # one broken submission must never stop the batch
            result = _failed(job, f"the grader failed on this submission: {type(error).__name__}: {bounded(error)}")
        finally:
            shutil.rmtree(job.folder, ignore_errors=True)
        if result.status == Status.FAILED and _zygote_stopped(job.zygote):
            result.message = GRADER_STOPPED  # whatever the kernel did, it died with the zygote
    result.duration_s = round(time.monotonic() - started, 2)
    return result


def default_workers() -> int:
    """Twice the cores: a notebook spends part of its grading time waiting for its kernels
    (start-up, messages), so one notebook per core leaves the cores idle that long. Measured on
    2 cores (benchmarks/grading.py, 60 notebooks): 4 workers 3.2-3.3x serial nbgrader; 3 and 6
    workers were no faster."""
    return 2 * (os.cpu_count() or 1)


def _start_worker() -> None:
    """In each new worker process. A fork copies the parent's asyncio loop (jupyter_core keeps one
    per thread), and with it the parent's epoll instance: a worker that used it would miss its
    kernels' messages and spin. Closing the copy makes jupyter_core create the worker's own.
    And a worker dies with the grader, rather than wait for work forever."""
    ensure_event_loop().close()
    if sys.platform.startswith("linux"):
        die_with_parent()


class LocalExecutor:
    """Runs grading jobs in local worker processes. A worker that dies is charged only to the
    notebook that killed it: when a pool breaks, the jobs that had started are graded again one by
    one, each in a pool of its own (the one that breaks its own pool is the culprit), and the jobs
    that had not started go on as usual."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = max(1, workers or default_workers())

    def map(self, function: Callable[[GradingJob], Result], jobs: Iterable[GradingJob]) -> Iterator[Result]:
        queue = list(jobs)
        while queue:
            broken: list[GradingJob] = []
            yield from self._pool(function, queue, self.workers, broken)
            started = [job for job in broken if _started_marker(job).exists()]
            for job in started:
                alone: list[GradingJob] = []
                yield from self._pool(function, [job], 1, alone)
                if alone:
                    yield _worker_crash(job)
            queue = [job for job in broken if job not in started]

    @staticmethod
    def _pool(
        function: Callable[[GradingJob], Result], jobs: list[GradingJob], workers: int, broken: list[GradingJob]
    ) -> Iterator[Result]:
        """Run `jobs` in one pool; the jobs a dying worker took down are put in `broken`."""
        for job in jobs:
            _started_marker(job).unlink(missing_ok=True)
            shutil.rmtree(job.folder, ignore_errors=True)
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), initializer=_start_worker) as pool:
            futures: dict[Future, GradingJob] = {pool.submit(_marked, function, job): job for job in jobs}
            for future in as_completed(futures):
                job = futures[future]
                try:
                    yield future.result()
                except BrokenProcessPool:
                    broken.append(job)
                except Exception as error:
                    yield _worker_crash(job, error)


def _started_marker(job: GradingJob) -> Path:
    return job.folder.with_name(f"{job.folder.name}.started")


def _marked(function: Callable[[GradingJob], Result], job: GradingJob) -> Result:
    """Run `function` on `job`, leaving a mark that it started as long as it runs."""
    marker = _started_marker(job)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.touch()
    try:
        return function(job)
    finally:
        marker.unlink(missing_ok=True)


def _worker_crash(job: GradingJob, error: Exception | None = None) -> Result:
    detail = f": {type(error).__name__}: {bounded(error)}" if error else ""
    return _failed(job, f"the grading process crashed on this submission{detail}")

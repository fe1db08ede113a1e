"""The grading pipeline, one step after the other: collect → autograde → feedback → export → report.

Output folder layout (DIR), safe to share with assistants (no solution, no hidden test):
    submissions/<student_id>.ipynb   the collected notebooks
    results/<student_id>.json        one result each (grader.results)
    feedback/<student_id>.html       for the students, in their language
    grades.csv, moodle-grades.csv, canvas-grades.csv
    report.html                      for the instructor
    tasks.csv, similar.csv           the report's figures per task, and the pairs of similar code

nbgrader's templates (which hold the solutions) and the job folders live in a work folder of the
batch's own in the system's temporary folder, removed at the end.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import nbformat

from grader.exercises import SOLUTIONS, Exercise, load_exercise
from grader.grading.assemble import answer_names, check_notebook
from grader.grading.autograde import (
    GRADER_STOPPED,
    GradingJob,
    LocalExecutor,
    Template,
    check_course_folder,
    grade_submission,
)
from grader.grading.nbgrader_driver import DEFAULT_LIMITS, Limits, build_template, locked_sources
from grader.intake.collect import Collected, Submission, UnusableInput, collect
from grader.kernels.isolation import IsolationUnavailable, require_isolation
from grader.kernels.zygote import Zygote
from grader.outputs.export import export_all
from grader.outputs.feedback import write_feedback
from grader.outputs.gradebook import open_gradebook, safe_url, write_gradebook
from grader.outputs.report import BatchInfo, write_report
from grader.outputs.statistics import Cohort, read_cohort
from grader.results import Result, Status, read_result, write_result

# Unix socket paths are limited to 107 bytes; a kernel's sockets sit in its job folder.
SOCKET_PATH_LIMIT = 100


@dataclass
class Batch:
    results: list[Result]
    info: BatchInfo
    out: Path
    outputs: list[Path] = field(default_factory=list)

    @property
    def all_graded(self) -> bool:
        return (
            bool(self.results) and all(r.status == "graded" for r in self.results) and not self.info.rejected_unassigned
        )


def prepare_templates(exercise: Exercise, languages: set[str], work: Path) -> dict[str, Template]:
    """One nbgrader course per language needed (built side by side), with what grading derives
    from it."""
    langs = sorted(languages)
    roots = [work / "templates" / lang for lang in langs]
    # Side by side only in forked processes: a fresh interpreter (a Dask worker starts processes
    # so) would import nbgrader again, seconds of CPU, more than building the templates in turn.
    if len(langs) == 1 or multiprocessing.get_start_method() != "fork":
        released_notebooks = [build_template(exercise, lang, root) for lang, root in zip(langs, roots, strict=True)]
    else:
        with ProcessPoolExecutor(max_workers=min(len(langs), os.cpu_count() or 1)) as pool:
            released_notebooks = list(pool.map(build_template, [exercise] * len(langs), langs, roots))
    templates = {}
    for lang, root, released in zip(langs, roots, released_notebooks, strict=True):
        release = nbformat.read(released, as_version=4)  # sources as text, as nbclient expects
        checkpoints = answer_names(json.loads(exercise.notebook(lang).read_text(encoding="utf-8")))
        check = check_notebook(release, checkpoints, locked_sources(root, exercise, lang))
        templates[lang] = Template(root, release, checkpoints, check, exercise.max_score(lang))
    return templates


def grading_setup(limits: Limits, isolate: bool) -> str:
    """A fingerprint of what a score depends on besides the notebook and the release: the limits
    (a notebook that timed out at 60 s may pass at 300 s), isolation, and the versions of the
    grader and of nbgrader."""
    versions = {}
    for package in ("cx-course", "nbgrader", "nbclient", "ipykernel"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "none"
    described = json.dumps({"limits": asdict(limits), "isolated": isolate, "versions": versions}, sort_keys=True)
    return hashlib.sha256(described.encode()).hexdigest()[:16]


def _reusable(path: Path, sha256: str, release: str, setup: str) -> Result | None:
    """A previous result that stands: graded (a failure is tried again), from the same notebook,
    release and setup."""
    if not path.is_file():
        return None
    try:
        previous = read_result(path)
    except (ValueError, TypeError, KeyError):
        return None
    same = (previous.sha256, previous.release, previous.setup) == (sha256, release, setup)
    return previous if same and previous.status == Status.GRADED else None


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, unit="notebook", desc="Grading", disable=not enabled, dynamic_ncols=True)


def _check_socket_room(jobs: Path, exercise: Exercise) -> None:
    longest = check_course_folder(jobs).with_name("check-4194304") / "autograded" / "s" / exercise.id / ".k-99999"
    if len(str(longest)) > SOCKET_PATH_LIMIT:
        raise IsolationUnavailable(
            f"the temporary folder {jobs.parent.parent} has too long a path for the kernels' sockets: "
            "set TMPDIR to a shorter folder, such as /tmp"
        )


@dataclass
class Session:
    """What a batch's jobs share: the templates, the warm kernels, the job folders."""

    exercise: Exercise
    release: str
    """The exercise's fingerprint."""
    templates: dict[str, Template]
    jobs: Path
    warm: Zygote
    limits: Limits
    isolate: bool
    setup: str

    @property
    def zygote(self) -> str:
        return self.warm.socket_path

    def job(self, submission: Submission, number: int) -> GradingJob:
        return GradingJob(
            submission,
            self.exercise,
            self.templates[submission.language],
            self.jobs / str(number),
            self.limits,
            self.release,
            self.warm.folder,
            self.zygote,
            self.isolate,
            self.setup,
        )


WORK_PREFIX = "cx-grade-"


def remove_stale_work_folders(temporary: Path | None = None) -> list[Path]:
    """Remove the work folders that batches killed before their end left behind (they hold
    templates, hence solutions); a folder's `owner` file names the process it belongs to."""
    removed = []
    for folder in Path(temporary or tempfile.gettempdir()).glob(f"{WORK_PREFIX}*"):
        try:
            owner = int((folder / "owner").read_text())
            os.kill(owner, 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
        except (OSError, ValueError):
            continue  # not ours to judge: no owner file yet, or another user's
    return removed


@contextmanager
def grading_session(
    exercise: Exercise, languages: set[str], limits: Limits, isolate: bool, protected: tuple[Path, ...] = ()
) -> Iterator[Session]:
    """A work folder in the system's temporary folder with the templates and the job folders, and
    a zygote serving kernels for it; all removed at the end."""
    remove_stale_work_folders()
    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=WORK_PREFIX)))
        (work / "owner").write_text(str(os.getpid()))
        jobs = work / "jobs"
        _check_socket_room(jobs, exercise)
        hidden = (exercise.source.parent.resolve(), work / "templates", *protected)
        # The zygote warms up (imports, a trial kernel) while nbgrader builds the templates.
        zygote = stack.enter_context(Zygote(work / "zygote", jobs, limits, isolate, hidden).start())
        templates = prepare_templates(exercise, languages, work)
        zygote.wait()
        release = exercise.fingerprint()
        yield Session(exercise, release, templates, jobs, zygote, limits, isolate, grading_setup(limits, isolate))


def autograde_all(
    collected: Collected,
    exercise: Exercise,
    out: Path,
    *,
    workers: int | None = None,
    force: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    isolate: bool = True,
    progress: bool | None = None,
    scheduler: str | None = None,
    cluster: dict[str, int] | None = None,
) -> tuple[list[Result], int, int]:
    """Grade what is new or changed (everything with `force`); returns (results, graded now, reused).
    With `scheduler`, on that Dask cluster (grader/grading/distributed.py), and `cluster` receives the
    address and threads of each worker that graded."""
    results_dir = out / "results"
    release, setup = exercise.fingerprint(), grading_setup(limits, isolate)
    jobs, results = [], []
    for submission in collected.submissions:
        previous = (
            None
            if force
            else _reusable(results_dir / f"{submission.student_id}.json", submission.sha256, release, setup)
        )
        if previous:
            results.append(previous)
        else:
            jobs.append(submission)
    reused = len(results)
    if not jobs:
        return sorted(results, key=lambda r: r.student_id), 0, reused
    show = sys.stderr.isatty() if progress is None else progress
    with ExitStack() as stack:
        if scheduler:
            from grader.grading.distributed import DaskExecutor

            executor = stack.enter_context(DaskExecutor(scheduler))
            graded = executor.grade(jobs, exercise, limits, isolate, setup)
        else:
            session = stack.enter_context(
                grading_session(exercise, {s.language for s in jobs}, limits, isolate, (out.resolve(),))
            )
            graded = grade_jobs(session, [session.job(s, n) for n, s in enumerate(jobs)], LocalExecutor(workers))
        bar = stack.enter_context(_progress(len(jobs), show))
        for result in graded:
            write_result(result, results_dir)
            results.append(result)
            bar.update(1)
        if scheduler and cluster is not None:
            cluster.update(executor.workers_used)
    return sorted(results, key=lambda r: r.student_id), len(jobs), reused


ZYGOTE_RESTARTS = 3
TRIES = 3


def grade_jobs(session: Session, jobs: list[GradingJob], executor: LocalExecutor) -> Iterator[Result]:
    """Grade the jobs; when the warm-kernel process dies, start it again and grade once more the
    notebooks it took down with it (not their fault). After ZYGOTE_RESTARTS restarts, or when it
    cannot start again, they stay failed with a message that does not blame them, and the next run
    grades them."""
    by_student = {job.submission.student_id: job for job in jobs}
    tries = dict.fromkeys(by_student, 1)
    restarts_left = ZYGOTE_RESTARTS
    queue = jobs
    while queue:
        again = []
        for result in executor.map(grade_submission, queue):
            student = result.student_id
            if result.message == GRADER_STOPPED and tries[student] < TRIES:
                if not session.warm.alive():
                    if not restarts_left or not _restart(session.warm):
                        restarts_left = 0
                        yield result
                        continue
                    restarts_left -= 1
                tries[student] += 1
                again.append(by_student[student])
                continue
            yield result
        queue = again


def _restart(zygote: Zygote) -> bool:
    try:
        zygote.restart()
    except (IsolationUnavailable, RuntimeError, OSError):
        return False
    return True


def rejected_results(
    collected: Collected, exercise: Exercise, graded_students: set[str], maximum: float, isolated: bool = True
) -> list[Result]:
    """A result for each student whose every entry was refused (so the LMS export has a row)."""
    by_student: dict[str, list] = {}
    for rejection in collected.rejected:
        if rejection.student_id and rejection.student_id not in graded_students:
            by_student.setdefault(rejection.student_id, []).append(rejection)
    return [
        Result(
            student_id=student,
            exercise=exercise.id,
            language=exercise.languages[0],
            score=0.0,
            max_score=maximum,
            status=Status.REJECTED,
            message="; ".join(f"{r.source}: {r.reason}" for r in rejections),
            source=rejections[0].source,
            isolated=isolated,
            raw_id=rejections[0].raw_id,
        )
        for student, rejections in sorted(by_student.items())
    ]


@dataclass(frozen=True)
class Options:
    """How a batch is graded (the command line's options)."""

    workers: int | None = None
    force: bool = False
    """Grade everything again, even what an earlier run graded."""
    limits: Limits = DEFAULT_LIMITS
    isolate: bool = True
    progress: bool | None = None
    """Show a progress bar (default: when stderr is a terminal)."""
    site_url: str = ""
    """The published course site, for the feedback's links to lessons."""
    previous: Path | None = None
    """An earlier output folder whose per-task figures the report compares with."""
    gradebook: str | None = None
    """An nbgrader course gradebook (SQLAlchemy URL) to write the grades into."""
    scheduler: str | None = None
    """A Dask scheduler (tcp://HOST:8786) whose workers grade the notebooks; None grades here."""


def grade_batch(
    submissions: Path, exercise_id: str, out: Path, *, solutions: Path = SOLUTIONS, **options: Any
) -> Batch:
    """The whole pipeline, with `options` as in `Options`. Raises UnknownExercise or UnusableInput
    for input it cannot use at all, IsolationUnavailable when student code cannot be isolated
    (unless `isolate` is False), and GradebookError when the gradebook cannot be opened."""
    chosen = Options(**options)
    started = time.monotonic()
    exercise = load_exercise(exercise_id, solutions)
    cohort = read_cohort(chosen.previous, exercise.id) if chosen.previous else None
    if chosen.isolate and not chosen.scheduler:
        require_isolation()  # on a cluster, every worker checks its own before the batch starts
    if chosen.gradebook:
        open_gradebook(chosen.gradebook)  # a wrong URL stops the batch before any grading
    out.mkdir(parents=True, exist_ok=True)
    with output_lock(out):
        return _grade_batch(submissions, exercise, out, started, chosen, cohort)


class OutputBusy(UnusableInput):
    """Another cx-grader run is writing to the same output folder."""


@contextmanager
def output_lock(out: Path) -> Iterator[None]:
    """Hold `out/.lock` for the whole batch: two runs on one folder would mix their results and
    exports. The lock goes with the process, so a killed run never leaves the folder locked."""
    path = out / ".lock"
    with path.open("a+") as stream:
        try:
            fcntl.flock(stream, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            stream.seek(0)
            owner = stream.read().strip() or "unknown"
            raise OutputBusy(
                f"{out}: another cx-grader run (process {owner}) is writing to this folder; "
                "wait for it to end or choose another --out"
            ) from None
        stream.seek(0)
        stream.truncate()
        stream.write(str(os.getpid()))
        stream.flush()
        yield


def _grade_batch(
    submissions: Path, exercise: Exercise, out: Path, started: float, options: Options, cohort: Cohort | None
) -> Batch:
    isolate, gradebook = options.isolate, options.gradebook
    # Earlier versions kept nbgrader's templates, with the solutions, in the output folder.
    shutil.rmtree(out / ".work", ignore_errors=True)
    collected = collect(submissions, exercise, out / "submissions")
    cluster: dict[str, int] = {}
    results, graded_now, reused = autograde_all(
        collected,
        exercise,
        out,
        workers=options.workers,
        force=options.force,
        limits=options.limits,
        isolate=isolate,
        progress=options.progress,
        scheduler=options.scheduler,
        cluster=cluster,
    )
    graded_students = {r.student_id for r in results}
    maximum = max((r.max_score for r in results), default=0.0)
    if not maximum and collected.rejected:
        maximum = exercise.max_score(exercise.languages[0])
    results = sorted(
        results + rejected_results(collected, exercise, graded_students, maximum, isolate), key=lambda r: r.student_id
    )
    for rejection in (r for r in collected.rejected if r.student_id in graded_students):
        result = next(r for r in results if r.student_id == rejection.student_id)
        note = f"also received {rejection.source}: {rejection.reason}"
        if note not in result.notes:  # a reused result already carries it
            result.notes.append(note)
    for result in results:
        write_result(result, out / "results")

    names = {s.student_id: s.name for s in collected.submissions if s.name}
    names.update({r.student_id: r.name for r in collected.rejected if r.student_id and r.name})
    outputs = write_feedback(results, out / "feedback", exercise, options.site_url)
    outputs += export_all(results, out, names, exercise.id)
    in_gradebook = 0
    if gradebook:
        submitted = {s.student_id: s.submitted_at for s in collected.submissions}
        in_gradebook = write_gradebook(results, gradebook, exercise, names, submitted)
    info = BatchInfo(
        exercise=exercise.id,
        input=str(submissions),
        format=collected.format,
        duration_s=round(time.monotonic() - started, 1),
        graded_now=graded_now,
        reused=reused,
        workers=sum(cluster.values()) if cluster else LocalExecutor(options.workers).workers,
        workers_used=sorted(cluster),
        isolated=isolate,
        rejected_unassigned=[(r.source, r.reason) for r in collected.rejected if not r.student_id],
        ignored=[(r.source, r.reason) for r in collected.ignored],
        refused=[(r.student_id or "", r.source, r.reason) for r in collected.rejected],
        superseded=[(s.student_id, source) for s in collected.submissions for source in s.superseded],
    )
    outputs += write_report(results, info, out, exercise, cohort)
    (out / "batch.json").write_text(
        json.dumps(
            {
                "exercise": exercise.id,
                "input": str(submissions),
                "duration_s": info.duration_s,
                "graded_now": graded_now,
                "reused": reused,
                "failed": sum(r.status == Status.FAILED for r in results),
                "ignored": [r.source for r in collected.ignored],
                "isolated": isolate,
                "workers_used": sorted(cluster),
                "gradebook": {"url": safe_url(gradebook), "submissions": in_gradebook} if gradebook else None,
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    return Batch(results, info, out, outputs)

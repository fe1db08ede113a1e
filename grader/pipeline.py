"""The grading pipeline, one step after the other: collect → autograde → feedback → export → report.

Output folder layout (DIR), safe to share with assistants (no solution, no hidden test):
    submissions/<student_id>.ipynb   the collected notebooks
    results/<student_id>.json        one result each (grader.results)
    feedback/<student_id>.html       for the students, in their language
    grades.csv, moodle-grades.csv, canvas-grades.csv
    report.html                      for the instructor

nbgrader's templates (which hold the solutions) and the job folders live in a work folder of the
batch's own in the system's temporary folder, removed at the end.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from grader.assemble import answer_names, check_notebook
from grader.autograde import GradingJob, LocalExecutor, Template, check_course_folder, grade_submission
from grader.collect import Collected, Submission, collect
from grader.exercises import SOLUTIONS, Exercise, load_exercise
from grader.export import export_all
from grader.feedback import write_feedback
from grader.isolation import IsolationUnavailable, require_isolation
from grader.nbgrader_driver import DEFAULT_LIMITS, Limits, build_template, locked_sources
from grader.report import BatchInfo, write_report
from grader.results import FAILED, GRADED, REJECTED, Result, read_result, write_result
from grader.zygote import Zygote

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
    if len(langs) == 1:
        released_notebooks = [build_template(exercise, langs[0], roots[0])]
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


def _reusable(path: Path, sha256: str, release: str, isolated: bool) -> Result | None:
    """A previous result that stands: graded (a failure is tried again), from the same notebook,
    release and isolation."""
    if not path.is_file():
        return None
    try:
        previous = read_result(path)
    except (ValueError, TypeError, KeyError):
        return None
    same = (previous.sha256, previous.release, previous.isolated) == (sha256, release, isolated)
    return previous if same and previous.status == GRADED else None


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
    kernels: Path
    zygote: str
    limits: Limits
    isolate: bool

    def job(self, submission: Submission, number: int) -> GradingJob:
        return GradingJob(
            submission,
            self.exercise,
            self.templates[submission.language],
            self.jobs / str(number),
            self.limits,
            self.release,
            self.kernels,
            self.zygote,
            self.isolate,
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
        yield Session(exercise, release, templates, jobs, zygote.folder, zygote.socket_path, limits, isolate)


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
) -> tuple[list[Result], int, int]:
    """Grade what is new or changed (everything with `force`); returns (results, graded now, reused)."""
    results_dir = out / "results"
    release = exercise.fingerprint()
    jobs, results = [], []
    for submission in collected.submissions:
        previous = (
            None
            if force
            else _reusable(results_dir / f"{submission.student_id}.json", submission.sha256, release, isolate)
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
        session = stack.enter_context(
            grading_session(exercise, {s.language for s in jobs}, limits, isolate, (out.resolve(),))
        )
        grading_jobs = [session.job(s, n) for n, s in enumerate(jobs)]
        bar = stack.enter_context(_progress(len(grading_jobs), show))
        for result in LocalExecutor(workers).map(grade_submission, grading_jobs):
            write_result(result, results_dir)
            results.append(result)
            bar.update(1)
    return sorted(results, key=lambda r: r.student_id), len(jobs), reused


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
            status=REJECTED,
            message="; ".join(f"{r.source}: {r.reason}" for r in rejections),
            source=rejections[0].source,
            isolated=isolated,
        )
        for student, rejections in sorted(by_student.items())
    ]


def grade_batch(
    submissions: Path,
    exercise_id: str,
    out: Path,
    *,
    workers: int | None = None,
    force: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    solutions: Path = SOLUTIONS,
    isolate: bool = True,
    progress: bool | None = None,
) -> Batch:
    """The whole pipeline. Raises UnknownExercise or UnusableInput for input it cannot use at all,
    and IsolationUnavailable when student code cannot be isolated (unless `isolate` is False)."""
    started = time.monotonic()
    exercise = load_exercise(exercise_id, solutions)
    if isolate:
        require_isolation()
    out.mkdir(parents=True, exist_ok=True)
    # Earlier versions kept nbgrader's templates, with the solutions, in the output folder.
    shutil.rmtree(out / ".work", ignore_errors=True)

    collected = collect(submissions, exercise, out / "submissions")
    results, graded_now, reused = autograde_all(
        collected,
        exercise,
        out,
        workers=workers,
        force=force,
        limits=limits,
        isolate=isolate,
        progress=progress,
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
    outputs = write_feedback(results, out / "feedback")
    outputs += export_all(results, out, names, exercise.id)
    info = BatchInfo(
        exercise=exercise.id,
        input=str(submissions),
        format=collected.format,
        duration_s=round(time.monotonic() - started, 1),
        graded_now=graded_now,
        reused=reused,
        workers=LocalExecutor(workers).workers,
        isolated=isolate,
        rejected_unassigned=[(r.source, r.reason) for r in collected.rejected if not r.student_id],
    )
    outputs.append(write_report(results, info, out / "report.html"))
    (out / "batch.json").write_text(
        json.dumps(
            {
                "exercise": exercise.id,
                "input": str(submissions),
                "duration_s": info.duration_s,
                "graded_now": graded_now,
                "reused": reused,
                "failed": sum(r.status == FAILED for r in results),
                "isolated": isolate,
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    return Batch(results, info, out, outputs)

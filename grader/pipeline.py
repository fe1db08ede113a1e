"""The grading pipeline, one step after the other: collect → autograde → feedback → export → report.

Output folder layout (DIR):
    submissions/<student_id>.ipynb   the collected notebooks
    results/<student_id>.json        one result each (grader.results)
    feedback/<student_id>.html       for the students, in their language
    grades.csv, moodle-grades.csv, canvas-grades.csv
    report.html                      for the instructor
    .work/                           nbgrader templates, kept between runs
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from grader.autograde import GradingJob, LocalExecutor, grade_submission, sandbox_kernels
from grader.collect import Collected, collect
from grader.exercises import SOLUTIONS, Exercise, load_exercise
from grader.export import export_all
from grader.feedback import write_feedback
from grader.nbgrader_driver import DEFAULT_LIMITS, Limits, build_template, max_score
from grader.report import BatchInfo, write_report
from grader.results import FAILED, REJECTED, Result, read_result, write_result


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


def prepare_templates(exercise: Exercise, languages: set[str], work: Path) -> dict[str, Path]:
    """One nbgrader course per language needed, rebuilt only when the exercise has changed."""
    fingerprint = exercise.fingerprint()
    templates = {}
    for lang in sorted(languages):
        root = work / "templates" / lang
        stamp = root / "fingerprint"
        if not (stamp.is_file() and stamp.read_text() == fingerprint):
            build_template(exercise, lang, root)
            stamp.write_text(fingerprint)
        templates[lang] = root
    return templates


def _reusable(path: Path, sha256: str, release: str) -> Result | None:
    if not path.is_file():
        return None
    try:
        previous = read_result(path)
    except (ValueError, TypeError, KeyError):
        return None
    return previous if previous.sha256 == sha256 and previous.release == release else None


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, unit="notebook", desc="Grading", disable=not enabled, dynamic_ncols=True)


def autograde_all(
    collected: Collected,
    exercise: Exercise,
    out: Path,
    *,
    workers: int | None = None,
    force: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    sandbox: bool = True,
    progress: bool | None = None,
) -> tuple[list[Result], int, int]:
    """Grade what is new or changed (everything with `force`); returns (results, graded now, reused)."""
    results_dir = out / "results"
    work = out / ".work"
    release = exercise.fingerprint()
    jobs, results = [], []
    for submission in collected.submissions:
        previous = (
            None if force else _reusable(results_dir / f"{submission.student_id}.json", submission.sha256, release)
        )
        if previous:
            results.append(previous)
        else:
            jobs.append(submission)
    reused = len(results)
    if jobs:
        templates = prepare_templates(exercise, {s.language for s in jobs}, work)
        maxima = {lang: max_score(root, exercise, lang) for lang, root in templates.items()}
        scratch = work / "scratch"
        shutil.rmtree(scratch, ignore_errors=True)
        show = sys.stderr.isatty() if progress is None else progress
        with ExitStack() as stack:
            kernels = stack.enter_context(sandbox_kernels(limits, work / "kernels")) if sandbox else None
            grading_jobs = [
                GradingJob(
                    s,
                    exercise,
                    templates[s.language],
                    scratch / s.student_id,
                    limits,
                    release,
                    maxima[s.language],
                    kernels,
                )
                for s in jobs
            ]
            bar = stack.enter_context(_progress(len(grading_jobs), show))
            for result in LocalExecutor(workers).map(grade_submission, grading_jobs):
                write_result(result, results_dir)
                results.append(result)
                bar.update(1)
    return sorted(results, key=lambda r: r.student_id), len(jobs), reused


def rejected_results(
    collected: Collected, exercise: Exercise, graded_students: set[str], maximum: float
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
    sandbox: bool = True,
    progress: bool | None = None,
) -> Batch:
    """The whole pipeline. Raises UnknownExercise or UnusableInput for input it cannot use at all."""
    started = time.monotonic()
    exercise = load_exercise(exercise_id, solutions)
    out.mkdir(parents=True, exist_ok=True)

    collected = collect(submissions, exercise, out / "submissions")
    results, graded_now, reused = autograde_all(
        collected,
        exercise,
        out,
        workers=workers,
        force=force,
        limits=limits,
        sandbox=sandbox,
        progress=progress,
    )
    graded_students = {r.student_id for r in results}
    maximum = max((r.max_score for r in results), default=0.0)
    if not maximum and collected.rejected:
        templates = prepare_templates(exercise, {exercise.languages[0]}, out / ".work")
        maximum = max_score(templates[exercise.languages[0]], exercise, exercise.languages[0])
    results = sorted(
        results + rejected_results(collected, exercise, graded_students, maximum), key=lambda r: r.student_id
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
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    return Batch(results, info, out, outputs)

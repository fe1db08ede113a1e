"""Report: one HTML page for the instructor that opens offline (inline CSS and SVG, no scripts;
template `grader/outputs/templates/report.html.j2`), and the same figures as files (`tasks.csv`,
`similar.csv`, grader/outputs/export.py).

It says which tasks to teach again (per task: mean points, share with full marks, difficulty,
discrimination and the typical mistakes, grader/outputs/statistics.py), how each language did, the score
distribution, possible copying (grader/outputs/similarity.py), what to review by hand, and accounts for
every file received exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from statistics import mean, median
from typing import Any

from grader.exercises import Exercise
from grader.messages import bounded, key_text
from grader.outputs.export import write_similar_csv, write_tasks_csv
from grader.outputs.similarity import Pair, batch_pairs
from grader.outputs.statistics import (
    Bin,
    Cohort,
    TaskStats,
    language_statistics,
    score_bins,
    task_statistics,
)
from grader.outputs.templating import render
from grader.outputs.titles import titles
from grader.results import Result, Status

RETEACH_BELOW = 0.6
"""A task fewer than this share of the group got fully right is one to teach again."""
LOW_DISCRIMINATION = 0.2
KEY_TEXT_CHARACTERS = 160


@dataclass
class BatchInfo:
    exercise: str
    input: str
    format: str
    duration_s: float
    graded_now: int
    reused: int
    workers: int
    isolated: bool = True
    """False when the instructor chose --no-isolation."""
    workers_used: list[str] = field(default_factory=list)
    """The Dask workers that graded (--scheduler); empty for a batch graded on this machine."""
    rejected_unassigned: list[tuple[str, str]] = field(default_factory=list)
    """(source, reason) of refused entries that name no student."""
    refused: list[tuple[str, str, str]] | None = None
    """(student id or "", source, reason) of every refused file; None when not known (then the
    refused results and `rejected_unassigned` are counted)."""
    superseded: list[tuple[str, str]] = field(default_factory=list)
    """(student id, source) of the older notebooks of students who sent a later one."""
    ignored: list[tuple[str, str]] = field(default_factory=list)
    """(source, reason) of the files an operating system or Jupyter adds (`__MACOSX/`,
    `.ipynb_checkpoints/`): never graded, listed and counted apart."""


@dataclass(frozen=True)
class Intake:
    """Every file received, counted once: graded, failed, refused, superseded or ignored."""

    graded: int
    failed: int
    refused: int
    superseded: int
    ignored: int = 0

    @property
    def files(self) -> int:
        return self.graded + self.failed + self.refused + self.superseded + self.ignored


def refused_files(results: list[Result], info: BatchInfo) -> list[tuple[str, str, str]]:
    if info.refused is not None:
        return info.refused
    return [(r.student_id, r.source, r.message) for r in results if r.status == Status.REJECTED] + [
        ("", source, reason) for source, reason in info.rejected_unassigned
    ]


def intake(results: list[Result], info: BatchInfo) -> Intake:
    return Intake(
        graded=sum(r.status == Status.GRADED for r in results),
        failed=sum(r.status == Status.FAILED for r in results),
        refused=len(refused_files(results, info)),
        superseded=len(info.superseded),
        ignored=len(info.ignored),
    )


def summary_line(results: list[Result], info: BatchInfo) -> str:
    """The batch in one line, for the terminal: files and students, each counted once."""
    counts = intake(results, info)
    return (
        f"{counts.files} files: {counts.graded} graded, {counts.failed} failed, {counts.refused} refused, "
        f"{counts.superseded} superseded by a later notebook, {counts.ignored} system files ignored; "
        f"{len(results)} students "
        f"({info.graded_now} graded now, {info.reused} unchanged) in {info.duration_s:.1f} s"
    )


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    middle: float
    bin: Bin
    labelled: bool


CHART_WIDTH, CHART_HEIGHT, CHART_LEFT, CHART_BOTTOM = 640, 200, 8, 24


def chart(bins: list[Bin]) -> list[Bar]:
    """The bars of the score distribution, in the SVG's coordinates."""
    if not bins:
        return []
    top = max(b.count for b in bins) or 1
    step = (CHART_WIDTH - CHART_LEFT) / len(bins)
    every = 1 if len(bins) <= 16 else 2 if len(bins) <= 32 else 5
    bars = []
    for index, b in enumerate(bins):
        height = b.count / top * (CHART_HEIGHT - 24)
        x = CHART_LEFT + index * step
        bars.append(
            Bar(
                round(x + 1, 1),
                round(CHART_HEIGHT - height, 1),
                round(step - 2, 1),
                round(height, 1),
                round(x + step / 2, 1),
                b,
                index % every == 0 or index == len(bins) - 1,
            )
        )
    return bars


def _mistakes(exercise: Exercise | None, stats: TaskStats) -> list[dict]:
    return [
        {"key": key, "count": count, "text": bounded(key_text(exercise, key), KEY_TEXT_CHARACTERS)}
        for key, count in stats.mistakes
    ]


def report_context(
    results: list[Result],
    info: BatchInfo,
    exercise: Exercise | None = None,
    pairs: list[Pair] | None = None,
    cohort: Cohort | None = None,
) -> dict:
    graded = [r for r in results if r.status == Status.GRADED]
    scores = [r.score for r in graded]
    maximum = max((r.max_score for r in results), default=0.0)
    names = titles(exercise, "en") if exercise else None
    stats = task_statistics(results, names.tasks if names else {}, cohort)
    tasks: list[dict[str, Any]] = [
        {
            "stats": s,
            "mistakes": _mistakes(exercise, s),
            "low": s.spread and s.discrimination < LOW_DISCRIMINATION,
            "change": (s.full_share - s.previous.full_share) if s.previous else None,
        }
        for s in stats
    ]
    reteach = sorted((t for t in tasks if t["stats"].full_share < RETEACH_BELOW), key=lambda t: t["stats"].full_share)
    titles_by_task = {s.task: s.title for s in stats}
    return {
        "info": info,
        "title": names.exercise if names and names.exercise else info.exercise,
        "counts": intake(results, info),
        "students": len(results),
        "review_count": sum(bool(r.review) for r in results),
        "mean": mean(scores) if scores else None,
        "median": median(scores) if scores else None,
        "maximum": maximum,
        "bars": chart(score_bins(scores, maximum)),
        "chart": {"width": CHART_WIDTH, "height": CHART_HEIGHT, "bottom": CHART_BOTTOM, "left": CHART_LEFT},
        "tasks": tasks,
        "reteach": reteach,
        "reteach_below": RETEACH_BELOW,
        "low_discrimination": LOW_DISCRIMINATION,
        "cohort": cohort,
        "languages": language_statistics(results),
        "pairs": pairs or [],
        "similarity_checked": pairs is not None,
        "task_titles": titles_by_task,
        "review": [r for r in results if r.review],
        "failed": [r for r in results if r.status == Status.FAILED],
        "refused": refused_files(results, info),
        "superseded": info.superseded,
        "ignored": info.ignored,
        "notes": [(r.student_id, note) for r in results for note in r.notes],
    }


def render_report(
    results: list[Result],
    info: BatchInfo,
    exercise: Exercise | None = None,
    pairs: list[Pair] | None = None,
    cohort: Cohort | None = None,
) -> str:
    return render("report.html.j2", **report_context(results, info, exercise, pairs, cohort))


def write_report(
    results: list[Result],
    info: BatchInfo,
    out: Path,
    exercise: Exercise | None = None,
    cohort: Cohort | None = None,
) -> list[Path]:
    """`report.html`, `tasks.csv` and `similar.csv` in `out`; possible copying is looked for in
    the notebooks collected in `out/submissions/` (only when the exercise is given)."""
    out.mkdir(parents=True, exist_ok=True)
    pairs = batch_pairs(results, exercise, out / "submissions") if exercise else None
    stats = task_statistics(results, titles(exercise, "en").tasks if exercise else {}, cohort)
    report = out / "report.html"
    report.write_text(render_report(results, info, exercise, pairs, cohort), encoding="utf-8")
    return [report, write_tasks_csv(stats, out / "tasks.csv"), write_similar_csv(pairs or [], out / "similar.csv")]

"""Item statistics of a batch, for the instructor: per task, how the group did and how well the
task tells stronger from weaker students; per language; the distribution of scores; and the same
per-task figures of an earlier cohort (its `tasks.csv`) to compare with.

- **Difficulty index** p: the share of the task's points the group earned (mean ÷ points). The
  lower, the harder.
- **Discrimination**: the corrected item-total correlation, Pearson's r over the graded
  submissions between the task's points and the rest of the score (the total without the task, so
  that the task is not correlated with itself). 0.3 or more separates well; near 0 or below, the
  task does not agree with the rest of the exercise (unclear instructions, a check that fails good
  answers, another skill). A task on which everybody got the same points has no spread and tells
  nobody apart: 0.

Only graded submissions count: a notebook that failed or was refused says nothing about a task.
"""

from __future__ import annotations

import csv
import json
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from statistics import mean

from grader.intake.collect import UnusableInput
from grader.results import Result, Status

TOP_MESSAGES = 3


def task_order(task: str) -> tuple[int, int | str]:
    """Tasks in their notebook order: `2` before `10`."""
    return (0, int(task)) if task.isdigit() else (1, task)


@dataclass(frozen=True)
class PreviousTask:
    mean: float
    full_share: float
    graded: int


@dataclass(frozen=True)
class Cohort:
    """The per-task figures of an earlier batch, read from its output folder."""

    folder: str
    tasks: dict[str, PreviousTask]


@dataclass
class TaskStats:
    task: str
    title: str
    points: float
    graded: int
    mean: float
    full_share: float
    """Share of the graded submissions with all the task's points, 0 to 1."""
    difficulty: float
    """The difficulty index p: mean ÷ points, 0 to 1."""
    discrimination: float
    spread: bool
    """False when everybody got the same points (the discrimination is then 0)."""
    mistakes: list[tuple[str, int]] = field(default_factory=list)
    """The most frequent message keys of the submissions that lost points, with their counts."""
    previous: PreviousTask | None = None


def pearson(x: list[float], y: list[float]) -> float | None:
    """Pearson's r; None when either list has no spread (or fewer than two values)."""
    if len(x) < 2:
        return None
    mx, my = mean(x), mean(y)
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    return sxy / math.sqrt(sxx * syy)


def task_statistics(
    results: list[Result], titles: dict[str, str] | None = None, previous: Cohort | None = None
) -> list[TaskStats]:
    graded = [r for r in results if r.status == Status.GRADED]
    points: dict[str, float] = {}
    for result in graded:
        for task in result.tasks:
            points[task.task] = max(points.get(task.task, 0.0), task.max_points)
    stats = []
    for name in sorted(points, key=task_order):
        earned: list[float] = []
        rest: list[float] = []
        mistakes: Counter[str] = Counter()
        for result in graded:
            found = next((t for t in result.tasks if t.task == name), None)
            got = found.points if found else 0.0
            earned.append(got)
            rest.append(result.score - got)
            if found is not None and found.points < found.max_points and found.key:
                mistakes[found.key] += 1
        r = pearson(earned, rest)
        maximum = points[name]
        average = mean(earned) if earned else 0.0
        stats.append(
            TaskStats(
                task=name,
                title=(titles or {}).get(name, ""),
                points=maximum,
                graded=len(earned),
                mean=average,
                full_share=sum(e >= maximum for e in earned) / len(earned) if earned else 0.0,
                difficulty=average / maximum if maximum else 0.0,
                discrimination=r if r is not None else 0.0,
                spread=len(set(earned)) > 1,
                mistakes=mistakes.most_common(TOP_MESSAGES),
                previous=previous.tasks.get(name) if previous else None,
            )
        )
    return stats


@dataclass(frozen=True)
class LanguageStats:
    language: str
    students: int
    graded: int
    mean: float | None


def language_statistics(results: list[Result]) -> list[LanguageStats]:
    """Per notebook language: how many students, how many graded and their mean score."""
    found = []
    for lang in sorted({r.language for r in results}):
        mine = [r for r in results if r.language == lang]
        scores = [r.score for r in mine if r.status == Status.GRADED]
        found.append(LanguageStats(lang, len(mine), len(scores), mean(scores) if scores else None))
    return found


@dataclass(frozen=True)
class Bin:
    low: float
    high: float
    label: str
    count: int


MAX_BINS = 40


def score_bins(scores: list[float], maximum: float) -> list[Bin]:
    """The distribution of scores in bins that match the points: one bin per point (0, 1, ...
    maximum) when scores are whole points and there are at most 40 of them; otherwise bins of a
    whole number of points, or 20 equal bins when the points are not whole."""
    if maximum <= 0:
        return []
    width: float
    if float(maximum).is_integer():
        width = max(1, math.ceil(maximum / MAX_BINS))
        count = int(maximum // width) + 1
    else:
        width, count = maximum / 20, 21
    counts = [0] * count
    for score in scores:
        counts[min(max(int(score // width), 0), count - 1)] += 1
    bins = []
    for index, number in enumerate(counts):
        low = index * width
        high = min(low + width, maximum) if index < count - 1 else maximum
        label = f"{low:g}" if width == 1 or low == maximum else f"{low:g}–{high:g}"
        bins.append(Bin(low, high, label, number))
    return bins


def _number(text: str) -> float | None:
    try:
        return float(text.lstrip("'"))
    except ValueError:
        return None


def read_cohort(folder: Path, exercise_id: str) -> Cohort:
    """The per-task figures of an earlier output folder (`--previous DIR`), from its tasks.csv.
    Raises UnusableInput when the folder has none, or graded another exercise."""
    folder = Path(folder)
    path = folder / "tasks.csv"
    if not path.is_file():
        raise UnusableInput(f"--previous {folder}: no tasks.csv there (an output folder of cx-grader grade)")
    batch = folder / "batch.json"
    if batch.is_file():
        try:
            other = json.loads(batch.read_text(encoding="utf-8")).get("exercise")
        except (ValueError, AttributeError):
            other = None
        if other and other != exercise_id:
            raise UnusableInput(f"--previous {folder}: a batch of the exercise {other!r}, not {exercise_id!r}")
    tasks = {}
    with path.open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            task = (row.get("task") or "").lstrip("'")
            average, share = _number(row.get("mean", "")), _number(row.get("full_marks_share", ""))
            graded = _number(row.get("graded", "")) or 0
            if task and average is not None and share is not None:
                tasks[task] = PreviousTask(average, share, int(graded))
    if not tasks:
        raise UnusableInput(f"--previous {folder}: its tasks.csv holds no task")
    return Cohort(str(folder), tasks)

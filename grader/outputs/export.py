"""Export: grades as CSV files an instructor can open in a spreadsheet or import into an LMS.

- `grades.csv`: one row per student, for the instructor (with the notes and the reasons to review
  a submission by hand, and whether its code ran isolated), every field quoted, nothing that a
  spreadsheet would run as a formula (a cell starting with = + - @ or a control character gets a leading apostrophe, as
  OWASP recommends for CSV injection);
- `moodle-grades.csv`: Moodle's offline grading worksheet columns (Identifier "Participant N",
  Full name, Grade, Maximum grade, Feedback comments), for Grades → Import or the assignment's
  "Upload grading worksheet"; the comments are what students see, so they hold only a sentence in the
  student's language saying that the notebook could not be graded (`for_student`), never the
  instructor's messages, notes or review reasons;
- `canvas-grades.csv`: Canvas gradebook import columns (Student, ID, SIS User ID, SIS Login ID,
  Section, then the assignment's column);
- `tasks.csv`: the item statistics of each task (grader/outputs/statistics.py), and with `--previous` the
  earlier cohort's figures beside them; it is also what a later batch reads as its `--previous`;
- `similar.csv`: the pairs of submissions with near-identical code (grader/outputs/similarity.py).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from pathlib import Path

from grader.messages import message
from grader.outputs.similarity import Pair
from grader.outputs.statistics import TaskStats
from grader.results import Result, Status

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
GRADES_COLUMNS = [
    "student_id",
    "raw_id",
    "exercise",
    "language",
    "score",
    "max_score",
    "status",
    "message",
    "review",
    "isolated",
]


def spreadsheet_safe(value: object) -> str:
    """A cell value that a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:g}"
    return "'" + text if text.startswith(FORMULA_START) else text


def _write(path: Path, header: list[str], rows: Sequence[Sequence[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, quoting=csv.QUOTE_ALL)
        writer.writerow(header)
        for row in rows:
            writer.writerow([spreadsheet_safe(value) for value in row])
    return path


def write_grades_csv(results: list[Result], path: Path) -> Path:
    rows = [
        [
            r.student_id,
            r.raw_id or r.student_id,
            r.exercise,
            r.language,
            r.score,
            r.max_score,
            r.status,
            "; ".join(text for text in [r.message, *r.notes] if text),
            "; ".join(r.review),
            "yes" if r.isolated else "no (--no-isolation)",
        ]
        for r in results
    ]
    return _write(path, GRADES_COLUMNS, rows)


def for_student(result: Result) -> str:
    """The LMS feedback comment, which the student reads: why the notebook has no grade, in the
    student's language, in the grader's own words. The instructor's message, notes and review
    reasons stay in grades.csv, the results and the report."""
    if result.status == Status.FAILED:
        return message(result.language, "failed_for_student")
    if result.status == Status.REJECTED:
        return message(result.language, "rejected_for_student")
    return ""


def write_moodle_csv(results: list[Result], path: Path, names: dict[str, str]) -> Path:
    header = ["Identifier", "Full name", "Grade", "Maximum grade", "Feedback comments"]
    rows = []
    for r in results:
        identifier = f"Participant {r.student_id}" if re.fullmatch(r"\d+", r.student_id) else r.student_id
        rows.append([identifier, names.get(r.student_id, ""), r.score, r.max_score, for_student(r)])
    return _write(path, header, rows)


def write_canvas_csv(results: list[Result], path: Path, names: dict[str, str], exercise: str) -> Path:
    header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", exercise]
    rows = [[names.get(r.student_id, r.student_id), r.student_id, "", "", "", r.score] for r in results]
    return _write(path, header, rows)


TASKS_COLUMNS = [
    "task",
    "title",
    "points",
    "graded",
    "mean",
    "full_marks_share",
    "difficulty",
    "discrimination",
    "top_messages",
]
PREVIOUS_COLUMNS = ["previous_mean", "previous_full_marks_share", "previous_graded"]
SIMILAR_COLUMNS = ["student_a", "student_b", "similarity", "tasks"]


def write_tasks_csv(stats: list[TaskStats], path: Path) -> Path:
    """One row per task; shares and indices from 0 to 1, the top messages as `key (count)`."""
    previous = any(s.previous for s in stats)
    rows = []
    for s in stats:
        row: list[object] = [
            s.task,
            s.title,
            s.points,
            s.graded,
            round(s.mean, 3),
            round(s.full_share, 3),
            round(s.difficulty, 3),
            round(s.discrimination, 3),
            "; ".join(f"{key} ({count})" for key, count in s.mistakes),
        ]
        if previous:
            row += (
                [round(s.previous.mean, 3), round(s.previous.full_share, 3), s.previous.graded]
                if s.previous
                else [""] * 3
            )
        rows.append(row)
    return _write(path, TASKS_COLUMNS + (PREVIOUS_COLUMNS if previous else []), rows)


def write_similar_csv(pairs: list[Pair], path: Path) -> Path:
    """One row per pair; the tasks both got wrong are marked `(both wrong)`."""
    rows = [
        [
            p.student_a,
            p.student_b,
            p.similarity,
            "; ".join(t + (" (both wrong)" if t in p.wrong else "") for t in p.tasks),
        ]
        for p in pairs
    ]
    return _write(path, SIMILAR_COLUMNS, rows)


def export_all(results: list[Result], folder: Path, names: dict[str, str], exercise: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [
        write_grades_csv(results, folder / "grades.csv"),
        write_moodle_csv(results, folder / "moodle-grades.csv", names),
        write_canvas_csv(results, folder / "canvas-grades.csv", names, exercise),
    ]

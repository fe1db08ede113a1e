"""Export: grades as CSV files an instructor can open in a spreadsheet or import into an LMS.

- `grades.csv`: one row per student, for the instructor (with the notes and the reasons to review
  a submission by hand, and whether its code ran isolated), every field quoted, nothing that a
  spreadsheet would run as a formula (a cell starting with = + - @ or a control character gets a leading apostrophe, as
  OWASP recommends for CSV injection);
- `moodle-grades.csv`: Moodle's offline grading worksheet columns (Identifier "Participant N",
  Full name, Grade, Maximum grade, Feedback comments), for Grades → Import or the assignment's
  "Upload grading worksheet"; the comments are what students see, so they hold only why a
  notebook could not be graded, never the instructor's notes;
- `canvas-grades.csv`: Canvas gradebook import columns (Student, ID, SIS User ID, SIS Login ID,
  Section, then the assignment's column).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from grader.results import Result

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
GRADES_COLUMNS = ["student_id", "exercise", "language", "score", "max_score", "status", "message", "review", "isolated"]


def spreadsheet_safe(value: object) -> str:
    """A cell value that a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:g}"
    return "'" + text if text.startswith(FORMULA_START) else text


def _write(path: Path, header: list[str], rows: list[list[object]]) -> Path:
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


def write_moodle_csv(results: list[Result], path: Path, names: dict[str, str]) -> Path:
    header = ["Identifier", "Full name", "Grade", "Maximum grade", "Feedback comments"]
    rows = []
    for r in results:
        identifier = f"Participant {r.student_id}" if re.fullmatch(r"\d+", r.student_id) else r.student_id
        rows.append([identifier, names.get(r.student_id, ""), r.score, r.max_score, r.message])
    return _write(path, header, rows)


def write_canvas_csv(results: list[Result], path: Path, names: dict[str, str], exercise: str) -> Path:
    header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", exercise]
    rows = [[names.get(r.student_id, r.student_id), r.student_id, "", "", "", r.score] for r in results]
    return _write(path, header, rows)


def export_all(results: list[Result], folder: Path, names: dict[str, str], exercise: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [
        write_grades_csv(results, folder / "grades.csv"),
        write_moodle_csv(results, folder / "moodle-grades.csv", names),
        write_canvas_csv(results, folder / "canvas-grades.csv", names, exercise),
    ]

"""The course gradebook: every graded submission written into an nbgrader gradebook (SQLite or
PostgreSQL, any SQLAlchemy URL), as nbgrader's own autograde would write it, so that formgrader
shows the scores and an instructor reviews there what the batch marked for review.

What goes in, through nbgrader's own API (`nbgrader.api.Gradebook`):
- the assignment `<exercise>` with one notebook `<exercise>`: a student hands in one notebook in
  one of the course's languages, and the task cells have the same ids and points in every
  language, so the gradebook has one notebook whatever the language (three would triple the
  maximum score);
- its cells from the exercise's source notebook (grade cells with their points, solution cells,
  locked cells with their checksums), as `nbgrader generate_assignment` records them;
- per student: the student (with the name the LMS gives), the submission with its time, a grade
  per grade cell (`auto_score`) and a comment per solution cell (the task's message, in the
  student's language); a submission marked for review, or one that could not be graded, is
  flagged and left needing a manual grade.

Re-runs update the same rows (nbgrader's update_or_create), never add a second submission.
Refused entries (nothing was run) are not submissions and are not written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from grader.exercises import Exercise
from grader.results import Result, Status


class GradebookError(RuntimeError):
    """The gradebook at the URL cannot be opened or written (the message says why)."""


@dataclass(frozen=True)
class _Cells:
    grade: dict[str, float]
    """Grade cell id -> points."""
    grade_type: dict[str, str]
    solution: list[str]
    source: list[tuple[str, str, bool, str, str]]
    """(id, cell type, locked, source, checksum) of every cell nbgrader records."""
    task_cells: dict[str, tuple[str, str | None]]
    """Task number -> (grade cell id, solution cell id)."""


def _number(grade_id: str) -> str:
    match = re.search(r"(\d+)", grade_id)
    return match.group(1) if match else grade_id


def _cells(exercise: Exercise) -> _Cells:
    import nbformat
    from nbgrader.utils import compute_checksum

    notebook = nbformat.read(exercise.notebook(exercise.languages[0]), as_version=4)
    grade, grade_type, solution, source = {}, {}, [], []
    solutions_by_task: dict[str, str] = {}
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        cell_id = meta.get("grade_id")
        if not cell_id:
            continue
        if meta.get("grade"):
            grade[cell_id] = float(meta.get("points", 0))
            grade_type[cell_id] = cell.cell_type
        if meta.get("solution"):
            solution.append(cell_id)
            solutions_by_task.setdefault(_number(cell_id), cell_id)
        source.append((cell_id, cell.cell_type, bool(meta.get("locked")), cell.source, compute_checksum(cell)))
    tasks = {_number(g): (g, solutions_by_task.get(_number(g))) for g in grade}
    return _Cells(grade, grade_type, solution, source, tasks)


def _record_assignment(gradebook, exercise: Exercise, cells: _Cells) -> None:
    name = exercise.id
    gradebook.update_or_create_assignment(name)
    gradebook.update_or_create_notebook(name, name)
    for cell_id, points in cells.grade.items():
        gradebook.update_or_create_grade_cell(
            cell_id, name, name, max_score=points, cell_type=cells.grade_type[cell_id]
        )
    for cell_id in cells.solution:
        gradebook.update_or_create_solution_cell(cell_id, name, name)
    for cell_id, cell_type, locked, text, checksum in cells.source:
        gradebook.update_or_create_source_cell(
            cell_id, name, name, cell_type=cell_type, locked=locked, source=text, checksum=checksum
        )


def _names(full_name: str) -> dict[str, str]:
    first, _, last = full_name.strip().partition(" ")
    return {"first_name": first, "last_name": last} if first else {}


def write_gradebook(
    results: Iterable[Result],
    url: str,
    exercise: Exercise,
    names: dict[str, str] | None = None,
    submitted_at: dict[str, str] | None = None,
) -> int:
    """Write the graded and failed submissions of `results` into the gradebook at `url`; returns
    how many were written."""
    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SQLAlchemyError

    names, submitted_at = names or {}, submitted_at or {}
    cells = _cells(exercise)
    written = 0
    try:
        with Gradebook(url) as gradebook:
            _record_assignment(gradebook, exercise, cells)
            for result in results:
                if result.status not in (Status.GRADED, Status.FAILED):
                    continue
                _record_submission(gradebook, exercise.id, cells, result, names, submitted_at)
                written += 1
    except SQLAlchemyError as error:
        raise GradebookError(f"the gradebook {safe_url(url)} could not be written: {error}") from error
    return written


def _record_submission(
    gradebook, name: str, cells: _Cells, result: Result, names: dict[str, str], submitted_at: dict[str, str]
) -> None:
    student = result.student_id
    gradebook.update_or_create_student(student, **_names(names.get(student, "")))
    extra = {"timestamp": submitted_at[student]} if submitted_at.get(student) else {}
    gradebook.update_or_create_submission(name, student, **extra)
    by_task = {task.task: task for task in result.tasks}
    for number, (grade_cell, solution_cell) in cells.task_cells.items():
        grade = gradebook.find_grade(grade_cell, name, name, student)
        task = by_task.get(number) if result.status == Status.GRADED else None
        grade.auto_score = task.points if task else None
        # As nbgrader's SaveAutoGrades: a manual grade, or no automatic one, needs a person.
        grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
        if solution_cell:
            comment = gradebook.find_comment(solution_cell, name, name, student)
            comment.auto_comment = (task.message or None) if task else None
    notebook = gradebook.find_submission_notebook(name, name, student)
    notebook.flagged = bool(result.review) or result.status == Status.FAILED
    gradebook.db.commit()


def gradebook_url(value: str) -> str:
    """An SQLAlchemy URL as given, or a file path made into a SQLite URL."""
    return value if "://" in value else f"sqlite:///{Path(value).expanduser().resolve()}"


def open_gradebook(url: str) -> None:
    """Open (and create, if new) the gradebook once, so that a wrong URL stops the batch before
    any grading; GradebookError says why."""
    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SQLAlchemyError

    try:
        with Gradebook(url):
            pass
    except (SQLAlchemyError, ImportError) as error:
        raise GradebookError(f"the gradebook {safe_url(url)} cannot be opened: {error}") from error


def safe_url(url: str) -> str:
    """The URL without its password."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


def read_scores(url: str, exercise_id: str) -> dict[str, float]:
    """Each student's total score in the gradebook, read back through nbgrader's API."""
    from nbgrader.api import Gradebook

    with Gradebook(url) as gradebook:
        return {
            submission.student.id: float(submission.score)
            for submission in gradebook.assignment_submissions(exercise_id)
        }

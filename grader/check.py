"""Check: grade one notebook on its own, in a throw-away folder, without touching any gradebook."""

from __future__ import annotations

import hashlib
from pathlib import Path

from grader.exercises import SOLUTIONS, all_exercises, load_exercise
from grader.grading.autograde import grade_submission
from grader.grading.nbgrader_driver import DEFAULT_LIMITS, Limits
from grader.intake.collect import Submission, UnusableInput, notebook_exercise, notebook_language
from grader.kernels.isolation import require_isolation
from grader.messages import message
from grader.outputs.titles import Titles
from grader.pipeline import grading_session
from grader.results import Result


def check_notebook(
    notebook: Path,
    exercise_id: str | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
    solutions: Path = SOLUTIONS,
    isolate: bool = True,
) -> Result:
    """Grade `notebook` against its exercise (read from the notebook unless given)."""
    notebook = Path(notebook)
    if not notebook.is_file():
        raise UnusableInput(f"{notebook}: no such file")
    data = notebook.read_bytes()
    known = {e.id for e in all_exercises(solutions)}
    exercise_id = exercise_id or notebook_exercise(data, notebook.name, known)
    if not exercise_id:
        raise UnusableInput(f"{notebook}: cannot tell which exercise this is: pass --exercise")
    exercise = load_exercise(exercise_id, solutions)
    if isolate:
        require_isolation()
    language = notebook_language(data, notebook.name, exercise.languages[0])
    submission = Submission("check", notebook, str(notebook), language, "", hashlib.sha256(data).hexdigest())
    with grading_session(exercise, {language}, limits, isolate) as session:
        return grade_submission(session.job(submission, 0))


def format_check(result: Result, names: Titles | None = None) -> str:
    """The result task by task, in the notebook's language, with the notebook's titles."""
    lang = result.language
    lines = [
        names.exercise if names and names.exercise else message(lang, "feedback_title", exercise=result.exercise),
        f"{message(lang, 'score')}: {result.score:g} / {result.max_score:g}",
    ]
    if result.status != "graded":
        lines.append(message(lang, "status_failed", reason=result.message))
    for task in result.tasks:
        mark = "✓" if task.points >= task.max_points else "✗"
        comment = message(lang, "all_right") if task.points >= task.max_points else task.message
        label = message(lang, "task", n=task.task)
        if names and names.tasks.get(task.task):
            label = f"{label} · {names.tasks[task.task]}"
        lines.append(f"  {mark} {label}: {task.points:g}/{task.max_points:g}  {comment}")
    lines += [f"  review: {reason}" for reason in result.review]
    if not result.isolated:
        lines.append("  (graded with --no-isolation: the student's code ran with your rights)")
    return "\n".join(lines)

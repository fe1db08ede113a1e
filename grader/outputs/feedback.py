"""Feedback: one self-contained HTML page per student, in the student's language, that reads well
on a phone and on paper (template `grader/outputs/templates/feedback.html.j2`).

It names the exercise and each task as the student's notebook does (grader/outputs/titles.py), gives the
points, says what to look at again and what is right, and links each task to the lesson section
it practises (grader/outputs/lessons.py). It is built from the result alone (score, each task's points and
message), never from the executed notebook: nbgrader's own feedback shows the hidden tests' code
verbatim, this page cannot. Every text that came from a check is already cut short in the
result; it is cut again here, so that no result file can make the page grow without bound.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.exercises import Exercise
from grader.messages import bounded, message
from grader.outputs.export import for_student
from grader.outputs.lessons import LessonLink, lesson_links
from grader.outputs.templating import number, render
from grader.outputs.titles import titles
from grader.results import Result

MESSAGE_CHARACTERS = 1000


@dataclass(frozen=True)
class TaskView:
    heading: str
    points: str
    message: str
    lesson: LessonLink | None


def render_feedback(result: Result, exercise: Exercise | None = None, site_url: str = "") -> str:
    lang = result.language
    names = titles(exercise, lang) if exercise else None
    links = lesson_links(exercise, lang, site_url)
    to_review: list[TaskView] = []
    right: list[TaskView] = []
    for task in result.tasks:
        label = message(lang, "task", n=task.task)
        title = names.tasks.get(task.task) if names else None
        view = TaskView(
            heading=f"{label} · {title}" if title else label,
            points=message(lang, "points_value", points=number(task.points, lang), max=number(task.max_points, lang)),
            message=bounded(task.message, MESSAGE_CHARACTERS),
            lesson=links.get(task.task),
        )
        (right if task.points >= task.max_points else to_review).append(view)
    # Why a notebook has no grade, in the grader's own words in the student's language (as in the
    # LMS comment): the instructor's message stays in the report and grades.csv.
    problem = for_student(result)
    return render(
        "feedback.html.j2",
        lang=lang,
        title=(names.exercise if names and names.exercise else result.exercise),
        kicker=message(lang, "feedback_kicker"),
        student_label=message(lang, "student"),
        student=result.student_id,
        score_label=message(lang, "score"),
        score=result.score,
        max_score=result.max_score,
        problem=problem,
        tasks=result.tasks,
        to_review=to_review,
        right=right,
        review_heading=message(lang, "comment"),
        right_heading=message(lang, "went_well"),
        nothing_to_review=message(lang, "nothing_to_review"),
        task_review=message(lang, "task_review"),
        task_passed=message(lang, "task_passed"),
        review_lesson=message(lang, "review_lesson"),
        lesson_label=message(lang, "lesson"),
        generated=message(lang, "generated"),
    )


def write_feedback(
    results: list[Result], folder: Path, exercise: Exercise | None = None, site_url: str = ""
) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for result in results:
        path = folder / f"{result.student_id}.html"
        path.write_text(render_feedback(result, exercise, site_url), encoding="utf-8")
        paths.append(path)
    return paths

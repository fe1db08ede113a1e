"""Feedback: one self-contained HTML page per student, in the student's language.

Built from the result alone (score, each task's points and message), never from the executed
notebook: nbgrader's own feedback shows the hidden tests' code verbatim, this page cannot.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from grader.messages import message
from grader.results import FAILED, REJECTED, Result

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:48rem;margin:2rem auto;
padding:0 1rem;color:#1b1b1b;line-height:1.5}
h1{font-size:1.5rem;color:#0b4f6c}.score{font-size:1.25rem;font-weight:700}
table{border-collapse:collapse;width:100%;margin:1rem 0}th,td{border-bottom:1px solid #ccc;padding:.5rem;
text-align:left;vertical-align:top}th{background:#eef4f7}.ok{color:#1b5e20}.ko{color:#8e1b10}
.problem{background:#fdecea;border-left:4px solid #8e1b10;padding:.6rem .8rem}
footer{margin-top:2rem;color:#555;font-size:.9rem}
"""


def _number(value: float) -> str:
    return f"{value:g}"


def render_feedback(result: Result) -> str:
    lang = result.language
    rows = []
    for task in result.tasks:
        full = task.points >= task.max_points
        comment = message(lang, "all_right") if full else task.message
        rows.append(
            f'<tr><th scope="row">{escape(message(lang, "task", n=task.task))}</th>'
            f'<td class="{"ok" if full else "ko"}">{_number(task.points)} / {_number(task.max_points)}</td>'
            f"<td>{escape(comment)}</td></tr>"
        )
    problem = ""
    if result.status == FAILED:
        problem = f'<p class="problem">{escape(message(lang, "status_failed", reason=result.message))}</p>'
    elif result.status == REJECTED:
        problem = f'<p class="problem">{escape(message(lang, "status_rejected", reason=result.message))}</p>'
    table = (
        f'<table><thead><tr><th scope="col">{escape(message(lang, "task", n="")).strip()}</th>'
        f'<th scope="col">{escape(message(lang, "points"))}</th>'
        f'<th scope="col">{escape(message(lang, "comment"))}</th></tr></thead><tbody>'
        + "".join(rows)
        + "</tbody></table>"
        if rows
        else ""
    )
    title = message(lang, "feedback_title", exercise=result.exercise)
    score = f"{escape(message(lang, 'score'))}: {_number(result.score)} / {_number(result.max_score)}"
    return (
        f'<!doctype html>\n<html lang="{escape(lang)}">\n<head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} — {escape(result.student_id)}</title><style>{STYLE}</style></head>\n<body>\n"
        f"<h1>{escape(title)}</h1>\n<p>{escape(result.student_id)}</p>\n"
        f'<p class="score">{score}</p>\n'
        f"{problem}\n{table}\n<footer>{escape(message(lang, 'generated'))}</footer>\n</body>\n</html>\n"
    )


def write_feedback(results: list[Result], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for result in results:
        path = folder / f"{result.student_id}.html"
        path.write_text(render_feedback(result), encoding="utf-8")
        paths.append(path)
    return paths

"""Report: one HTML page for the instructor that opens offline (inline CSS and SVG, no scripts):
the score distribution, the pass rate per task, the submissions that failed or were refused and
why, duplicates, and how long the batch took."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from statistics import mean, median

from grader.results import FAILED, GRADED, REJECTED, Result

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:60rem;margin:2rem auto;
padding:0 1rem;color:#1b1b1b;line-height:1.45}h1,h2{color:#0b4f6c}
table{border-collapse:collapse;margin:1rem 0;width:100%}th,td{border-bottom:1px solid #ccc;padding:.35rem .5rem;
text-align:left;vertical-align:top}th{background:#eef4f7}.num{text-align:right}
.cards{display:flex;gap:1rem;flex-wrap:wrap}.card{border:1px solid #ccc;border-radius:.4rem;padding:.6rem 1rem}
.card b{display:block;font-size:1.4rem}svg text{font-size:11px;fill:#333}
.warning{background:#fdecea;border-left:4px solid #8e1b10;padding:.6rem .8rem}
"""


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
    rejected_unassigned: list[tuple[str, str]] = field(default_factory=list)
    """(source, reason) of refused entries that name no student."""


def _histogram(scores: list[float], maximum: float, bins: int = 10) -> str:
    """An inline SVG bar chart of the score distribution."""
    width, height, left, bottom = 560, 200, 36, 28
    counts = [0] * bins
    for score in scores:
        index = min(int(score / maximum * bins), bins - 1) if maximum else 0
        counts[index] += 1
    top = max(counts) or 1
    bar = (width - left) / bins
    parts = [
        f'<svg role="img" aria-label="Score distribution" viewBox="0 0 {width} {height + bottom}" '
        f'width="{width}" height="{height + bottom}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, count in enumerate(counts):
        bar_height = count / top * (height - 20)
        x = left + i * bar
        y = height - bar_height
        low = maximum * i / bins
        parts.append(
            f'<rect x="{x + 2:.1f}" y="{y:.1f}" width="{bar - 4:.1f}" height="{bar_height:.1f}" fill="#2a6f8f">'
            f"<title>{low:g}–{maximum * (i + 1) / bins:g}: {count}</title></rect>"
        )
        if count:
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle">{count}</text>')
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{height + 16}" text-anchor="middle">{low:g}</text>')
    parts.append(f'<line x1="{left}" y1="{height}" x2="{width}" y2="{height}" stroke="#333"/>')
    parts.append("</svg>")
    return "".join(parts)


def render_report(results: list[Result], info: BatchInfo) -> str:
    graded = [r for r in results if r.status == GRADED]
    failed = [r for r in results if r.status == FAILED]
    rejected = [r for r in results if r.status == REJECTED]
    scores = [r.score for r in graded]
    maximum = max((r.max_score for r in results), default=0.0)
    cards = [
        ("Submissions", len(results)),
        ("Graded", len(graded)),
        ("Failed", len(failed)),
        ("Rejected", len(rejected) + len(info.rejected_unassigned)),
        ("Marked for review", sum(bool(r.review) for r in results)),
        ("Mean score", f"{mean(scores):.1f} / {maximum:g}" if scores else "–"),
        ("Median score", f"{median(scores):g} / {maximum:g}" if scores else "–"),
        ("Batch time", f"{info.duration_s:.1f} s"),
    ]
    card_html = "".join(f'<div class="card">{escape(label)}<b>{escape(str(value))}</b></div>' for label, value in cards)

    task_totals: dict[str, list[float]] = {}
    task_max: dict[str, float] = {}
    for result in graded:
        for task in result.tasks:
            task_totals.setdefault(task.task, []).append(1.0 if task.points >= task.max_points else 0.0)
            task_max[task.task] = task.max_points
    task_rows = "".join(
        f'<tr><td>Task {escape(task)}</td><td class="num">{task_max[task]:g}</td>'
        f'<td class="num">{100 * sum(passes) / len(passes):.0f} %</td></tr>'
        for task, passes in sorted(task_totals.items(), key=lambda item: int(item[0]) if item[0].isdigit() else 0)
    )
    problems = "".join(
        f"<tr><td>{escape(r.student_id)}</td><td>{escape(r.status)}</td><td>{escape(r.source)}</td>"
        f"<td>{escape(r.message)}</td></tr>"
        for r in [*failed, *rejected]
    ) + "".join(
        f"<tr><td>–</td><td>rejected</td><td>{escape(source)}</td><td>{escape(reason)}</td></tr>"
        for source, reason in info.rejected_unassigned
    )
    notes = "".join(f"<li>{escape(r.student_id)}: {escape(note)}</li>" for r in results for note in r.notes)
    review = "".join(
        f'<tr><td>{escape(r.student_id)}</td><td class="num">{r.score:g}</td>'
        f"<td><ul>{''.join(f'<li>{escape(reason)}</li>' for reason in r.review)}</ul></td></tr>"
        for r in results
        if r.review
    )
    isolation = (
        ""
        if info.isolated
        else '<p class="warning">Graded with <code>--no-isolation</code>: the students\' code ran with the '
        "rights of the account that ran the grader, without namespaces of its own. Scores still come from "
        "checks that ran where no student code ran, but the code could read and change what that account can.</p>\n"
    )
    languages = Counter(r.language for r in results)
    return (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Grading report: {escape(info.exercise)}</title><style>{STYLE}</style></head><body>\n"
        f"<h1>Grading report: {escape(info.exercise)}</h1>\n"
        f"<p>Input: {escape(info.input)} ({escape(info.format)}). Graded now: {info.graded_now}; "
        f"unchanged since the last run: {info.reused}; workers: {info.workers}. "
        f"Languages: {escape(', '.join(f'{k} {v}' for k, v in sorted(languages.items())))}.</p>\n"
        f"{isolation}"
        f'<div class="cards">{card_html}</div>\n'
        f"<h2>Score distribution</h2>\n{_histogram(scores, maximum) if scores else '<p>No graded submission.</p>'}\n"
        f"<h2>Pass rate per task</h2>\n<p>Share of graded submissions that earned all the task's points.</p>\n"
        f'<table><thead><tr><th>Task</th><th class="num">Points</th><th class="num">Pass rate</th></tr></thead>'
        f"<tbody>{task_rows}</tbody></table>\n"
        f"<h2>Submissions that failed or were refused</h2>\n"
        + (
            f"<table><thead><tr><th>Student</th><th>Status</th><th>File</th><th>Why</th></tr></thead>"
            f"<tbody>{problems}</tbody></table>\n"
            if problems
            else "<p>None.</p>\n"
        )
        + "<h2>Marked for review by hand</h2>\n<p>Never shown to students. A score here comes from the checks "
        "run on the student's saved answers; the reasons say what to look at in the notebook.</p>\n"
        + (
            f'<table><thead><tr><th>Student</th><th class="num">Score</th><th>Why</th></tr></thead>'
            f"<tbody>{review}</tbody></table>\n"
            if review
            else "<p>None.</p>\n"
        )
        + f"<h2>Notes</h2>\n{f'<ul>{notes}</ul>' if notes else '<p>None.</p>'}\n</body></html>\n"
    )


def write_report(results: list[Result], info: BatchInfo, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_report(results, info), encoding="utf-8")
    return path

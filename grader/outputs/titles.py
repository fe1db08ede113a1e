"""The names a notebook gives to its exercise and its tasks, in the notebook's language: the
exercise's `#` heading, and for each task the `##` heading of the markdown cell before its
solution cell (`## Tasca 2. El NPS global (2 punts)` -> `El NPS global`).

The notebooks are the one place these words are written: feedback and the report read them here
rather than keep copies that could drift from what students saw.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from grader.exercises import Exercise

FENCE = re.compile(r"^(```+|~~~+).*?^\1[ \t]*$", re.DOTALL | re.MULTILINE)
HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)
# "Tasca 2. ", "Tarea 2 · ", "Task 2: " before a task's title, " (2 punts)" after it.
TASK_PREFIX = re.compile(r"^[^\W\d_]+[ \t]+\d+[ \t]*[.·:\-–—][ \t]*")
POINTS_SUFFIX = re.compile(r"[ \t]*\([ \t]*\d+(?:[.,]\d+)?[ \t]+[^\W\d_]+[ \t]*\)[ \t]*$")
TASK_NUMBER = re.compile(r"(\d+)")


@dataclass(frozen=True)
class Titles:
    exercise: str
    """The notebook's `#` heading; empty when it has none."""
    tasks: dict[str, str] = field(default_factory=dict)
    """Each task's title by task number (`"2"`, as in a result's tasks)."""


def task_number(grade_id: str) -> str:
    """`task3`, `task3_tests` -> `3`, as the grader numbers tasks in results."""
    match = TASK_NUMBER.search(grade_id)
    return match.group(1) if match else grade_id


def task_title(heading: str) -> str:
    """A task heading without its number and its points."""
    return POINTS_SUFFIX.sub("", TASK_PREFIX.sub("", heading.strip())).strip() or heading.strip()


def _text(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _headings(markdown: str) -> list[tuple[int, str]]:
    return [(len(m.group(1)), m.group(2)) for m in HEADING.finditer(FENCE.sub("", markdown))]


@functools.lru_cache(maxsize=32)
def _read(path: Path, mtime: float) -> Titles:
    cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    exercise, tasks, pending = "", {}, ""
    for cell in cells:
        if cell.get("cell_type") == "markdown":
            for level, text in _headings(_text(cell)):
                if level == 1 and not exercise:
                    exercise = text
                elif level == 2:
                    pending = text
            continue
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") and not meta.get("grade") and meta.get("grade_id"):
            number = task_number(meta["grade_id"])
            if pending and number not in tasks:
                tasks[number] = task_title(pending)
            pending = ""  # a heading names the one task that follows it
    return Titles(exercise, tasks)


def titles(exercise: Exercise, lang: str) -> Titles:
    """The exercise's and its tasks' titles in `lang` (in its first language when it has no
    notebook in `lang`)."""
    path = exercise.notebook(lang if lang in exercise.languages else exercise.languages[0])
    return _read(path, path.stat().st_mtime)

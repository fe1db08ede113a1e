"""Builders of student submissions for the grader tests (and benchmarks/grading.py): from the tiny
`mini` exercise in tests/fixtures/mini/ (three graded tasks: 1 + 2 + 3 points), and the course's
fixture submissions moved into any language."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
MINI = FIXTURES / "mini"
CORRECT = {"task1": "total = sum(NUMBERS)", "task2": 'shout = "hola".upper()', "task3": "half = total / 2"}


def student_notebook(release: Path, lang: str, **code: str) -> nbformat.NotebookNode:
    """The released `mini` notebook in `lang` with the student's code: correct unless given."""
    notebook = nbformat.read(release / f"mini.{lang}.ipynb", as_version=4)
    answers = {**CORRECT, **code}
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers and answers[grade_id] is not None:
            cell.source = answers[grade_id]
    return notebook


def blank_notebook(release: Path, lang: str) -> nbformat.NotebookNode:
    return nbformat.read(release / f"mini.{lang}.ipynb", as_version=4)


def write(notebook: nbformat.NotebookNode, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


def without_cell(notebook: nbformat.NotebookNode, grade_id: str) -> nbformat.NotebookNode:
    changed = copy.deepcopy(notebook)
    changed.cells = [c for c in changed.cells if c.metadata.get("nbgrader", {}).get("grade_id") != grade_id]
    return changed


def with_cell_source(notebook: nbformat.NotebookNode, grade_id: str, source: str) -> nbformat.NotebookNode:
    changed = copy.deepcopy(notebook)
    for cell in changed.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            cell.source = source
    return changed


def as_bytes(notebook: nbformat.NotebookNode) -> bytes:
    return json.dumps(notebook, ensure_ascii=False).encode()


def solution_code(notebook: nbformat.NotebookNode) -> dict[str, str]:
    """The code of each solution cell, by grade id."""
    return {
        cell.metadata["nbgrader"]["grade_id"]: cell.source
        for cell in notebook.cells
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution")
    }


def in_language(fixture: Path, release: Path, exercise_id: str, lang: str) -> nbformat.NotebookNode:
    """A fixture submission's code in the released notebook of `lang`, as a student of that
    language would have written it."""
    code = solution_code(nbformat.read(fixture, as_version=4))
    notebook = nbformat.read(release / f"{exercise_id}.{lang}.ipynb", as_version=4)
    for cell in notebook.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in code:
            cell.source = code[grade_id]
    return notebook

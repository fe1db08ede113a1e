"""The two notebooks a submission is graded with, both built from the release's cells.

Grading happens in two runs, so that no score depends on a kernel that ran student code:

1. **The student run** (grader/grading/student_run.py) runs the student's cells in an isolated kernel,
   with every cell of the release put back as released (visible tests only: the hidden ones never
   reach a kernel that runs student code). Before each *checkpoint* (a test cell, or a locked cell
   that reads what students define) it saves the variables that cell reads as data
   (grader/grading/answers.py).
2. **The check run** is nbgrader's autograde of the *check notebook*: the release with every
   solution cell emptied, the locked cells and hidden tests as nbgrader's gradebook keeps them, and
   before each checkpoint code that loads what the student run saved there. nbgrader runs it in a
   fresh kernel against pristine data and records the scores in its gradebook: they are the grades.

Which cells are the student's is decided by the release's cell ids (then by nbgrader's grade ids
for notebooks whose ids were lost), never by the submitted metadata: a cell that claims to be
locked but is not the release's is student code like any other.
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass, field
from typing import Any

from grader.grading.answers import ANSWERS_FOLDER

RELEASE, SOLUTION, STUDENT = "release", "solution", "student"


def _meta(cell: dict) -> dict:
    metadata = cell.get("metadata") if isinstance(cell, dict) else None
    nbgrader = metadata.get("nbgrader") if isinstance(metadata, dict) else None
    return nbgrader if isinstance(nbgrader, dict) else {}


def grade_id(cell: dict) -> str | None:
    value = _meta(cell).get("grade_id")
    return value if isinstance(value, str) and value else None


def source(cell: dict) -> str:
    text = cell.get("source", "") if isinstance(cell, dict) else ""
    if isinstance(text, list):
        return "".join(part for part in text if isinstance(part, str))
    return text if isinstance(text, str) else ""


def is_solution(cell: dict) -> bool:
    return bool(_meta(cell).get("solution")) and not _meta(cell).get("grade")


def is_test(cell: dict) -> bool:
    return bool(_meta(cell).get("grade")) and cell.get("cell_type") == "code"


def is_locked(cell: dict) -> bool:
    return bool(_meta(cell).get("locked") or _meta(cell).get("grade"))


def _bound(tree: ast.AST) -> set[str]:
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store | ast.Del)}
    names |= {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    return names


def _read(tree: ast.AST, by_string: bool) -> set[str]:
    """Names a cell reads, directly or (`by_string`, for test cells) by their name in a string
    (`globals()[name]`, `"x" in globals()`)."""
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    if by_string:
        names |= {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    return {name for name in names if name.isidentifier()}


def answer_names(source_notebook: dict) -> dict[str, list[str]]:
    """For each checkpoint of the exercise's source notebook (the one with solutions and hidden
    tests), by grade id: the variables it reads that students define. A checkpoint is a test cell,
    or a locked cell that reads such a variable. Names the locked cells define are left out: the
    check run makes them afresh from pristine data."""
    solution_names: set[str] = set()
    locked_names: set[str] = set()
    cells = [c for c in source_notebook.get("cells", []) if c.get("cell_type") == "code"]
    trees = {}
    for cell in cells:
        try:
            trees[id(cell)] = ast.parse(source(cell))
        except SyntaxError as error:
            raise ValueError(f"cell {grade_id(cell)!r} of the source notebook does not parse: {error}") from error
        if is_solution(cell):
            solution_names |= _bound(trees[id(cell)])
        elif is_locked(cell) and not is_test(cell):
            locked_names |= _bound(trees[id(cell)])
    checkpoints: dict[str, list[str]] = {}
    for cell in cells:
        cell_id = grade_id(cell)
        if not is_locked(cell) or not cell_id:
            continue
        names = (_read(trees[id(cell)], by_string=is_test(cell)) & solution_names) - locked_names
        if is_test(cell) or names:
            checkpoints[cell_id] = sorted(names)
    return checkpoints


@dataclass
class Placed:
    cell: dict
    role: str
    """release (restored as released), solution (the student's code in a solution cell),
    student (a cell the release does not have)."""
    grade_id: str | None = None
    release_index: int | None = None


def merge(release: dict, submitted: dict) -> list[Placed]:
    """The submission's cells in the student's order, with the release's own cells restored and
    the ones the student deleted put back after the cell that preceded them in the release."""
    released = [c for c in release.get("cells", []) if isinstance(c, dict)]
    by_id = {c.get("id"): i for i, c in enumerate(released) if isinstance(c.get("id"), str)}
    by_grade = {grade_id(c): i for i, c in enumerate(released) if grade_id(c)}
    cells = submitted.get("cells", []) if isinstance(submitted, dict) else []
    used: set[int] = set()
    placed: list[Placed] = []
    for cell in cells if isinstance(cells, list) else []:
        if not isinstance(cell, dict):
            continue
        index = by_id.get(cell.get("id")) if isinstance(cell.get("id"), str) else None
        if index is None or index in used:
            index = by_grade.get(grade_id(cell))
        if index is not None and index not in used:
            used.add(index)
            original = released[index]
            if is_solution(original):
                mine = copy.deepcopy(original)
                mine["source"] = source(cell)
                placed.append(Placed(mine, SOLUTION, grade_id(original), index))
            else:
                placed.append(Placed(copy.deepcopy(original), RELEASE, grade_id(original), index))
        elif cell.get("cell_type") == "code":
            own: dict = {
                "cell_type": "code",
                "metadata": {},
                "source": source(cell),
                "outputs": [],
                "execution_count": None,
            }
            placed.append(Placed(own, STUDENT))
    for index in sorted(set(range(len(released))) - used):
        before = [i for i, p in enumerate(placed) if p.release_index is not None and p.release_index < index]
        position = before[-1] + 1 if before else 0
        original = copy.deepcopy(released[index])
        placed.insert(position, Placed(original, RELEASE, grade_id(original), index))
    return placed


def _code_cell(text: str, cell_id: str) -> dict:
    return {"cell_type": "code", "id": cell_id, "metadata": {}, "source": text, "outputs": [], "execution_count": None}


# How the notebooks reach grader.grading.answers: an expression, so that no student-visible name is bound.
ANSWERS = "__import__('grader.grading.answers').grading.answers"
LOAD = f"{ANSWERS}.prepare("


def answers_path(checkpoint: str) -> str:
    return f"{ANSWERS_FOLDER}/{checkpoint}.json"


def is_load(cell: dict) -> bool:
    """Whether a cell of the check notebook is one that loads answers (and reports on them)."""
    return source(cell).startswith(LOAD)


@dataclass
class StudentRun:
    notebook: dict
    roles: list[Placed] = field(default_factory=list)
    """One per cell of `notebook`."""

    @property
    def student_code(self) -> list[str]:
        """The sources of the cells that are the student's (solution cells and added cells)."""
        return [source(p.cell) for p in self.roles if p.role in (SOLUTION, STUDENT)]


def student_run(release: dict, submitted: dict, checkpoints: dict[str, list[str]]) -> StudentRun:
    """The notebook of the student run: the merged code cells, each checkpoint starting with the
    saving of what it reads (in the cell itself: a cell of its own would cost a round trip)."""
    run = StudentRun({**{k: v for k, v in release.items() if k != "cells"}, "cells": []})
    for placed in merge(release, submitted):
        if placed.cell.get("cell_type") != "code":
            continue
        if placed.role == RELEASE and placed.grade_id in checkpoints:
            names = checkpoints[placed.grade_id]
            save = f"{ANSWERS}.save(globals(), {names!r}, {answers_path(placed.grade_id)!r})"
            placed.cell["source"] = f"{save}\n{source(placed.cell)}"
        run.notebook["cells"].append(placed.cell)
        run.roles.append(placed)
    return run


def check_notebook(release: dict, checkpoints: dict[str, list[str]], locked: dict[str, str]) -> dict:
    """The notebook of the check run, the same for every student of a language: the locked cells
    as `locked` gives them (nbgrader's gradebook: test cells with their hidden tests); before each
    checkpoint, code that loads the student's saved answers and reports whether the cell's visible
    checks pass on them. It takes the place of the solution cell just before the checkpoint, or
    is a cell of its own; every other solution cell is emptied."""
    notebook: dict[str, Any] = {k: copy.deepcopy(v) for k, v in release.items() if k != "cells"}
    notebook["cells"] = []
    for cell in release.get("cells", []):
        cell = copy.deepcopy(cell)
        checkpoint = grade_id(cell)
        if is_solution(cell) and cell.get("cell_type") == "code":
            cell["source"] = "# The student's answers are loaded before each check."
            cell["outputs"], cell["execution_count"] = [], None
        elif checkpoint in checkpoints and is_locked(cell):
            visible = source(cell) if is_test(cell) else ""
            names = checkpoints[checkpoint]
            load = f"{LOAD}globals(), {answers_path(checkpoint)!r}, {checkpoint!r}, {visible!r}, {names!r})"
            before = notebook["cells"][-1] if notebook["cells"] else None
            if before is not None and is_solution(before) and before.get("cell_type") == "code":
                before["source"] = load
            else:
                notebook["cells"].append(_code_cell(load, f"cx-load-{len(notebook['cells'])}"))
        if is_locked(cell) and checkpoint in locked:
            cell["source"] = locked[checkpoint]
        notebook["cells"].append(cell)
    return notebook

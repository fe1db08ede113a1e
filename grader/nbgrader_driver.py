"""The one module that talks to nbgrader. Everything else in the grader deals in paths and results.

nbgrader works on a course folder (`source/`, `release/`, `submitted/`, `autograded/` and a SQLite
gradebook). We build small, throw-away course folders:

- a *template* per exercise and language: `source/` with that language's notebook and the
  released files, `release/` made by `generate_assignment`, and the gradebook it fills;
- a *scratch* course per submission: a copy of the template's gradebook, the released files (never
  the solution notebook) and the one submitted notebook. Autograde runs there, so submissions
  graded side by side never share a gradebook ("database is locked") or see each other's files.
"""

from __future__ import annotations

import functools
import logging
import shutil
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import nbgrader
import nbgrader.api
from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.apps import NbGraderAPI
from nbgrader.preprocessors import (
    AssignLatePenalties,
    Execute,
    IgnorePattern,
    LimitOutput,
    SaveAutoGrades,
)
from sqlalchemy.exc import SAWarning
from traitlets.config import Config

from grader.exercises import Exercise
from grader.sandbox import KERNEL_NAME, Limits


@functools.cache
def _alembic_head() -> str:
    """The gradebook schema version nbgrader stamps on a new gradebook. nbgrader asks for it by
    running the `alembic` command (about 3 s, every time a gradebook is created); alembic's own
    API reads the same migration scripts in-process."""
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    config = AlembicConfig()
    config.set_main_option("script_location", str(Path(nbgrader.__file__).parent / "alembic"))
    return ScriptDirectory.from_config(config).get_current_head()


nbgrader.api.get_alembic_version = _alembic_head

# nbgrader's own use of SQLAlchemy warns on every autograde; the warnings say nothing to an instructor.
warnings.filterwarnings("ignore", category=SAWarning)

COURSE_ID = "cx-course"
# The stub that replaces a solution in the student version, in the notebook's language.
CODE_STUB = {
    "ca": "# ESCRIU EL TEU CODI AQUÍ\nraise NotImplementedError()",
    "es": "# ESCRIBE TU CÓDIGO AQUÍ\nraise NotImplementedError()",
    "en": "# YOUR CODE HERE\nraise NotImplementedError()",
}
TEXT_STUB = {
    "ca": "ESCRIU LA TEVA RESPOSTA AQUÍ",
    "es": "ESCRIBE TU RESPUESTA AQUÍ",
    "en": "YOUR ANSWER HERE",
}
# Python warnings on stderr (pandas' FutureWarning, DeprecationWarning...) must not zero a task:
# nbgrader scores any stderr output as a failure unless IgnorePattern removes it first.
WARNING_PATTERN = r"\b\w*Warning: "


class NbgraderError(RuntimeError):
    """nbgrader could not do what was asked; the message carries its log."""


DEFAULT_LIMITS = Limits()


@dataclass
class GradedCell:
    grade_id: str
    score: float
    max_score: float
    error: tuple[str, str] | None = None  # (ename, evalue) of the cell's error output, if any


@dataclass
class GradedNotebook:
    cells: list[GradedCell] = field(default_factory=list)
    errors: dict[str, tuple[str, str]] = field(default_factory=dict)
    """The first error of every nbgrader cell (solution cells too), by grade id."""
    log: str = ""

    @property
    def score(self) -> float:
        return sum(cell.score for cell in self.cells)

    @property
    def max_score(self) -> float:
        return sum(cell.max_score for cell in self.cells)


def _config(root: Path, lang: str = "en", limits: Limits | None = None, kernel: str | None = None) -> Config:
    config = Config()
    config.CourseDirectory.root = str(root)
    config.CourseDirectory.course_id = COURSE_ID
    config.CourseDirectory.db_url = f"sqlite:///{root / 'gradebook.db'}"
    # The exchange is not used here; pointing it inside the course keeps nbgrader from complaining
    # about the system-wide default folder.
    config.Exchange.root = str(root / "exchange")
    config.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "generate_data.py"]
    config.ClearSolutions.code_stub = {"python": CODE_STUB.get(lang, CODE_STUB["en"])}
    config.ClearSolutions.text_stub = TEXT_STUB.get(lang, TEXT_STUB["en"])
    config.OverwriteCells.add_missing_cells = True
    # nbgrader checks the cells' metadata in both passes over a notebook; the second pass reads
    # what the first already checked, at a tenth of a second per notebook.
    config.Autograde.autograde_preprocessors = [
        Execute,
        IgnorePattern,
        ClearMetadataPreprocessor,
        LimitOutput,
        SaveAutoGrades,
        AssignLatePenalties,
    ]
    config.IgnorePattern.enabled = True
    config.IgnorePattern.pattern = WARNING_PATTERN
    limits = limits or Limits()
    config.Execute.timeout = limits.cell_timeout_s
    config.Execute.interrupt_on_timeout = True
    config.Execute.raise_on_iopub_timeout = False
    # The outputs are in by then: a graceful shutdown only waits (polling) for the kernel to exit.
    config.Execute.shutdown_kernel = "immediate"
    if kernel:
        config.Execute.kernel_name = kernel
        config.OverwriteKernelspec.enabled = False
    config.NbGraderAPI.log_level = logging.WARNING
    return config


def _api(config: Config) -> NbGraderAPI:
    api = NbGraderAPI(config=config)
    api.log.setLevel(logging.WARNING)
    return api


def build_template(exercise: Exercise, lang: str, root: Path) -> Path:
    """An nbgrader course for one language of an exercise, with its gradebook; returns the
    released student notebook."""
    if root.exists():
        shutil.rmtree(root)
    source = root / "source" / exercise.id
    source.mkdir(parents=True)
    shutil.copyfile(exercise.notebook(lang), source / exercise.notebook_name(lang))
    for path in exercise.shared_files():
        target = source / path.relative_to(exercise.source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)  # follows links: the release holds real files
    result = _api(_config(root, lang)).generate_assignment(exercise.id, force=True, create=True)
    if not result["success"]:
        raise NbgraderError(f"generate_assignment failed for {exercise.notebook(lang)}:\n{result['log']}")
    return root / "release" / exercise.id / exercise.notebook_name(lang)


def autograde(
    template: Path,
    exercise: Exercise,
    lang: str,
    notebook: Path,
    student_id: str,
    scratch: Path,
    limits: Limits,
    kernel: str | None = KERNEL_NAME,
) -> GradedNotebook:
    """Grade one submitted notebook in a scratch course made from `template`."""
    scratch.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template / "gradebook.db", scratch / "gradebook.db")
    released = template / "release" / exercise.id
    source = scratch / "source" / exercise.id
    shutil.copytree(released, source, ignore=shutil.ignore_patterns("*.ipynb"))
    submitted = scratch / "submitted" / student_id / exercise.id
    submitted.mkdir(parents=True)
    name = exercise.notebook_name(lang)
    shutil.copyfile(notebook, submitted / name)

    result = _api(_config(scratch, lang, limits, kernel)).autograde(exercise.id, student_id, force=True, create=True)
    graded = GradedNotebook(log=result.get("log") or "")
    if not result["success"]:
        raise NbgraderError(result.get("log") or result.get("error") or "autograde failed")
    errors = _cell_errors(scratch / "autograded" / student_id / exercise.id / name)
    graded.errors = errors
    notebook_id = name[: -len(".ipynb")]
    with Gradebook(f"sqlite:///{scratch / 'gradebook.db'}", COURSE_ID) as gradebook:
        try:
            submission = gradebook.find_submission_notebook(notebook_id, exercise.id, student_id)
        except MissingEntry as error:
            raise NbgraderError(f"no grades were recorded: {error}") from error
        for grade in sorted(submission.grades, key=lambda g: g.cell_id or 0):
            graded.cells.append(
                GradedCell(grade.name, float(grade.score or 0), float(grade.max_score), errors.get(grade.name))
            )
    order = {grade_id: index for index, grade_id in enumerate(_grade_ids(template, exercise, lang))}
    graded.cells.sort(key=lambda cell: order.get(cell.grade_id, len(order)))
    return graded


def _cell_errors(path: Path) -> dict[str, tuple[str, str]]:
    """The first error (name, value) of each nbgrader cell in an executed notebook."""
    if not path.is_file():
        return {}
    errors: dict[str, tuple[str, str]] = {}
    for cell in nbformat.read(path, as_version=4).cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if not meta.get("grade_id") or cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                errors[meta["grade_id"]] = (output.get("ename", ""), output.get("evalue", ""))
                break
    return errors


def _grade_cells(template: Path, exercise: Exercise, lang: str) -> list[dict]:
    notebook = nbformat.read(template / "release" / exercise.id / exercise.notebook_name(lang), as_version=4)
    return [
        cell.metadata["nbgrader"]
        for cell in notebook.cells
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade")
    ]


def _grade_ids(template: Path, exercise: Exercise, lang: str) -> list[str]:
    return [meta["grade_id"] for meta in _grade_cells(template, exercise, lang)]


def max_score(template: Path, exercise: Exercise, lang: str) -> float:
    """The points a perfect submission gets, read from the released notebook."""
    return float(sum(meta.get("points", 0) for meta in _grade_cells(template, exercise, lang)))


def autograde_course(course: Path, exercise_id: str, student_ids: list[str], kernel: str | None = None) -> None:
    """Plain serial nbgrader autograde over a whole course folder: the reference the parallel
    grader is compared with (tests and benchmarks)."""
    api = _api(_config(course, kernel=kernel))
    for student_id in student_ids:
        result = api.autograde(exercise_id, student_id, force=True, create=True)
        if not result["success"]:
            logging.getLogger(__name__).warning("serial autograde of %s failed: %s", student_id, result["error"])


def course_scores(course: Path, exercise_id: str) -> dict[str, float]:
    """Each student's total score in a course gradebook."""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gradebook:
        return {
            submission.student_id: float(submission.score)
            for submission in gradebook.assignment_submissions(exercise_id)
        }

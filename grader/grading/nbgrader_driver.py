"""The one module that talks to nbgrader. Everything else in the grader deals in paths and results.

nbgrader works on a course folder (`source/`, `release/`, `submitted/`, `autograded/` and a SQLite
gradebook). We build small, throw-away course folders:

- a *template* per exercise and language: `source/` with that language's notebook and the
  released files, `release/` made by `generate_assignment`, and the gradebook it fills;
- a *scratch* course per submission: a copy of the template's gradebook, the released files (never
  the solution notebook), the check notebook and the student's saved answers (see
  grader/grading/assemble.py). Autograde runs there, so submissions graded side by side never share a
  gradebook ("database is locked"), and its kernel sees only its own folder.

Templates and scratch courses live in the batch's work folder, outside the output folder: the
template holds the solutions and its gradebook the hidden tests.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import shutil
import warnings
from dataclasses import dataclass, field
from pathlib import Path

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
from sqlalchemy import create_engine
from sqlalchemy.exc import SAWarning
from traitlets.config import Config

from grader.course import INSTRUCTORS_ONLY, SYSTEM_NAMES
from grader.exercises import Exercise
from grader.grading.answers import ANSWERS_FOLDER, MARKER
from grader.grading.assemble import grade_id, is_load
from grader.kernels.kernel_client import CLIENT_CLASS
from grader.kernels.sandbox import CHECK_KERNEL, Limits


@functools.cache
def _alembic_head() -> str:
    """The gradebook schema version nbgrader stamps on a new gradebook. nbgrader asks for it by
    running the `alembic` command (about 3 s, every time a gradebook is created); alembic's own
    API reads the same migration scripts in-process."""
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    config = AlembicConfig()
    config.set_main_option("script_location", str(Path(nbgrader.__file__).parent / "alembic"))
    head = ScriptDirectory.from_config(config).get_current_head()
    if head is None:
        raise NbgraderError("nbgrader's gradebook migrations have no head revision")
    return head


nbgrader.api.get_alembic_version = _alembic_head


@functools.cache
def _engine(db_url: str, **options):
    """One SQLAlchemy engine per gradebook in a process. nbgrader makes a new engine each of the
    nine times it opens a gradebook during one autograde, and a new engine starts with an empty
    cache of compiled SQL statements: compiling them again cost about 0.15 s per notebook. A
    closed gradebook disposes of the engine's connections, so a gradebook file replaced between
    two notebooks (the scratch course of a worker) is opened afresh."""
    return create_engine(db_url, **options)


nbgrader.api.create_engine = _engine

# nbgrader's own use of SQLAlchemy warns on every autograde; the warnings say nothing to an instructor.
warnings.filterwarnings("ignore", category=SAWarning)

COURSE_ID = "cx-course"
# The student's id inside a scratch course: short, so that the kernel's socket paths stay short.
SCRATCH_STUDENT = "s"
# nbgrader matches these against file and folder names (fnmatch).
IGNORED = (".*", *sorted(SYSTEM_NAMES), *INSTRUCTORS_ONLY)
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
    visible: dict[str, bool] = field(default_factory=dict)
    """Whether each test cell's visible checks passed on the saved answers, by grade id."""

    @property
    def score(self) -> float:
        return sum(cell.score for cell in self.cells)

    @property
    def max_score(self) -> float:
        return sum(cell.max_score for cell in self.cells)


def _config(
    root: Path,
    lang: str = "en",
    limits: Limits | None = None,
    kernel: str | None = None,
    sockets: Path | None = None,
    connection_file: Path | None = None,
) -> Config:
    config = Config()
    config.CourseDirectory.root = str(root)
    config.CourseDirectory.course_id = COURSE_ID
    config.CourseDirectory.db_url = f"sqlite:///{root / 'gradebook.db'}"
    # The exchange is not used here; pointing it inside the course keeps nbgrader from complaining
    # about the system-wide default folder.
    config.Exchange.root = str(root / "exchange")
    config.CourseDirectory.ignore = list(IGNORED)
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
        config.KernelManager.client_class = CLIENT_CLASS
    if sockets:
        # The kernel lives in namespaces of its own: it and nbgrader talk through Unix sockets in
        # the kernel's folder, the one place both see.
        config.KernelManager.transport = "ipc"
        config.KernelManager.ip = str(sockets)
    if connection_file:
        # It holds the kernel's key: in the job's folder (removed with it), not the system's /tmp.
        config.KernelManager.connection_file = str(connection_file)
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


def locked_sources(template: Path, exercise: Exercise, lang: str) -> dict[str, str]:
    """The locked cells' sources as nbgrader keeps them in the template's gradebook (test cells
    with their hidden tests), by grade id: what nbgrader's OverwriteCells would put back."""
    notebook_id = exercise.notebook_name(lang)[: -len(".ipynb")]
    with Gradebook(f"sqlite:///{template / 'gradebook.db'}", COURSE_ID) as gradebook:
        notebook = gradebook.find_notebook(notebook_id, exercise.id)
        return {cell.name: cell.source for cell in notebook.source_cells if cell.locked}


def copy_released_files(template: Path, exercise: Exercise, target: Path) -> None:
    """The released files but the notebooks (data, helpers, message catalogues) into `target`."""
    shutil.copytree(template / "release" / exercise.id, target, ignore=shutil.ignore_patterns("*.ipynb"))


def check_answers(
    template: Path,
    exercise: Exercise,
    lang: str,
    check_notebook: dict,
    answers: dict[str, bytes],
    scratch: Path,
    limits: Limits,
    kernel: str = CHECK_KERNEL,
    isolated: bool = True,
) -> GradedNotebook:
    """The check run: nbgrader autogrades `check_notebook` (the release with the solution cells
    emptied, see grader/grading/assemble.py) with the student's saved `answers` beside it, in a scratch
    course made from `template`. No student code runs here; the scores are the grades."""
    scratch.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template / "gradebook.db", scratch / "gradebook.db")
    copy_released_files(template, exercise, scratch / "source" / exercise.id)
    submitted = scratch / "submitted" / SCRATCH_STUDENT / exercise.id
    (submitted / ANSWERS_FOLDER).mkdir(parents=True)
    name = exercise.notebook_name(lang)
    (submitted / name).write_text(json.dumps(check_notebook), encoding="utf-8")
    for checkpoint, data in answers.items():
        (submitted / ANSWERS_FOLDER / f"{checkpoint}.json").write_bytes(data)
    graded_folder = scratch / "autograded" / SCRATCH_STUDENT / exercise.id
    config = _config(scratch, lang, limits, kernel, graded_folder / ".k" if isolated else None, scratch / "kernel.json")
    # The check notebook is the grader's own, built from the release with the locked cells already
    # as the gradebook keeps them (grader/grading/assemble.py): the pass that restores them and checks the
    # metadata of a student's notebook has nothing to do (0.2 s per notebook), and so have the
    # steps that trim a student's outputs and metadata, or apply a due date the scratch course has
    # not got (nbconvert validates the whole notebook after each step).
    config.Autograde.sanitize_preprocessors = []
    config.Autograde.autograde_preprocessors = [Execute, IgnorePattern, SaveAutoGrades]
    result = _api(config).autograde(exercise.id, SCRATCH_STUDENT, force=True, create=True)
    if not result["success"]:
        raise NbgraderError(result.get("log") or result.get("error") or "autograde failed")
    errors, visible = outcomes(graded_folder / name)
    order = {grade_id(cell): index for index, cell in enumerate(check_notebook["cells"])}
    cells = sorted(_scores(scratch, exercise, name[: -len(".ipynb")]), key=lambda c: order.get(c.grade_id, len(order)))
    for cell in cells:
        cell.error = errors.get(cell.grade_id)
    return GradedNotebook(cells, visible)


def _scores(course: Path, exercise: Exercise, notebook_id: str, student: str = SCRATCH_STUDENT) -> list[GradedCell]:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gradebook:
        try:
            submission = gradebook.find_submission_notebook(notebook_id, exercise.id, student)
        except MissingEntry as error:
            raise NbgraderError(f"no grades were recorded: {error}") from error
        return [GradedCell(grade.name, float(grade.score or 0), float(grade.max_score)) for grade in submission.grades]


def outcomes(path: Path) -> tuple[dict[str, tuple[str, str]], dict[str, bool]]:
    """From a notebook nbgrader executed: the first error (name, value) of each nbgrader cell, and
    the visible-check results the loading cells printed, by grade id (read from those cells only:
    a check may print what a student's answer holds)."""
    errors: dict[str, tuple[str, str]] = {}
    visible: dict[str, bool] = {}
    if not path.is_file():
        return errors, visible
    for cell in json.loads(path.read_text(encoding="utf-8")).get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        meta = cell.get("metadata", {}).get("nbgrader", {})
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error" and meta.get("grade_id") and meta["grade_id"] not in errors:
                errors[meta["grade_id"]] = (output.get("ename", ""), output.get("evalue", ""))
            elif output.get("output_type") == "stream" and is_load(cell):
                text = output.get("text", "")
                for line in ("".join(text) if isinstance(text, list) else text).splitlines():
                    if line.startswith(MARKER):
                        with contextlib.suppress(ValueError, KeyError, TypeError):
                            report = json.loads(line[len(MARKER) :])
                            visible[str(report["task"])] = bool(report["passed"])
    return errors, visible


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

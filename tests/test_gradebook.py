"""The course gradebook: a batch written into an nbgrader gradebook, on SQLite and on a real
PostgreSQL server, read back through nbgrader's own API."""

from __future__ import annotations

import csv
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest
from notebooks import MINI, student_notebook, write

from grader.exercises import load_exercise
from grader.grading.nbgrader_driver import autograde_course, build_template
from grader.outputs.gradebook import GradebookError, open_gradebook, read_scores
from grader.pipeline import grade_batch

pytestmark = pytest.mark.nbgrader


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _postgres_bin() -> Path | None:
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").is_file():
            return candidate
    found = shutil.which("initdb")
    return Path(found).parent if found else None


@pytest.fixture(scope="module")
def postgres_url():
    """A PostgreSQL server of the test's own, on 127.0.0.1, stopped at the end."""
    binaries = _postgres_bin()
    if binaries is None:
        message = "PostgreSQL is not installed: `apt-get install postgresql` (Debian) to run these tests"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    home = Path(tempfile.mkdtemp(prefix="cx-pg-", dir="/tmp"))
    data = home / "data"
    as_postgres: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root: run it as its own user
        home.chmod(0o755)
        shutil.chown(home, "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    port = _free_port()

    def run(*command: str) -> None:
        subprocess.run([*as_postgres, *command], check=True, capture_output=True, timeout=120)

    run(str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "cx", "--no-sync")
    options = f"-h 127.0.0.1 -p {port} -k {home} -c fsync=off"
    run(str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(home / "log"), "-w", "start")
    try:
        run(str(binaries / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "cx", "gradebook")
        yield f"postgresql+psycopg://cx@127.0.0.1:{port}/gradebook"
    finally:
        run(str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def gradebook(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'gradebook.db'}"
    return request.getfixturevalue("postgres_url")


def _class(mini_release, folder: Path) -> Path:
    write(student_notebook(mini_release, "ca"), folder / "anna.ipynb")
    write(student_notebook(mini_release, "es", task2='shout = "hola"'), folder / "joan.ipynb")
    write(student_notebook(mini_release, "en", task3="half = 0"), folder / "li.ipynb")
    write(student_notebook(mini_release, "en", task1="import os\nos._exit(1)"), folder / "dies.ipynb")
    (folder / "notes.txt").write_text("not a notebook")
    return folder


def test_the_gradebook_holds_exactly_the_scores_of_grades_csv_and_reruns_update_it(mini_release, tmp_path, gradebook):
    submissions = _class(mini_release, tmp_path / "in")
    batch = grade_batch(submissions, "mini", tmp_path / "out", solutions=MINI, gradebook=gradebook)
    with (tmp_path / "out" / "grades.csv").open(encoding="utf-8") as stream:
        rows = {row["student_id"]: row for row in csv.DictReader(stream)}
    graded = {s: float(r["score"]) for s, r in rows.items() if r["status"] == "graded"}
    assert graded == {"anna": 6.0, "joan": 4.0, "li": 3.0}
    scores = read_scores(gradebook, "mini")
    assert {s: scores[s] for s in graded} == graded
    assert set(scores) == {"anna", "joan", "li", "dies"}, "refused entries are not submissions"

    from nbgrader.api import Gradebook

    with Gradebook(gradebook) as book:
        assignment = book.find_assignment("mini")
        assert [n.name for n in assignment.notebooks] == ["mini"]
        assert assignment.max_score == 6.0
        failed = book.find_submission_notebook("mini", "mini", "dies")
        assert failed.flagged and failed.needs_manual_grade
        comment = book.find_comment("task2", "mini", "mini", "joan")
        joan = next(r for r in batch.results if r.student_id == "joan")
        message = next(t.message for t in joan.tasks if t.task == "2")
        assert message and comment.auto_comment == message, "the task's message, in the student's language"
        submissions_before = len(book.assignment_submissions("mini"))

    grade_batch(submissions, "mini", tmp_path / "out", solutions=MINI, gradebook=gradebook, force=True)
    with Gradebook(gradebook) as book:
        assert len(book.assignment_submissions("mini")) == submissions_before == 4
        assert len(book.students) == 4
    assert read_scores(gradebook, "mini") == scores


def test_per_cell_grades_are_what_nbgrader_autograde_writes(mini_release, tmp_path):
    submissions = _class(mini_release, tmp_path / "in")
    ours = f"sqlite:///{tmp_path / 'ours.db'}"
    grade_batch(submissions, "mini", tmp_path / "out", solutions=MINI, gradebook=ours)
    # nbgrader's own autograde of the same notebooks, one language course each.
    exercise = load_exercise("mini", MINI)
    theirs: dict[tuple[str, str], float] = {}
    for lang, students in {"ca": ["anna"], "es": ["joan"], "en": ["li"]}.items():
        course = tmp_path / f"course-{lang}"
        build_template(exercise, lang, course)
        for student in students:
            target = course / "submitted" / student / "mini" / f"mini.{lang}.ipynb"
            target.parent.mkdir(parents=True)
            shutil.copy(submissions / f"{student}.ipynb", target)
        autograde_course(course, "mini", students)
        from nbgrader.api import Gradebook

        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as book:
            for student in students:
                for grade in book.find_submission_notebook(f"mini.{lang}", "mini", student).grades:
                    theirs[(student, grade.name)] = grade.auto_score
    from nbgrader.api import Gradebook

    with Gradebook(ours) as book:
        mine = {
            (student, grade.name): grade.auto_score
            for student in ("anna", "joan", "li")
            for grade in book.find_submission_notebook("mini", "mini", student).grades
        }
    assert mine == theirs


def test_a_gradebook_that_cannot_be_opened_stops_the_batch_before_grading(tmp_path):
    with pytest.raises(GradebookError, match="cannot be opened"):
        open_gradebook("postgresql+psycopg://nobody@127.0.0.1:1/none")
    with pytest.raises(GradebookError):
        open_gradebook(f"sqlite:///{tmp_path / 'missing-folder' / 'gradebook.db'}")

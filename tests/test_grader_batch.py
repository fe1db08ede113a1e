"""The grading pipeline end to end, with real nbgrader runs on the tiny `mini` exercise: bad
input of every kind, side by side with good submissions that must not be affected."""

from __future__ import annotations

import csv
import json

import pytest
from notebooks import MINI, blank_notebook, student_notebook, with_cell_source, without_cell, write

from grader.grading.nbgrader_driver import Limits
from grader.pipeline import grade_batch

pytestmark = pytest.mark.nbgrader
LIMITS = Limits(cell_timeout_s=4, notebook_timeout_s=60, memory_mb=1024, cpu_s=60)


@pytest.fixture(scope="module")
def batch(mini_release, tmp_path_factory):
    folder = tmp_path_factory.mktemp("submissions")
    write(student_notebook(mini_release, "ca"), folder / "good_ca.ipynb")
    write(student_notebook(mini_release, "es"), folder / "good_es" / "entrega.ipynb")
    write(student_notebook(mini_release, "en", task2='shout = "hola"'), folder / "partial_en.ipynb")
    write(blank_notebook(mini_release, "es"), folder / "blank_es.ipynb")
    write(student_notebook(mini_release, "en", task1="while True:\n    pass"), folder / "infinite_loop.ipynb")
    write(student_notebook(mini_release, "ca", task1="import os\nos._exit(1)"), folder / "kernel_crash.ipynb")
    write(student_notebook(mini_release, "en", task2="import sys\nsys.exit()"), folder / "calls_exit.ipynb")
    write(
        student_notebook(mini_release, "en", task2="hog = bytearray(8 * 1024**3)"),
        folder / "memory_bomb.ipynb",
    )
    write(without_cell(student_notebook(mini_release, "es"), "task2_tests"), folder / "deleted_test.ipynb")
    edited = with_cell_source(student_notebook(mini_release, "en", task1="total = 0"), "task1_tests", "pass")
    write(edited, folder / "edited_test.ipynb")
    cheat_code = "import cxcheck as cx\ncx.expect = lambda *a, **k: None\nshout = 'x'"
    cheat = student_notebook(mini_release, "ca", task2=cheat_code)
    write(cheat, folder / "cheat.ipynb")
    long_name = "E" * 5000
    huge = f"class {long_name}(Exception):\n    pass\nraise {long_name}('x' * 100_000)"
    write(student_notebook(mini_release, "en", task1=huge), folder / "huge_error.ipynb")
    hidden = "get_ipython().showtraceback = lambda *a, **k: None\ntotal = 'fifteen'"
    write(student_notebook(mini_release, "en", task1=hidden), folder / "hides_errors.ipynb")
    probe = "import os\ntotal = 0 if any(k.startswith('NBGRADER') for k in os.environ) else sum(NUMBERS)"
    write(student_notebook(mini_release, "en", task1=probe), folder / "env_probe.ipynb")
    other = student_notebook(mini_release, "ca")
    other.metadata["cx"]["exercise"] = "kpis"
    write(other, folder / "other_exercise.ipynb")
    (folder / "invalid_json.ipynb").write_text('{"cells": [', encoding="utf-8")
    (folder / "empty.ipynb").write_bytes(b"")
    (folder / "good_es" / "notes.docx").write_bytes(b"PK\x03\x04 not a notebook")
    out = tmp_path_factory.mktemp("out")
    return grade_batch(folder, "mini", out, workers=2, limits=LIMITS, solutions=MINI, progress=False)


def _result(batch, student):
    return next(r for r in batch.results if r.student_id == student)


def test_good_submissions_get_full_marks_in_their_language(batch):
    for student, lang in [("good_ca", "ca"), ("good_es", "es")]:
        result = _result(batch, student)
        assert (result.status, result.score, result.max_score, result.language) == ("graded", 6, 6, lang)


def test_partial_credit_is_per_task_with_a_localized_message(batch):
    result = _result(batch, "partial_en")
    assert result.score == 4
    task2 = next(t for t in result.tasks if t.task == "2")
    assert (task2.points, task2.max_points) == (0, 2)
    assert task2.message == "The word must be in capitals."


def test_blank_notebook_scores_zero_and_says_the_tasks_are_not_done(batch):
    result = _result(batch, "blank_es")
    assert (result.status, result.score) == ("graded", 0)
    assert all("no está hecha" in t.message for t in result.tasks)


def test_infinite_loop_is_stopped_and_explained(batch):
    result = _result(batch, "infinite_loop")
    assert result.status == "graded"
    task1 = next(t for t in result.tasks if t.task == "1")
    assert task1.points == 0 and "4 s" in task1.message
    assert next(t for t in result.tasks if t.task == "2").points == 2, "later tasks still run"


def test_kernel_crash_fails_only_that_submission(batch):
    result = _result(batch, "kernel_crash")
    assert result.status == "failed" and "kernel died" in result.message


def test_sys_exit_and_memory_bomb_cost_only_their_task(batch):
    exits = _result(batch, "calls_exit")
    assert exits.score == 4 and "sys.exit" in next(t for t in exits.tasks if t.task == "2").message
    bomb = _result(batch, "memory_bomb")
    assert bomb.score == 4 and "memory" in next(t for t in bomb.tasks if t.task == "2").message


def test_deleted_and_edited_test_cells_are_restored(batch):
    assert _result(batch, "deleted_test").score == 6, "the deleted test cell was put back and passed"
    edited = _result(batch, "edited_test")
    assert next(t for t in edited.tasks if t.task == "1").points == 0, "the edited test ran as released"


def test_unusable_files_fail_or_are_refused_with_a_reason(batch):
    assert _result(batch, "invalid_json").message.startswith("not valid JSON")
    assert _result(batch, "empty").message == "empty file"
    other = _result(batch, "other_exercise")
    assert other.status == "rejected" and "'kpis'" in other.message
    assert any("notes.docx" in note for note in _result(batch, "good_es").notes)


def test_code_that_changes_the_checks_gains_nothing_and_is_marked_for_review(batch):
    cheat = _result(batch, "cheat")
    assert cheat.score == 4, "task 2 is checked where the student's code never ran"
    assert any("cx.expect" in reason for reason in cheat.review)
    assert not _result(batch, "good_ca").review
    report = (batch.out / "report.html").read_text(encoding="utf-8")
    assert "Marked for review by hand" in report and "cx.expect" in report
    feedback = (batch.out / "feedback" / "cheat.html").read_text(encoding="utf-8")
    assert "cx.expect" not in feedback and "review" not in feedback.lower()


def test_what_student_code_raises_reaches_the_outputs_cut_short(batch):
    task1 = next(t for t in _result(batch, "huge_error").tasks if t.task == "1")
    assert task1.points == 0 and task1.message.startswith("Your code for this task stopped with an error: EEE")
    assert len(task1.message) < 300
    for path in (batch.out / "feedback" / "huge_error.html", batch.out / "grades.csv", batch.out / "report.html"):
        assert "x" * 300 not in path.read_text(encoding="utf-8") and "E" * 300 not in path.read_text(encoding="utf-8")


def test_a_task_that_passed_only_in_the_students_kernel_is_marked_for_review(batch):
    result = _result(batch, "hides_errors")
    assert next(t for t in result.tasks if t.task == "1").points == 0
    assert any(reason.startswith("task 1: its visible checks passed in the student's run") for reason in result.review)
    with (batch.out / "grades.csv").open(encoding="utf-8", newline="") as stream:
        row = next(r for r in csv.DictReader(stream) if r["student_id"] == "hides_errors")
    assert "task 1: its visible checks passed" in row["review"]
    assert "hides_errors" in (batch.out / "report.html").read_text(encoding="utf-8")
    assert "visible checks" not in (batch.out / "feedback" / "hides_errors.html").read_text(encoding="utf-8")


def test_student_code_sees_none_of_the_graders_environment(batch):
    # The probe scores task 1 only when no NBGRADER_* variable is visible to the kernel.
    assert _result(batch, "env_probe").score == 6


def test_a_warning_on_stderr_does_not_zero_a_task(batch):
    # The third check of `mini` prints a FutureWarning before it asserts.
    task3 = next(t for t in _result(batch, "good_ca").tasks if t.task == "3")
    assert task3.points == 3


def test_every_student_gets_a_json_result_feedback_and_a_csv_row(batch):
    students = {r.student_id for r in batch.results}
    assert {p.stem for p in (batch.out / "results").glob("*.json")} == students
    assert {p.stem for p in (batch.out / "feedback").glob("*.html")} == students
    with (batch.out / "grades.csv").open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert {row["student_id"] for row in rows} == students
    assert list(rows[0])[:8] == [
        "student_id",
        "raw_id",
        "exercise",
        "language",
        "score",
        "max_score",
        "status",
        "message",
    ]
    assert {row["isolated"] for row in rows} == {"yes"}
    data = json.loads((batch.out / "results" / "partial_en.json").read_text(encoding="utf-8"))
    assert set(data) >= {"student_id", "exercise", "language", "score", "max_score", "status", "tasks"}
    assert set(data["tasks"][0]) == {"task", "points", "max_points", "message", "key"}


def test_feedback_is_localized_and_never_shows_hidden_tests(batch):
    html = (batch.out / "feedback" / "blank_es.html").read_text(encoding="utf-8")
    assert '<html lang="es"' in html and "Puntuación" in html
    for result in batch.results:
        html = (batch.out / "feedback" / f"{result.student_id}.html").read_text(encoding="utf-8")
        assert "HIDDEN TESTS" not in html
        assert "total == 15" not in html and "7.5" not in html, "hidden test code leaked into feedback"


def test_report_lists_failures_and_has_a_distribution(batch):
    html = (batch.out / "report.html").read_text(encoding="utf-8")
    assert "<svg" in html and "kernel died" in html and "empty file" in html
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "") and "https://" not in html
    assert not batch.all_graded


def test_a_notebook_over_its_whole_time_limit_fails_without_hurting_others(mini_release, tmp_path):
    # Each cell stays under the cell limit; together they run past the notebook's limit.
    slow = "import time\ntime.sleep(2.5)\n"
    notebook = student_notebook(
        mini_release,
        "en",
        task1=slow + "total = sum(NUMBERS)",
        task2=slow + "shout = 'HOLA'",
        task3=slow + "half = 7.5",
    )
    write(notebook, tmp_path / "in" / "slow.ipynb")
    write(student_notebook(mini_release, "ca"), tmp_path / "in" / "quick.ipynb")
    limits = Limits(cell_timeout_s=4, notebook_timeout_s=5, memory_mb=1024, cpu_s=60)
    batch = grade_batch(
        tmp_path / "in", "mini", tmp_path / "out", workers=2, limits=limits, solutions=MINI, progress=False
    )
    slow_result = next(r for r in batch.results if r.student_id == "slow")
    assert slow_result.status == "failed" and "5 s" in slow_result.message
    assert next(r for r in batch.results if r.student_id == "quick").score == 6

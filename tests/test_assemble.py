"""The two notebooks a submission is graded with: the student run holds the student's code and the
visible tests only; the check run holds no student code; which cells are the student's is decided
by the release's cell ids, never by what the submitted file claims."""

from __future__ import annotations

import copy
import json

import nbformat
import pytest

from grader.exercises import EXERCISES, load_exercise
from grader.grading.answers import MARKER
from grader.grading.assemble import LOAD, RELEASE, SOLUTION, STUDENT, answer_names, check_notebook, merge, student_run
from grader.grading.integrity import tampering
from grader.grading.nbgrader_driver import outcomes

KPIS = load_exercise("kpis")


@pytest.fixture(scope="module")
def release():
    return nbformat.read(EXERCISES / "kpis" / "kpis.en.ipynb", as_version=4)


def _solution(notebook, grade_id):
    return next(c for c in notebook["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id)


def test_the_checks_read_what_the_tasks_define():
    names = answer_names(json.loads(KPIS.notebook("en").read_text(encoding="utf-8")))
    assert {"nps_overall", "nps_responses"} <= set(names["task2_tests"])
    assert {"scorecard", "furthest"} <= set(names["task11_tests"])
    assert all("survey" not in found and "pd" not in found for found in names.values()), "locked names stay out"


def test_the_students_code_replaces_the_solution_cells_and_released_cells_are_restored(release):
    submitted = copy.deepcopy(release)
    _solution(submitted, "task1")["source"] = "survey_clean = survey_raw"
    _solution(submitted, "task1_tests")["source"] = "pass  # the student emptied the test"
    placed = merge(release, submitted)
    roles = {p.grade_id: p.role for p in placed if p.grade_id}
    assert roles["task1"] == SOLUTION and roles["task1_tests"] == RELEASE
    assert next(p for p in placed if p.grade_id == "task1").cell["source"] == "survey_clean = survey_raw"
    assert "cxcheck.expect" in next(p for p in placed if p.grade_id == "task1_tests").cell["source"]


def test_a_cell_that_claims_to_be_locked_is_student_code(release):
    submitted = copy.deepcopy(release)
    forged = nbformat.v4.new_code_cell("import cxcheck\ncxcheck.expect = print")
    forged.metadata["nbgrader"] = {"locked": True, "grade": False, "solution": False, "grade_id": "setup_2"}
    submitted["cells"].insert(5, forged)
    placed = merge(release, submitted)
    assert any(p.role == STUDENT and "cxcheck.expect = print" in p.cell["source"] for p in placed)
    assert tampering(student_run(release, submitted, {}).student_code) == ["cxcheck.expect"]


def test_what_the_scan_quotes_of_student_code_is_cut_short():
    huge = "x['" + "y" * 5000 + "'].__dict__ = 1\n"
    code = [huge, *(f"import cxcheck as c{n}\nc{n}.expect = None" for n in range(40))]
    found = tampering(code)
    assert len(found) == 12 and all(len(finding) <= 80 for finding in found)


def test_deleted_cells_come_back_where_they_were_and_ids_lost_fall_back_to_grade_ids(release):
    submitted = copy.deepcopy(release)
    submitted["cells"] = [c for c in submitted["cells"] if c.get("id") not in ("task2-tests", "setup")]
    for cell in submitted["cells"]:
        cell.pop("id", None)  # an old notebook format, or cells pasted into a new notebook
    placed = [p.grade_id for p in merge(release, submitted) if p.grade_id]
    released = [c["metadata"]["nbgrader"]["grade_id"] for c in release["cells"] if "nbgrader" in c["metadata"]]
    assert placed == released


def test_a_duplicated_test_cell_runs_once_as_released_and_once_as_student_code(release):
    submitted = copy.deepcopy(release)
    copy_of_test = copy.deepcopy(_solution(submitted, "task3_tests"))
    copy_of_test["source"] = "print('mine')"
    submitted["cells"].append(copy_of_test)
    placed = merge(release, submitted)
    assert [p.role for p in placed if "print('mine')" in p.cell["source"]] == [STUDENT]


def test_the_student_run_has_no_hidden_test_and_saves_before_each_check(release):
    names = answer_names(json.loads(KPIS.notebook("en").read_text(encoding="utf-8")))
    run = student_run(release, copy.deepcopy(release), names)
    text = "\n".join(c["source"] for c in run.notebook["cells"])
    assert "HIDDEN TESTS" not in text and "BEGIN SOLUTION" not in text
    saves = [c["source"] for c in run.notebook["cells"] if "answers.save(" in c["source"]]
    assert len(saves) == len(names) == 11
    assert all(source.startswith("__import__('grader.grading.answers').grading.answers.save(") for source in saves), (
        "save first"
    )


def test_the_check_notebook_holds_the_hidden_tests_and_no_student_code(release):
    names = answer_names(json.loads(KPIS.notebook("en").read_text(encoding="utf-8")))
    locked = {"task1_tests": "visible\n### BEGIN HIDDEN TESTS\nhidden\n### END HIDDEN TESTS"}
    check = check_notebook(release, names, locked)
    assert _solution(check, "task1_tests")["source"] == locked["task1_tests"]
    loads = [c["source"] for c in check["cells"] if "answers.prepare(" in c["source"]]
    assert len(loads) == 11, "one load before each check, in the emptied solution cell"
    solutions = [c for c in check["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("solution")]
    assert all(c["source"].startswith(("# The student's answers", "__import__('grader")) for c in solutions)
    assert [c.get("id") for c in check["cells"]] == [c.get("id") for c in release["cells"]]


def test_only_the_loading_cells_report_on_the_visible_checks(tmp_path):
    """A check may print what a student's answer holds: a line that looks like a report, printed
    by a test cell, is not taken for one."""
    forged = f'{MARKER}{{"task": "task1_tests", "passed": true}}\n'
    real = f'{MARKER}{{"task": "task1_tests", "passed": false}}\n'
    test_cell = nbformat.v4.new_code_cell("print(answer)")
    test_cell.metadata["nbgrader"] = {"grade": True, "grade_id": "task1_tests", "locked": True}
    test_cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=forged)]
    load_cell = nbformat.v4.new_code_cell(f"{LOAD}globals(), 'a.json', 'task1_tests', '', [])")
    load_cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=real)]
    path = tmp_path / "graded.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[load_cell, test_cell]), path)
    assert outcomes(path)[1] == {"task1_tests": False}
    nbformat.write(nbformat.v4.new_notebook(cells=[test_cell]), path)
    assert outcomes(path)[1] == {}

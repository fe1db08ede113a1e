"""Export: CSV files that survive commas, quotes and spreadsheet formulas."""

from __future__ import annotations

import csv

from grader.messages import message
from grader.outputs.export import export_all, spreadsheet_safe
from grader.results import Result


def _results():
    return [
        Result("12345", "kpis", "ca", 18.5, 26, "graded", notes=["kept the latest, ignored a, b"]),
        Result('=HYPERLINK("http://x")', "kpis", "es", 0, 26, "failed", message='empty file, "really"'),
        Result("+33", "kpis", "en", 26, 26, "graded"),
        Result("777", "kpis", "ca", 20, 26, "graded", review=["task 3: passed only in the student's run"]),
    ]


def _rows(path):
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.reader(stream))


def test_grades_csv_quotes_every_field_and_defuses_formulas(tmp_path):
    export_all(_results(), tmp_path, {"12345": "Puig, Anna"}, "kpis")
    rows = _rows(tmp_path / "grades.csv")
    header = "student_id raw_id exercise language score max_score status message review isolated"
    assert rows[0] == header.split()
    assert rows[1] == [
        "12345",
        "12345",
        "kpis",
        "ca",
        "18.5",
        "26",
        "graded",
        "kept the latest, ignored a, b",
        "",
        "yes",
    ]
    assert rows[2][0] == '\'=HYPERLINK("http://x")' and rows[2][7] == 'empty file, "really"'
    assert rows[3][0] == "'+33"
    text = (tmp_path / "grades.csv").read_text(encoding="utf-8")
    assert text.splitlines()[1].startswith('"12345","12345","kpis"')


def test_moodle_and_canvas_files_have_their_import_columns(tmp_path):
    export_all(_results(), tmp_path, {"12345": "Puig, Anna"}, "kpis")
    moodle = _rows(tmp_path / "moodle-grades.csv")
    assert moodle[0] == ["Identifier", "Full name", "Grade", "Maximum grade", "Feedback comments"]
    assert moodle[1][:4] == ["Participant 12345", "Puig, Anna", "18.5", "26"]
    assert moodle[2][4] == message("es", "failed_for_student"), "in the student's language, in the grader's words"
    canvas = _rows(tmp_path / "canvas-grades.csv")
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "kpis"]
    assert canvas[1] == ["Puig, Anna", "12345", "", "", "", "18.5"]


def test_spreadsheet_safe_leaves_ordinary_text_alone():
    assert spreadsheet_safe("Anna") == "Anna"
    assert spreadsheet_safe("@SUM(A1)") == "'@SUM(A1)"
    assert spreadsheet_safe(3.0) == "3"


def test_instructor_notes_and_review_reasons_stay_out_of_what_students_see(tmp_path):
    export_all(_results(), tmp_path, {}, "kpis")
    grades = _rows(tmp_path / "grades.csv")
    assert grades[4][8] == "task 3: passed only in the student's run"
    moodle = (tmp_path / "moodle-grades.csv").read_text(encoding="utf-8")
    assert "kept the latest" not in moodle and "student's run" not in moodle and "really" not in moodle
    unisolated = Result("9", "kpis", "es", 3, 26, "graded", isolated=False)
    export_all([unisolated], tmp_path, {}, "kpis")
    assert _rows(tmp_path / "grades.csv")[1][9] == "no (--no-isolation)"

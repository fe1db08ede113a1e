"""Export: CSV files that survive commas, quotes and spreadsheet formulas."""

from __future__ import annotations

import csv

from grader.export import export_all, spreadsheet_safe
from grader.results import Result


def _results():
    return [
        Result("12345", "kpis", "ca", 18.5, 26, "graded", notes=["kept the latest, ignored a, b"]),
        Result('=HYPERLINK("http://x")', "kpis", "es", 0, 26, "failed", message='empty file, "really"'),
        Result("+33", "kpis", "en", 26, 26, "graded"),
    ]


def _rows(path):
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.reader(stream))


def test_grades_csv_quotes_every_field_and_defuses_formulas(tmp_path):
    export_all(_results(), tmp_path, {"12345": "Puig, Anna"}, "kpis")
    rows = _rows(tmp_path / "grades.csv")
    assert rows[0] == ["student_id", "exercise", "language", "score", "max_score", "status", "message"]
    assert rows[1] == ["12345", "kpis", "ca", "18.5", "26", "graded", "kept the latest, ignored a, b"]
    assert rows[2][0] == '\'=HYPERLINK("http://x")' and rows[2][6] == 'empty file, "really"'
    assert rows[3][0] == "'+33"
    text = (tmp_path / "grades.csv").read_text(encoding="utf-8")
    assert text.splitlines()[1].startswith('"12345","kpis"')


def test_moodle_and_canvas_files_have_their_import_columns(tmp_path):
    export_all(_results(), tmp_path, {"12345": "Puig, Anna"}, "kpis")
    moodle = _rows(tmp_path / "moodle-grades.csv")
    assert moodle[0] == ["Identifier", "Full name", "Grade", "Maximum grade", "Feedback comments"]
    assert moodle[1][:4] == ["Participant 12345", "Puig, Anna", "18.5", "26"]
    canvas = _rows(tmp_path / "canvas-grades.csv")
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "kpis"]
    assert canvas[1] == ["Puig, Anna", "12345", "", "", "", "18.5"]


def test_spreadsheet_safe_leaves_ordinary_text_alone():
    assert spreadsheet_safe("Anna") == "Anna"
    assert spreadsheet_safe("@SUM(A1)") == "'@SUM(A1)"
    assert spreadsheet_safe(3.0) == "3"

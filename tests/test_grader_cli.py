"""The command line through its entry points, as an instructor runs it."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest
from notebooks import MINI, as_bytes, student_notebook, write

pytestmark = pytest.mark.nbgrader


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True, cwd=cwd)


def test_every_command_has_help_with_an_example():
    for command in ("release", "grade", "check"):
        result = run(command, "--help")
        assert result.returncode == 0 and "Example:" in result.stdout
    assert "Exit codes" in run("--help").stdout


def test_unusable_input_exits_2_with_a_clear_message(tmp_path):
    missing = run(
        "grade",
        str(tmp_path / "nowhere.zip"),
        "--exercise",
        "mini",
        "--out",
        str(tmp_path / "o"),
        "--solutions",
        str(MINI),
    )
    assert missing.returncode == 2 and "nowhere.zip: no such file" in missing.stderr
    unknown = run("grade", str(tmp_path), "--exercise", "nope", "--out", str(tmp_path / "o"), "--solutions", str(MINI))
    assert unknown.returncode == 2 and "unknown exercise 'nope'" in unknown.stderr


def test_grade_a_moodle_zip_with_a_broken_submission_exits_1(mini_release, tmp_path):
    source = tmp_path / "moodle.zip"
    with zipfile.ZipFile(source, "w") as archive:
        archive.writestr(
            "Anna Puig_11_assignsubmission_file_/mini.ca.ipynb",
            as_bytes(student_notebook(mini_release, "ca")),
        )
        archive.writestr("Joan Vila_22_assignsubmission_file_/mini.ca.ipynb", b"")
    result = run("grade", str(source), "--exercise", "mini", "--out", str(tmp_path / "out"), "--solutions", str(MINI))
    assert result.returncode == 1, result.stderr
    assert "22: failed: empty file" in result.stdout
    assert (tmp_path / "out" / "report.html").is_file()
    assert "Participant 11" in (tmp_path / "out" / "moodle-grades.csv").read_text(encoding="utf-8")


def test_check_prints_the_result_task_by_task_in_the_notebooks_language(mini_release, tmp_path):
    notebook = write(student_notebook(mini_release, "ca", task2='shout = "hola"'), tmp_path / "meu.ipynb")
    result = subprocess.run(
        [sys.executable, "-m", "grader", "check", str(notebook), "--solutions", str(MINI)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "Puntuació: 4 / 6" in result.stdout
    assert "Tasca 2: 0/2  Cal la paraula en majúscules." in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["meu.ipynb"], "check leaves nothing behind"


def test_console_script_is_installed():
    import shutil

    executable = shutil.which("cx-grader") or str(__import__("pathlib").Path(sys.executable).parent / "cx-grader")
    result = subprocess.run([executable, "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "cx-grader" in result.stdout

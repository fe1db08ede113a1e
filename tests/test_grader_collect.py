"""Collect: every input format, and unsafe or odd entries refused one by one."""

from __future__ import annotations

import stat
import zipfile

import pytest
from notebooks import MINI, as_bytes, student_notebook, write

from grader.exercises import load_exercise
from grader.intake import collect as collect_module
from grader.intake.collect import UnusableInput, collect

EXERCISE = load_exercise("mini", MINI)


def _zip(path, entries):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data, *date in entries:
            info = zipfile.ZipInfo(name, date[0] if date else (2026, 3, 1, 10, 0, 0))
            archive.writestr(info, data)
    return path


def test_moodle_zip_gives_participant_ids_names_and_languages(mini_release, tmp_path):
    source = _zip(
        tmp_path / "moodle.zip",
        [
            (
                "Anna Puig_12345_assignsubmission_file_/mini.ca.ipynb",
                as_bytes(student_notebook(mini_release, "ca")),
            ),
            (
                "José Pérez_67890_assignsubmission_file_/entrega.ipynb",
                as_bytes(student_notebook(mini_release, "es")),
            ),
            ("José Pérez_67890_assignsubmission_onlinetext_/onlinetext.html", b"<p>hola</p>"),
        ],
    )
    collected = collect(source, EXERCISE, tmp_path / "out")
    assert collected.format == "moodle"
    found = {s.student_id: (s.name, s.language) for s in collected.submissions}
    assert found == {"12345": ("Anna Puig", "ca"), "67890": ("José Pérez", "es")}
    assert [r.reason for r in collected.rejected] == ["not a notebook (.ipynb): not graded"]


def test_canvas_zip_gives_user_ids_including_late_ones(mini_release, tmp_path):
    source = _zip(
        tmp_path / "canvas.zip",
        [
            ("puiganna_12345_999001_mini.ca.ipynb", as_bytes(student_notebook(mini_release, "ca"))),
            ("perezjose_LATE_67890_999002_mini-1.ipynb", as_bytes(student_notebook(mini_release, "en"))),
        ],
    )
    collected = collect(source, EXERCISE, tmp_path / "out")
    assert collected.format == "canvas"
    assert {s.student_id: s.language for s in collected.submissions} == {"12345": "ca", "67890": "en"}
    assert (tmp_path / "out" / "67890.ipynb").is_file()


def test_nbgrader_submitted_folder_uses_its_timestamps(mini_release, tmp_path):
    submitted = tmp_path / "submitted"
    write(student_notebook(mini_release, "en"), submitted / "s001" / "mini" / "mini.en.ipynb")
    (submitted / "s001" / "mini" / "timestamp.txt").write_text("2026-03-01 10:00:00.000000 UTC")
    collected = collect(submitted, EXERCISE, tmp_path / "out")
    assert collected.format == "nbgrader"
    assert [(s.student_id, s.submitted_at[:10]) for s in collected.submissions] == [("s001", "2026-03-01")]
    assert collected.rejected == []


def test_folder_of_notebooks_both_layouts(mini_release, tmp_path):
    folder = tmp_path / "in"
    write(student_notebook(mini_release, "ca"), folder / "a1.ipynb")
    write(student_notebook(mini_release, "es"), folder / "b2" / "whatever.ipynb")
    collected = collect(folder, EXERCISE, tmp_path / "out")
    assert collected.format == "folder"
    assert {s.student_id: s.language for s in collected.submissions} == {"a1": "ca", "b2": "es"}


def test_language_falls_back_to_the_file_name_and_the_lang_cell(mini_release, tmp_path):
    notebook = student_notebook(mini_release, "es")
    del notebook.metadata["cx"]
    write(notebook, tmp_path / "in" / "x1" / "mini.es.ipynb")
    write(notebook, tmp_path / "in" / "x2" / "entrega.ipynb")
    collected = collect(tmp_path / "in", EXERCISE, tmp_path / "out")
    assert {s.student_id: s.language for s in collected.submissions} == {"x1": "es", "x2": "es"}


def test_unsafe_zip_entries_are_refused_and_nothing_escapes(mini_release, tmp_path, monkeypatch):
    good = as_bytes(student_notebook(mini_release, "ca"))
    monkeypatch.setattr(collect_module, "MAX_NOTEBOOK_BYTES", len(good) + 10)
    source = tmp_path / "evil.zip"
    with zipfile.ZipFile(source, "w") as archive:
        archive.writestr("ok1.ipynb", good)
        archive.writestr("../escape.ipynb", good)
        archive.writestr("/abs/escape2.ipynb", good)
        link = zipfile.ZipInfo("linked.ipynb")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
        archive.writestr("big.ipynb", good + b" " * 100)
    collected = collect(source, EXERCISE, tmp_path / "out" / "submissions")
    assert [s.student_id for s in collected.submissions] == ["ok1"]
    reasons = {r.source: r.reason for r in collected.rejected}
    assert "unsafe path" in reasons["../escape.ipynb"] and "unsafe path" in reasons["/abs/escape2.ipynb"]
    assert "symbolic link" in reasons["linked.ipynb"]
    assert "larger than" in reasons["big.ipynb"]
    assert not (tmp_path / "out" / "escape.ipynb").exists() and not (tmp_path / "escape.ipynb").exists()


def test_links_in_a_folder_are_refused(mini_release, tmp_path):
    folder = tmp_path / "in"
    write(student_notebook(mini_release, "ca"), folder / "real.ipynb")
    (folder / "sneaky.ipynb").symlink_to(folder / "real.ipynb")
    collected = collect(folder, EXERCISE, tmp_path / "out")
    assert [s.student_id for s in collected.submissions] == ["real"]
    assert "symbolic link" in collected.rejected[0].reason


def test_two_notebooks_from_one_student_keep_the_latest_and_say_so(mini_release, tmp_path):
    early = as_bytes(student_notebook(mini_release, "ca", task1="total = 0"))
    late = as_bytes(student_notebook(mini_release, "ca"))
    source = _zip(
        tmp_path / "moodle.zip",
        [
            ("Anna Puig_12345_assignsubmission_file_/draft.ipynb", early, (2026, 3, 1, 9, 0, 0)),
            ("Anna Puig_12345_assignsubmission_file_/final.ipynb", late, (2026, 3, 2, 9, 0, 0)),
        ],
    )
    collected = collect(source, EXERCISE, tmp_path / "out")
    [submission] = collected.submissions
    assert submission.source.endswith("final.ipynb")
    assert (tmp_path / "out" / "12345.ipynb").read_bytes() == late
    assert "(the latest)" in submission.notes[0] and "draft.ipynb" in submission.notes[0]


def test_unusable_input_is_an_error_not_a_batch(tmp_path):
    with pytest.raises(UnusableInput, match="no such file"):
        collect(tmp_path / "missing.zip", EXERCISE, tmp_path / "out")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(UnusableInput, match="not a zip"):
        collect(tmp_path / "notes.txt", EXERCISE, tmp_path / "out")

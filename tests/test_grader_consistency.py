"""Side by side and again: parallel grading gives serial nbgrader's scores, and re-runs only grade
what is new."""

from __future__ import annotations

import json
import shutil

import pytest
from notebooks import FIXTURES, MINI, blank_notebook, in_language, student_notebook, write

from grader.exercises import EXERCISES, all_exercises, load_exercise
from grader.grading.nbgrader_driver import autograde_course, build_template, course_scores
from grader.pipeline import grade_batch

pytestmark = pytest.mark.nbgrader
EXERCISE = load_exercise("mini", MINI)


def _class(mini_release):
    return {
        "s01": student_notebook(mini_release, "en"),
        "s02": student_notebook(mini_release, "en", task2='shout = "x"'),
        "s03": blank_notebook(mini_release, "en"),
        "s04": student_notebook(mini_release, "en", task1="total = 14"),
        "s05": student_notebook(mini_release, "en", task3="half = 7"),
        "s06": student_notebook(mini_release, "en", task1="total = '15'"),
    }


def test_parallel_scores_equal_plain_serial_nbgrader(mini_release, tmp_path):
    notebooks = _class(mini_release)
    course = tmp_path / "course"
    build_template(EXERCISE, "en", course)
    for student, notebook in notebooks.items():
        write(notebook, course / "submitted" / student / "mini" / "mini.en.ipynb")
        write(notebook, tmp_path / "batch" / f"{student}.ipynb")
    autograde_course(course, "mini", sorted(notebooks))
    serial = course_scores(course, "mini")

    batch = grade_batch(tmp_path / "batch", "mini", tmp_path / "out", workers=3, solutions=MINI, progress=False)
    parallel = {r.student_id: r.score for r in batch.results}
    assert parallel == serial
    assert sorted(set(serial.values())) == [0, 2, 3, 4, 6], "the class covers several scores"


@pytest.mark.parametrize("exercise", all_exercises(), ids=lambda e: e.id)
def test_every_fixture_scores_what_plain_serial_nbgrader_gives_it(exercise, tmp_path):
    """The course's fixture submissions (each in one language, the languages taking turns): plain
    `nbgrader autograde` gives each the score in `expected.json`, which is what cx-grader's two runs
    with isolated kernels give it in every language (test_exercises_graded): the two agree."""
    fixtures = sorted((FIXTURES / exercise.id).glob("*.ipynb"))
    students = {}
    for index, fixture in enumerate(fixtures):
        lang = exercise.languages[index % len(exercise.languages)]
        students[fixture.stem] = (lang, in_language(fixture, EXERCISES / exercise.id, exercise.id, lang))
    serial = {}
    for lang in exercise.languages:
        course = tmp_path / f"course-{lang}"
        build_template(exercise, lang, course)
        mine = sorted(s for s, (student_lang, _) in students.items() if student_lang == lang)
        for student in mine:
            write(students[student][1], course / "submitted" / student / exercise.id / exercise.notebook_name(lang))
        autograde_course(course, exercise.id, mine)
        serial.update(course_scores(course, exercise.id))
    expected = json.loads((FIXTURES / exercise.id / "expected.json").read_text(encoding="utf-8"))
    assert serial == {name.removesuffix(".ipynb"): float(score) for name, score in expected.items()}
    assert len(set(serial.values())) >= 3, "the fixtures cover several scores"


def test_rerun_grades_nothing_again_late_work_alone_and_force_everything(mini_release, tmp_path):
    folder = tmp_path / "in"
    for student, notebook in list(_class(mini_release).items())[:3]:
        write(notebook, folder / f"{student}.ipynb")
    out = tmp_path / "out"
    first = grade_batch(folder, "mini", out, workers=2, solutions=MINI, progress=False)
    before = {p.name: p.read_text() for p in (out / "results").glob("*.json")}
    assert first.info.graded_now == 3

    again = grade_batch(folder, "mini", out, workers=2, solutions=MINI, progress=False)
    assert (again.info.graded_now, again.info.reused) == (0, 3)
    assert {p.name: p.read_text() for p in (out / "results").glob("*.json")} == before

    write(student_notebook(mini_release, "ca"), folder / "late.ipynb")
    late = grade_batch(folder, "mini", out, workers=2, solutions=MINI, progress=False)
    assert (late.info.graded_now, late.info.reused) == (1, 3)
    assert json.loads((out / "results" / "late.json").read_text())["score"] == 6

    forced = grade_batch(folder, "mini", out, workers=2, force=True, solutions=MINI, progress=False)
    assert forced.info.graded_now == 4
    assert {r.student_id: r.score for r in forced.results} == {r.student_id: r.score for r in late.results}


def test_a_changed_submission_is_graded_again(mini_release, tmp_path):
    folder = tmp_path / "in"
    write(blank_notebook(mini_release, "ca"), folder / "s1.ipynb")
    out = tmp_path / "out"
    assert grade_batch(folder, "mini", out, solutions=MINI, progress=False).results[0].score == 0
    shutil.rmtree(folder)
    write(student_notebook(mini_release, "ca"), folder / "s1.ipynb")
    rerun = grade_batch(folder, "mini", out, solutions=MINI, progress=False)
    assert (rerun.info.graded_now, rerun.results[0].score) == (1, 6)


def test_progress_bar_shows_on_request_and_stays_quiet_otherwise(mini_release, tmp_path, capfd):
    write(student_notebook(mini_release, "ca"), tmp_path / "in" / "s1.ipynb")
    grade_batch(tmp_path / "in", "mini", tmp_path / "quiet", solutions=MINI, progress=None)
    assert capfd.readouterr().err == "", "not a terminal: no progress bar"
    grade_batch(tmp_path / "in", "mini", tmp_path / "shown", solutions=MINI, progress=True)
    err = capfd.readouterr().err
    assert "Grading" in err and "1/1" in err and "notebook" in err

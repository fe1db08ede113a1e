"""The exercises as nbgrader grades them: `exercises/` is what the release makes of `solutions/`,
every fixture submission gets its expected score in every language, and no solution or hidden test
reaches a student (in `exercises/`, in the downloads or on the site)."""

from __future__ import annotations

import html
import json
import re
import zipfile

import pytest
from leaks import decoded, leaks, secret_lines
from notebooks import in_language, write

from cxsite.exercises import build_zip
from grader.exercises import EXERCISES, all_exercises
from grader.pipeline import grade_batch
from grader.release import differences, release

pytestmark = pytest.mark.nbgrader
FIXTURES = EXERCISES.parent / "tests" / "fixtures"
GRADED = [e for e in all_exercises() if (FIXTURES / e.id / "expected.json").is_file()]


def test_exercises_folder_is_what_the_release_makes(tmp_path):
    release(target=tmp_path)
    assert differences(tmp_path, EXERCISES) == [], "exercises/ is out of date: run `cx-grader release`"


def test_every_exercise_ships_fixture_submissions():
    assert {e.id for e in GRADED} == {e.id for e in all_exercises()}


@pytest.mark.parametrize("exercise", GRADED, ids=lambda e: e.id)
def test_fixture_submissions_get_their_expected_scores_in_every_language(exercise, tmp_path):
    expected = json.loads((FIXTURES / exercise.id / "expected.json").read_text(encoding="utf-8"))
    kinds = set(expected)
    assert {"reference.ipynb", "blank.ipynb", "alternative.ipynb"} <= kinds and len(kinds) >= 6
    for name in expected:
        for lang in exercise.languages:
            notebook = in_language(FIXTURES / exercise.id / name, EXERCISES / exercise.id, exercise.id, lang)
            write(notebook, tmp_path / "in" / f"{name.removesuffix('.ipynb')}.{lang}.ipynb")
    batch = grade_batch(tmp_path / "in", exercise.id, tmp_path / "out", progress=False)
    scores = {f"{r.student_id.rsplit('.', 1)[0]}.ipynb": set() for r in batch.results}
    for result in batch.results:
        assert result.language == result.student_id.rsplit(".", 1)[1]
        scores[f"{result.student_id.rsplit('.', 1)[0]}.ipynb"].add(result.score)
    assert scores == {name: {float(score)} for name, score in expected.items()}
    full = batch.results[0].max_score
    assert expected["reference.ipynb"] == expected["alternative.ipynb"] == full and expected["blank.ipynb"] == 0
    for result in batch.results:
        assert not result.review, f"{result.student_id}: an honest notebook marked for review"
        missed = [t for t in result.tasks if t.points < t.max_points]
        assert all(t.message for t in missed), f"{result.student_id}: a lost task without a message"


SECRETS = secret_lines()


def test_there_are_secrets_to_look_for():
    assert all(len(lines) >= 10 for lines in SECRETS.values()), SECRETS.keys()


@pytest.mark.parametrize("exercise", all_exercises(), ids=lambda e: e.id)
def test_no_solution_or_hidden_test_in_the_student_version(exercise):
    for path in sorted((EXERCISES / exercise.id).rglob("*")):
        if path.is_file() and path.suffix in {".ipynb", ".py", ".json", ".md", ".txt"}:
            assert leaks(decoded(path.read_text(encoding="utf-8")), SECRETS[exercise.id]) == [], path


@pytest.mark.parametrize("exercise", all_exercises(), ids=lambda e: e.id)
def test_no_solution_or_hidden_test_in_the_downloads(exercise, tmp_path):
    for lang in exercise.languages:
        path = tmp_path / f"{exercise.id}-{lang}.zip"
        path.write_bytes(build_zip(EXERCISES / exercise.id, lang))
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            assert f"{exercise.id}/{exercise.id}.{lang}.ipynb" in names
            assert not any(n.endswith(".ipynb") and f".{lang}." not in n for n in names), "other languages"
            assert not any("generate_data" in n for n in names)
            for name in names:
                text = archive.read(name).decode("utf-8", errors="replace")
                assert leaks(decoded(text), SECRETS[exercise.id]) == [], f"{path.name}:{name}"


def test_no_solution_or_hidden_test_on_the_site(site_dir):
    every_secret = set().union(*SECRETS.values())
    for page in site_dir.rglob("*.html"):
        text = html.unescape(re.sub(r"<[^>]+>", "\n", page.read_text(encoding="utf-8")))
        assert leaks(text, every_secret) == [], page
    downloads = list(site_dir.rglob("downloads/*.zip"))
    assert len(downloads) == 3 * len(all_exercises())

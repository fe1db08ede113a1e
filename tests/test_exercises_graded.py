"""The exercises as nbgrader grades them: `exercises/` is what the release makes of `solutions/`,
every fixture submission gets its expected score, and no solution or hidden test reaches a student
(in `exercises/`, in the downloads or on the site)."""

from __future__ import annotations

import html
import json
import re
import zipfile

import pytest

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
def test_fixture_submissions_get_their_expected_scores(exercise, tmp_path):
    expected = json.loads((FIXTURES / exercise.id / "expected.json").read_text(encoding="utf-8"))
    kinds = set(expected)
    assert {"reference.ipynb", "blank.ipynb", "alternative.ipynb"} <= kinds and len(kinds) >= 6
    batch = grade_batch(FIXTURES / exercise.id, exercise.id, tmp_path / "out", workers=2, progress=False)
    scores = {f"{r.student_id}.ipynb": r.score for r in batch.results}
    assert scores == {name: float(score) for name, score in expected.items()}
    full = batch.results[0].max_score
    assert scores["reference.ipynb"] == scores["alternative.ipynb"] == full and scores["blank.ipynb"] == 0
    for result in batch.results:
        missed = [t for t in result.tasks if t.points < t.max_points]
        assert all(t.message for t in missed), f"{result.student_id}: a lost task without a message"


# What must never reach a student: the lines inside solution and hidden-test blocks that do not
# also stand, word for word, somewhere a student may see them.
BLOCK = re.compile(r"### BEGIN (SOLUTION|HIDDEN TESTS)\n(.*?)### END \1", re.DOTALL)


def _secret_lines() -> dict[str, set[str]]:
    secrets = {}
    for exercise in all_exercises():
        lines, visible = set(), set()
        for lang in exercise.languages:
            notebook = json.loads(exercise.notebook(lang).read_text(encoding="utf-8"))
            for cell in notebook["cells"]:
                text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
                hidden = "".join(m.group(2) for m in BLOCK.finditer(text))
                lines |= {line.strip() for line in hidden.splitlines()}
                visible |= {line.strip() for line in BLOCK.sub("", text).splitlines()}
        secrets[exercise.id] = {line for line in lines - visible if len(line) >= 20 and not line.startswith("#")}
    return secrets


SECRETS = _secret_lines()
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


def _leaks(text: str, secrets: set[str]) -> list[str]:
    """Markers anywhere, and secret lines standing as whole lines (a visible comment such as
    `# result = pd.DataFrame(...)` may contain a secret line's words without giving it away)."""
    found = [marker for marker in MARKERS if marker in text]
    lines = {line.strip() for line in text.splitlines()}
    return found + sorted(secrets & lines)


def _decoded(text: str) -> str:
    # Notebooks store sources as JSON strings: compare their decoded text.
    try:
        notebook = json.loads(text)
    except ValueError:
        return text
    cells = notebook.get("cells", []) if isinstance(notebook, dict) else []
    return "\n".join("".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in cells) or text


def test_there_are_secrets_to_look_for():
    assert all(len(lines) >= 10 for lines in SECRETS.values()), SECRETS.keys()


@pytest.mark.parametrize("exercise", all_exercises(), ids=lambda e: e.id)
def test_no_solution_or_hidden_test_in_the_student_version(exercise):
    for path in sorted((EXERCISES / exercise.id).rglob("*")):
        if path.is_file() and path.suffix in {".ipynb", ".py", ".json", ".md", ".txt"}:
            assert _leaks(_decoded(path.read_text(encoding="utf-8")), SECRETS[exercise.id]) == [], path


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
                assert _leaks(_decoded(text), SECRETS[exercise.id]) == [], f"{path.name}:{name}"


def test_no_solution_or_hidden_test_on_the_site(site_dir):
    every_secret = set().union(*SECRETS.values())
    for page in site_dir.rglob("*.html"):
        text = html.unescape(re.sub(r"<[^>]+>", "\n", page.read_text(encoding="utf-8")))
        assert _leaks(text, every_secret) == [], page
    downloads = list(site_dir.rglob("downloads/*.zip"))
    assert len(downloads) == 3 * len(all_exercises())

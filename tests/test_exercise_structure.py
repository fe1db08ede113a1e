"""The exercise notebooks follow the course's conventions: the same code in every language, nbgrader
metadata that grades task by task, localized messages for every check, and exercise pages whose
task tables agree with the notebooks. Also unit tests of the shared helper `cxcheck`."""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
import string
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
PAGES = ROOT / "course" / "exercises"
LANGUAGES = ("ca", "es", "en")
GRADE_ID = re.compile(r"^[a-zA-Z0-9_\-]*$")
EXERCISES = sorted(
    p.name
    for p in SOLUTIONS.iterdir()
    if p.is_dir() and not p.name.startswith(("_", ".")) and any(p.glob(f"{p.name}.*.ipynb"))
)
DOWNLOAD_LABEL = {"ca": "Descarrega el quadern", "es": "Descarga el cuaderno", "en": "Download the notebook"}


def notebook(exercise: str, lang: str) -> dict:
    return json.loads((SOLUTIONS / exercise / f"{exercise}.{lang}.ipynb").read_text(encoding="utf-8"))


def source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def nbgrader(cell: dict) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def code_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def grade_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if nbgrader(c).get("grade")]


def catalogue(exercise: str, lang: str) -> dict:
    return json.loads((SOLUTIONS / exercise / "messages" / f"{lang}.json").read_text(encoding="utf-8"))


def message_calls(code: str) -> list[tuple[str | None, set[str]]]:
    """(key, keyword names) of every `cxcheck.expect(cond, key, ...)` and `cxcheck.msg(key, ...)`;
    the key is None when it is not a string literal."""
    code = "\n".join(line for line in code.splitlines() if not line.lstrip().startswith(("%", "!")))
    calls = []
    for node in ast.walk(ast.parse(code)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if not (isinstance(node.func.value, ast.Name) and node.func.value.id == "cxcheck"):
            continue
        position = {"expect": 1, "msg": 0}.get(node.func.attr)
        if position is None:
            continue
        arg = node.args[position] if len(node.args) > position else None
        key = arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None
        calls.append((key, {k.arg for k in node.keywords if k.arg}))
    return calls


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def task_number(grade_id: str) -> int:
    match = re.fullmatch(r"task(\d+)_tests", grade_id)
    assert match, f"grade cell {grade_id!r} should be named taskN_tests"
    return int(match.group(1))


def notebook_points(exercise: str) -> list[tuple[int, float]]:
    cells = grade_cells(notebook(exercise, "en"))
    return [(task_number(nbgrader(c)["grade_id"]), nbgrader(c)["points"]) for c in cells]


pytestmark = pytest.mark.skipif(not EXERCISES, reason="no exercise notebooks yet")


def test_the_two_first_exercises_exist():
    assert {"kpis", "multichannel-plan"} <= set(EXERCISES)


@pytest.mark.parametrize("exercise", EXERCISES)
def test_every_language_has_its_notebook_and_catalogue(exercise):
    for lang in LANGUAGES:
        assert (SOLUTIONS / exercise / f"{exercise}.{lang}.ipynb").is_file()
        assert (SOLUTIONS / exercise / "messages" / f"{lang}.json").is_file()


@pytest.mark.parametrize("exercise", EXERCISES)
def test_helper_is_a_relative_symlink_to_the_shared_module(exercise):
    link = SOLUTIONS / exercise / "cxcheck.py"
    assert link.is_symlink(), f"{link} should be a symlink to ../_common/cxcheck.py"
    assert os.readlink(link) == "../_common/cxcheck.py"
    assert link.resolve() == (SOLUTIONS / "_common" / "cxcheck.py").resolve()


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("exercise", EXERCISES)
def test_notebook_metadata_and_opening_cells(exercise, lang):
    nb = notebook(exercise, lang)
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    assert nb["metadata"]["cx"] == {"exercise": exercise, "language": lang}
    cells = nb["cells"]
    assert cells[0]["cell_type"] == "markdown" and source(cells[0]).lstrip().startswith("# ")
    language = [c for c in code_cells(nb) if nbgrader(c).get("grade_id") == "language"]
    assert len(language) == 1 and code_cells(nb)[0] is language[0], "the first code cell sets the language"
    assert source(language[0]) == f'LANG = "{lang}"'
    meta = nbgrader(language[0])
    assert (meta["locked"], meta["grade"], meta["solution"]) == (True, False, False)
    setup = code_cells(nb)[1]
    assert nbgrader(setup).get("grade_id") == "setup" and nbgrader(setup).get("locked") is True
    assert "import cxcheck" in source(setup) and "cxcheck.set_language(LANG)" in source(setup)
    absolute = re.search(r"read_csv\(\s*[\"'](/|\.\.)", source(setup))
    assert not absolute, "data paths are relative to the notebook"


@pytest.mark.parametrize("exercise", EXERCISES)
def test_code_cells_are_identical_in_every_language_but_the_language_cell(exercise):
    reference = [(nbgrader(c), source(c)) for c in code_cells(notebook(exercise, LANGUAGES[0]))]
    for lang in LANGUAGES[1:]:
        other = [(nbgrader(c), source(c)) for c in code_cells(notebook(exercise, lang))]
        assert len(other) == len(reference), f"{lang}: a different number of code cells"
        for (meta_a, code_a), (meta_b, code_b) in zip(reference, other, strict=True):
            assert meta_a == meta_b, f"{lang}: nbgrader metadata differ ({meta_a.get('grade_id')})"
            if meta_a.get("grade_id") != "language":
                assert code_a == code_b, f"{lang}: cell {meta_a.get('grade_id')} differs from {LANGUAGES[0]}"


@pytest.mark.parametrize("exercise", EXERCISES)
def test_markdown_structure_is_the_same_in_every_language(exercise):
    shapes = {}
    for lang in LANGUAGES:
        nb = notebook(exercise, lang)
        shapes[lang] = [
            (c["cell_type"], [h.count("#") for h in re.findall(r"^#+(?= )", source(c), re.M)])
            if c["cell_type"] == "markdown"
            else (c["cell_type"], nbgrader(c).get("grade_id"))
            for c in nb["cells"]
        ]
    assert shapes["es"] == shapes["ca"] and shapes["en"] == shapes["ca"]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("exercise", EXERCISES)
def test_grade_cells_give_partial_credit(exercise, lang):
    nb = notebook(exercise, lang)
    graded = grade_cells(nb)
    assert 8 <= len(graded) <= 12, f"{len(graded)} graded tasks"
    ids = [nbgrader(c)["grade_id"] for c in nb["cells"] if nbgrader(c)]
    assert len(ids) == len(set(ids)), "grade ids are unique"
    assert all(GRADE_ID.match(i) for i in ids)
    total = 0
    for cell in graded:
        meta = nbgrader(cell)
        assert meta["locked"] is True and meta["solution"] is False
        assert meta.get("points", 0) > 0
        total += meta["points"]
        code = source(cell)
        assert code.count("### BEGIN HIDDEN TESTS") == 1 and code.count("### END HIDDEN TESTS") == 1
        visible, hidden = code.split("### BEGIN HIDDEN TESTS")
        assert "cxcheck.expect(" in visible and 'cxcheck.msg("visible_ok")' in visible
        assert "cxcheck.expect(" in hidden
        assert not re.search(r"^\s*assert\b", code, re.M), "checks go through cxcheck.expect (localized)"
    assert 20 <= total <= 30, f"{total} points"
    numbers = [task_number(nbgrader(c)["grade_id"]) for c in graded]
    assert numbers == list(range(1, len(graded) + 1))


@pytest.mark.parametrize("exercise", EXERCISES)
def test_every_task_has_a_solution_cell_before_its_tests(exercise):
    cells = notebook(exercise, "en")["cells"]
    ids = [nbgrader(c).get("grade_id") for c in cells]
    for cell in cells:
        meta = nbgrader(cell)
        if meta.get("solution"):
            code = source(cell)
            assert meta["grade"] is False and meta["locked"] is False
            assert code.count("### BEGIN SOLUTION") == 1 and code.count("### END SOLUTION") == 1
            before = code.split("### BEGIN SOLUTION")[0]
            assert re.search(r"^# \S", before, re.M), f"{meta['grade_id']}: say which variable to define"
    for grade_id in [i for i in ids if i and i.endswith("_tests")]:
        task = grade_id.removesuffix("_tests")
        assert task in ids and ids.index(task) < ids.index(grade_id), f"{task} comes before {grade_id}"


@pytest.mark.parametrize("exercise", EXERCISES)
def test_catalogues_have_the_same_keys_and_placeholders(exercise):
    catalogues = {lang: catalogue(exercise, lang) for lang in LANGUAGES}
    keys = set(catalogues["en"])
    for lang, messages in catalogues.items():
        assert set(messages) == keys, f"{lang}: {sorted(set(messages) ^ keys)}"
        assert all(isinstance(v, str) and v.strip() for v in messages.values())
    for key in keys:
        found = {lang: placeholders(catalogues[lang][key]) for lang in LANGUAGES}
        assert found["ca"] == found["es"] == found["en"], f"{key}: {found}"


@pytest.mark.parametrize("exercise", EXERCISES)
def test_every_message_used_exists_with_its_values(exercise):
    nb = notebook(exercise, "en")
    messages = catalogue(exercise, "en")
    used = set()
    for cell in code_cells(nb):
        for key, keywords in message_calls(source(cell)):
            assert key is not None, "message keys are string literals, so that this test can check them"
            assert key in messages, f"{key!r} is not in messages/en.json"
            missing = placeholders(messages[key]) - keywords
            assert not missing, f"{key!r} needs {sorted(missing)}"
            used.add(key)
    assert "visible_ok" in used


# --- exercise pages ----------------------------------------------------------------------------------


def page(name: str, lang: str) -> str:
    return (PAGES / f"{name}.{lang}.md").read_text(encoding="utf-8")


def front_matter(text: str) -> tuple[dict, str]:
    import yaml

    match = re.match(r"^---\n(.*?)\n---\n(.*)$", text, re.S)
    assert match, "the page starts with front matter"
    return yaml.safe_load(match.group(1)), match.group(2)


def task_table(body: str) -> list[tuple[int, float]]:
    """(task, points) from the rows of Markdown tables whose first cell is a task number."""
    rows = []
    for line in body.splitlines():
        cells = [c.strip().strip("*") for c in line.strip().strip("|").split("|")]
        if line.lstrip().startswith("|") and len(cells) >= 3 and cells[0].isdigit():
            rows.append((int(cells[0]), float(cells[-1].replace(",", "."))))
    return rows


@pytest.mark.parametrize("lang", LANGUAGES)
def test_exercises_index_page(lang):
    meta, body = front_matter(page("index", lang))
    assert set(meta) == {"title"}
    assert not re.search(r"^# ", body, re.M)
    for name in (
        "kpis",
        "multichannel-plan",
        "strategy-design",
        "change-plan",
        "journey-map",
        "automation-case",
        "voice-of-customer",
    ):
        assert name in body
    assert "(kpis.md)" in body and "(multichannel-plan.md)" in body
    # The setup commands themselves are checked in tests/test_exercise_setup.py.
    assert "-m pip install -r requirements.txt" in body and "-m jupyterlab" in body


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("exercise", EXERCISES)
def test_exercise_page_matches_the_notebook(exercise, lang):
    path = PAGES / f"{exercise}.{lang}.md"
    if not path.is_file() and exercise not in ("kpis", "multichannel-plan", "journey-map", "voice-of-customer"):
        pytest.skip(f"{path.relative_to(ROOT)} is not written yet")
    assert path.is_file(), f"{path.relative_to(ROOT)} is missing"
    meta, body = front_matter(path.read_text(encoding="utf-8"))
    assert set(meta) == {"title"} and meta["title"].strip()
    assert not re.search(r"^# ", body, re.M), "no level-1 heading: the site writes the title"
    assert task_table(body) == notebook_points(exercise), "the task table must list the notebook's points"
    assert f"[{DOWNLOAD_LABEL[lang]}](downloads/{exercise}-{lang}.zip)" in body


# --- cxcheck -----------------------------------------------------------------------------------------


@pytest.fixture()
def cxcheck(tmp_path):
    spec = importlib.util.spec_from_file_location("cxcheck_under_test", SOLUTIONS / "_common" / "cxcheck.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    (tmp_path / "messages").mkdir()
    (tmp_path / "messages" / "ca.json").write_text(
        json.dumps({"hello": "Hola, {name}!", "plain": "Res"}), encoding="utf-8"
    )
    module.set_language("ca", tmp_path)
    return module


def test_cxcheck_messages_and_expect(cxcheck):
    assert cxcheck.language() == "ca"
    assert cxcheck.msg("hello", name="Anna") == "Hola, Anna!"
    assert cxcheck.msg("plain") == "Res"
    assert cxcheck.msg("missing", x=1).startswith("[missing]")
    cxcheck.expect(True, "hello", name="x")
    with pytest.raises(AssertionError, match="Hola, Marc!"):
        cxcheck.expect(False, "hello", name="Marc")
    with pytest.raises(AssertionError, match="Res"):
        cxcheck.expect(0, "plain", key="a value called key is fine")


def test_cxcheck_comparisons(cxcheck):
    import numpy as np
    import pandas as pd

    assert cxcheck.is_number(3) and cxcheck.is_number(np.float64(2.5)) and cxcheck.is_number(np.int64(4))
    assert not any(cxcheck.is_number(x) for x in (True, "3", None, float("nan"), pd.Series([1.0])))
    assert cxcheck.close(10.0, 10.04, 0.05) and not cxcheck.close(10.0, 10.1, 0.05)
    assert cxcheck.close(1000, 1009, rel=0.01) and not cxcheck.close("1", 1)
    ref = pd.Series({"a": 1.0, "b": 2.0, "store": float("nan")})
    assert cxcheck.series_close({"a": 1.001, "b": 2.0}, ref, tol=0.01)
    assert cxcheck.series_close(pd.Series({"a": 1.0, "b": 2.0, "store": np.nan}), ref)
    assert not cxcheck.series_close({"a": 1.0}, ref)
    assert not cxcheck.series_close({"a": 1.0, "b": 2.0, "c": 3.0}, ref)
    assert not cxcheck.series_close({"a": 1.0, "b": 2.0, "store": 5.0}, ref)
    assert cxcheck.series_close(pd.DataFrame({"x": [1.0, 2.0]}, index=["a", "b"]), {"a": 1, "b": 2})
    assert cxcheck.series_close({"a": 1.0, "b": 2.0, "z": np.nan}, {"a": 1, "b": 2}, allow_extra_nan=True)
    assert cxcheck.as_series(pd.Series(["x", "y"])) is None
    assert cxcheck.same_items(["b", "a", "a"], pd.Index(["a", "b"]))
    assert cxcheck.same_items({"a"}, np.array(["a"])) and not cxcheck.same_items("ab", ["a", "b"])
    assert cxcheck.as_list(pd.Series([1, 2])) == [1, 2] and cxcheck.as_list({"a": 1}) is None

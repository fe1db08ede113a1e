"""What a student reads about a failed check: the exercise's own words, by the key the check
reported, with every value cut short; never a text of unbounded length from the check kernel."""

from __future__ import annotations

import importlib.util
import json

import pytest

from grader.exercises import SOLUTIONS, load_exercise
from grader.kernels.sandbox import CHECK_MODE_VARIABLE
from grader.messages import ERROR_CHARACTERS, STRUCTURED_PREFIX, VALUE_CHARACTERS, check_message

KPIS = load_exercise("kpis")


@pytest.fixture(scope="module")
def cxcheck():
    spec = importlib.util.spec_from_file_location("cxcheck_under_test", SOLUTIONS / "_common" / "cxcheck.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.set_language("es", SOLUTIONS / "kpis")
    return module


def test_the_grader_and_the_checks_agree_on_the_report_format(cxcheck):
    assert (cxcheck.STRUCTURED_PREFIX, cxcheck.VALUE_CHARACTERS) == (STRUCTURED_PREFIX, VALUE_CHARACTERS)
    assert cxcheck.STRUCTURED_VARIABLE == CHECK_MODE_VARIABLE, "check kernels switch the report format on"


def test_a_check_reports_its_key_when_the_grader_runs_it_and_words_it_for_a_student_otherwise(cxcheck, monkeypatch):
    with pytest.raises(AssertionError) as plain:
        cxcheck.expect(False, "missing_variable", name="csat")
    assert "`csat`" in str(plain.value) and not str(plain.value).startswith(STRUCTURED_PREFIX)
    monkeypatch.setenv(cxcheck.STRUCTURED_VARIABLE, "1")
    with pytest.raises(AssertionError) as structured:
        cxcheck.expect(False, "missing_variable", name="x" * 10_000)
    report = json.loads(str(structured.value).removeprefix(STRUCTURED_PREFIX))
    assert report["key"] == "missing_variable" and len(report["values"]["name"]) == VALUE_CHARACTERS


def test_the_message_comes_from_the_catalogue_in_the_students_language():
    evalue = STRUCTURED_PREFIX + json.dumps({"key": "missing_variable", "values": {"name": "csat"}})
    for lang in ("ca", "es", "en"):
        assert check_message(KPIS, lang, evalue) == KPIS.catalogue(lang)["missing_variable"].format(name="csat")


def test_values_are_cut_short_and_anything_else_is_bounded():
    long_value = STRUCTURED_PREFIX + json.dumps({"key": "missing_variable", "values": {"name": "y" * 5000}})
    assert len(check_message(KPIS, "en", long_value)) < len(KPIS.catalogue("en")["missing_variable"]) + 130
    assert check_message(KPIS, "en", STRUCTURED_PREFIX + json.dumps({"key": "no such key"})) == ""
    assert check_message(KPIS, "en", STRUCTURED_PREFIX + "{broken") == ""
    assert len(check_message(KPIS, "en", "z" * 10_000)) == ERROR_CHARACTERS

"""Content validation before the build: every page in every language, the lesson frame, module
pages, translation parity, and the facts that the graders share with the lessons."""

from __future__ import annotations

import re

import pytest

from cxsite.course import DOCS, load_course, source, source_path
from cxsite.glossary import load_glossary
from cxsite.languages import LANGUAGES, LESSON_TAIL_SECTIONS, UI
from cxsite.validate import check_lesson, check_module, check_parity, missing_translations

COURSE = load_course()


def _id(page: str) -> str:
    return page.removesuffix(".md").replace("-", "_").replace("/", "-")


def test_every_page_exists_in_every_language():
    assert missing_translations(list(COURSE.pages), DOCS) == []


def test_the_course_has_seven_modules_of_at_least_three_lessons():
    assert [m.number for m in COURSE.modules] == [1, 2, 3, 4, 5, 6, 7]
    assert all(len(m.lessons) >= 3 for m in COURSE.modules)
    # Issue 12's lessons sit at the end of the module they belong to.
    lessons = {m.number: m.lessons for m in COURSE.modules}
    assert lessons[3][-1] == "module-3/accessibility-inclusion.md"
    assert lessons[4][-1] == "module-4/service-recovery.md"
    assert lessons[5][-1] == "module-5/cx-governance.md"


@pytest.mark.parametrize("page", COURSE.lessons, ids=_id)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_lesson_follows_the_frame(page, lang):
    assert check_lesson(source(page, lang)) == []


@pytest.mark.parametrize("page", [m.index for m in COURSE.modules], ids=_id)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_module_page_has_a_real_introduction(page, lang):
    assert check_module(source(page, lang)) == []


@pytest.mark.parametrize("page", COURSE.pages, ids=_id)
def test_translations_have_the_same_structure(page):
    versions = {lang: source(page, lang) for lang in LANGUAGES if source_path(page, lang).is_file()}
    assert check_parity(versions) == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_kpi_lesson_states_the_nps_convention_the_graders_use(lang):
    text = source("module-4/kpis.md", lang).body
    for band in ("0–6", "7–8", "9–10"):
        assert band in text, f"{source_path('module-4/kpis.md', lang)} does not give the NPS band {band}"
    assert re.search(r"[−-]100", text) and re.search(r"\+?100\b", text), "the NPS range −100 to +100 is missing"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_organisational_change_lesson_names_the_adkar_stages_in_order(lang):
    text = source("module-5/organisational-change.md", lang).body
    stages = ["Awareness", "Desire", "Knowledge", "Ability", "Reinforcement"]
    positions = [text.find(stage) for stage in stages]
    assert -1 not in positions, f"missing ADKAR stages: {[s for s, p in zip(stages, positions, strict=True) if p < 0]}"
    assert positions == sorted(positions), "the ADKAR stages are not in order"


def test_glossary_defines_at_least_25_terms_in_every_language():
    glossary = load_glossary()
    for lang in LANGUAGES:
        assert len(glossary[lang]) >= 25
    abbreviations = {t.abbr for t in glossary["ca"] if t.abbr}
    assert {"CX", "NPS", "CSAT", "CES", "CLV", "CRM", "FCR", "SLA", "KPI"} <= abbreviations


def test_every_language_has_the_same_interface_strings_and_section_titles():
    keys = set(UI[LANGUAGES[0]])
    assert all(set(UI[lang]) == keys for lang in LANGUAGES)
    assert set(LESSON_TAIL_SECTIONS) == set(LANGUAGES)


@pytest.mark.parametrize("lang", ["ca", "es", "en"])
def test_the_instructors_page_lists_every_exercise(lang):
    from grader.exercises import all_exercises

    text = (DOCS / f"instructors.{lang}.md").read_text(encoding="utf-8")
    for exercise in all_exercises():
        assert f"| `{exercise.id}` |" in text and f"(exercises/{exercise.id}.md)" in text, exercise.id

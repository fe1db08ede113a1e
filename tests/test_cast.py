"""One cast: every fictional company keeps the name and the size that course/_data/cast.yml gives it,
in every language and on every page (lessons, module pages, exercises, home, glossary)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxsite.cast import CastError, load_cast, unknown_companies, wrong_names, wrong_sizes
from cxsite.course import DOCS, source_path
from cxsite.languages import LANGUAGES
from cxsite.prose import Segment, course_pages, glossary_segments, segments

CAST = load_cast()
PAGES = course_pages()


def _id(path: Path) -> str:
    return str(path.relative_to(DOCS))


def _segment(text: str, lang: str) -> Segment:
    return Segment(Path(f"course/example.{lang}.md"), 1, text, "", "prose", lang)


def test_the_cast_resolves_the_contradictions_of_the_november_review():
    by_id = {member.id: member for member in CAST}
    # Energia Clara had 350,000 / 250,000 / 120,000 / 180,000 customers; one size now, and the
    # churn-model and maturity examples moved to another supplier with their own figures.
    assert by_id["energia-clara"].allowed("customers") == {180000}
    assert by_id["volta-energia"].allowed("customers") == {120000}
    # Connecta Mòbil had 12,000 and about 400,000 customers.
    assert 12000 not in by_id["connecta-mobil"].allowed("customers")
    assert {"Clear Energy", "Clear Light Energy", "Energía Clara"} <= set(by_id["energia-clara"].avoid)
    assert {"Horizon Bank", "Banco Horizonte"} <= set(by_id["banc-horitzo"].avoid)
    assert "Conecta Telecom" in by_id["connecta-telecom"].avoid
    assert "Banco Sierra" in by_id["banc-serra"].avoid


def test_a_cast_entry_without_a_name_or_with_an_unknown_unit_is_refused(tmp_path):
    broken = tmp_path / "cast.yml"
    broken.write_text("- id: x\n  size: [{value: 3, unit: customers}]\n", encoding="utf-8")
    with pytest.raises(CastError, match="name"):
        load_cast(broken)
    broken.write_text("- id: x\n  name: X\n  size: [{value: 3, unit: planets}]\n", encoding="utf-8")
    with pytest.raises(CastError, match="unit"):
        load_cast(broken)


@pytest.mark.parametrize("member", CAST, ids=lambda m: m.id)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_page_of_a_company_names_it_as_the_cast_does(member, lang):
    for page in member.used_in:
        path = source_path(page + ".md", lang)
        if not path.is_file():
            continue  # a page still being written; tests/test_content.py reports missing translations
        assert member.names[lang] in path.read_text(encoding="utf-8"), f"{path} should name {member.names[lang]!r}"


@pytest.mark.parametrize("path", PAGES, ids=_id)
def test_a_page_that_names_a_company_is_listed_in_its_used_in(path):
    # used_in is where a writer looks before changing a company's figures: it must be complete.
    lang = path.suffixes[-2].lstrip(".")
    page = str(path.relative_to(DOCS))[: -len(f".{lang}.md")]
    text = path.read_text(encoding="utf-8")
    unlisted = [m.id for m in CAST if m.names[lang] in text and page not in m.used_in]
    assert unlisted == [], f"add {page} to `used_in` of {unlisted} in course/_data/cast.yml"


@pytest.mark.parametrize("path", PAGES, ids=_id)
def test_no_page_uses_a_wrong_company_name(path):
    assert [p for s in segments(path) for p in wrong_names(s, CAST)] == []


def test_the_glossary_uses_no_wrong_company_name():
    assert [p for s in glossary_segments() for p in wrong_names(s, CAST)] == []


@pytest.mark.parametrize("path", PAGES, ids=_id)
def test_sizes_next_to_a_company_name_match_the_cast(path):
    assert [p for s in segments(path) for p in wrong_sizes(s, CAST)] == []


@pytest.mark.parametrize("path", PAGES, ids=_id)
def test_every_fictional_company_a_page_introduces_is_in_the_cast(path):
    assert [p for s in segments(path) for p in unknown_companies(s, CAST)] == []


def test_the_checks_find_the_mistakes_the_review_found():
    # A translated name, a size from another lesson, and a company the cast does not know.
    assert wrong_names(_segment("*Clear Energy* is a fictional electricity supplier.", "en"), CAST)
    assert wrong_names(_segment("*Banco Horizonte* tiene 40.000 clientes.", "es"), CAST)
    assert wrong_sizes(_segment("Energia Clara és una comercialitzadora amb 350.000 clients.", "ca"), CAST)
    assert wrong_sizes(_segment("Connecta Mòbil is an operator with 12,000 contract customers.", "en"), CAST)
    assert unknown_companies(_segment("Gas del Nord és una distribuïdora fictícia.", "ca"), CAST)
    # ...and leave the right text alone.
    assert wrong_sizes(_segment("Energia Clara is a supplier with 180,000 household customers.", "en"), CAST) == []
    assert wrong_sizes(_segment("Banc Horitzó té 200.000 clients i 40 oficines.", "ca"), CAST) == []
    assert wrong_names(_segment("Its brand promise is “clear energy, no small print”.", "en"), CAST) == []
    assert unknown_companies(_segment("Una *persona* és un personatge fictici.", "ca"), CAST) == []

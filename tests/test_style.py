"""One voice: Catalan and Spanish address the learner as tu / tú, and each language writes numbers
its own way (ca/es 22 %, 70 €, 1.491, 0,5; en 22%, €70, 1,491, 0.5), on every page and in the glossary."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxsite.course import DOCS
from cxsite.prose import Segment, course_pages, glossary_segments, segments
from cxsite.style import number_style, register

PAGES = course_pages()


def _id(path: Path) -> str:
    return str(path.relative_to(DOCS))


def _segment(text: str, lang: str) -> Segment:
    return Segment(Path(f"course/example.{lang}.md"), 1, text, "", "prose", lang)


@pytest.mark.parametrize("path", [p for p in PAGES if p.suffixes[-2] in (".ca", ".es")], ids=_id)
def test_catalan_and_spanish_pages_address_the_learner_as_tu(path):
    assert [p for s in segments(path) for p in register(s)] == []


@pytest.mark.parametrize("path", PAGES, ids=_id)
def test_numbers_follow_the_style_of_the_page_language(path):
    assert [p for s in segments(path) for p in number_style(s)] == []


def test_the_glossary_follows_the_same_style():
    assert [p for s in glossary_segments() for p in number_style(s) + register(s)] == []


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Trieu un recorregut que hàgiu viscut com a clients.", "ca"),
        ("2. Feu una taula amb vuit punts de contacte.", "ca"),
        ("Si algun terme us resulta nou, el trobareu al glossari.", "ca"),
        ("Reviseu-ho amb aquesta llista.", "ca"),
        ("Partiu de la taula que vau fer.", "ca"),
        ("Elegid un recorrido que hayáis vivido.", "es"),
        ("1. Calculad la media de todos los momentos.", "es"),
        ("Revisadlo con esta lista.", "es"),
        ("Si algún término os resulta nuevo, lo encontraréis en el glosario.", "es"),
        ("Calcule el NPS de la muestra.", "es"),
        ("Como usted ya sabe, el NPS va de −100 a +100.", "es"),
    ],
)
def test_plural_and_formal_address_is_found(text, lang):
    assert register(_segment(text, lang))


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Tria un recorregut que hagis viscut i revisa'l amb aquesta llista.", "ca"),
        ("El correu de l'empresa diu «ens vau dir això, hem fet això altre».", "ca"),
        ("Si l'agent diu «si us plau, posa'm un 10», la puntuació no val (vegeu la lliçó 2).", "ca"),
        ("El preu és breu i greu; el museu europeu és a l'altre peu del riu. El model preveu i extreu temes.", "ca"),
        ("Elige un recorrido, revísalo y calcula la media. La calidad y la lealtad importan.", "es"),
        ("Marketing leads with Lead, Need and Embed.", "es"),
    ],
)
def test_tu_address_and_ordinary_words_are_not_flagged(text, lang):
    assert register(_segment(text, lang)) == []


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Va de 22% a 30 %.", "ca"),
        ("Una compra de €70.", "es"),
        ("Un total de 1,491 respostes.", "ca"),
        ("Una encuesta con 1850 respuestas.", "es"),
        ("El marge és de 0.30 sobre el preu.", "ca"),
        ("Churn fell from 21 % to 17 %.", "en"),
        ("Simple CLV is 3 × 70 × 3 = 630 €.", "en"),
        ("The survey had 1.850 answers.", "en"),
        ("A margin of 0,30.", "en"),
        ("They sent 12000 invitations.", "en"),
    ],
)
def test_numbers_in_another_languages_style_are_found(text, lang):
    assert number_style(_segment(text, lang))


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Del 21 % al 17 %: 70 €, 1.491 respostes i un marge de 0,30, el 2024 i des del 1986.", "ca"),
        ("La versión CES 2.0, la norma ISO 10002 y el Reglamento (UE) 2016/679, a las 9.00 y a las 11.30.", "es"),
        ("En la tardor de 2024 l'equip; un pla per al 2025 basat en dades; Doran (1981).", "ca"),
        ("From 21% to 17%: €70, 1,491 answers and a margin of 0.30, in 2024 and since 1986.", "en"),
        ("pandas 3.1.1 and Python 3.11; The Ultimate Question 2.0; ISO/IEC 27001.", "en"),
        ("Scores of 0–6, 7–8 and 9–10; the 80/20 target; 30 × 12 × 0.40.", "en"),
    ],
)
def test_numbers_in_the_right_style_are_not_flagged(text, lang):
    assert number_style(_segment(text, lang)) == []

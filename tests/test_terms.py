"""One vocabulary: the glossary (course/_data/glossary.yml) is the authority on terms, and no page
uses a variant that a glossary entry lists under `avoid` for that language."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxsite.course import DOCS
from cxsite.glossary import GlossaryError, find_avoided, load_glossary
from cxsite.prose import Segment, clean, course_pages, glossary_segments, segments

PAGES = course_pages()

# Variants allowed on purpose: a published title quoted as published, never running text.
# (page under course/, language, variant as in the glossary, why)
EXEMPTIONS: set[tuple[str, str, str]] = set()


def _id(path: Path) -> str:
    return str(path.relative_to(DOCS))


def _hits(found: list[Segment]) -> list[str]:
    problems = []
    for segment in found:
        page = str(segment.path.relative_to(DOCS)) if segment.path.is_relative_to(DOCS) else str(segment.path)
        for hit in find_avoided(segment.text, segment.lang):
            if (page, segment.lang, hit.variant) in EXEMPTIONS:
                continue
            problems.append(
                f"{segment.where}: {hit.found!r} -> use the glossary term {hit.term.term!r} ({hit.term.id})"
            )
    return problems


@pytest.mark.parametrize("path", PAGES, ids=_id)
def test_no_page_uses_a_variant_the_glossary_avoids(path):
    assert _hits(segments(path)) == []


def test_the_glossary_follows_its_own_preferred_terms():
    assert _hits(glossary_segments()) == []


@pytest.mark.parametrize(
    ("phrase", "lang"),
    [
        # The drift that the November 2026 review found, one variant per line.
        ("El NPS parteix d'una sola pregunta", "ca"),
        ("la taxa d'abandonament anual", "ca"),
        ("una taxa de baixa del 21 %", "ca"),
        ("la fidelitat del client", "ca"),
        ("la customització de l'oferta", "ca"),
        ("el bucle interior i el bucle exterior", "ca"),
        ("cal tancar el bucle amb el client", "ca"),
        ("no tancar mai el bucle", "ca"),
        ("4. Ability (habilitat): ser capaç de fer-ho", "ca"),
        ("el primer punt de bloqueig", "ca"),
        ("Cultura i responsabilitat (19 %)", "ca"),
        ("el temps mitjà de gestió (TMG)", "ca"),
        ("indicadors avançats i endarrerits", "ca"),
        ("L'empresa m'ha posat fàcil gestionar el meu problema", "ca"),
        ("la gestió del canvi organitzacional", "ca"),
        ("hay que cerrar el ciclo con el cliente", "es"),
        ("Cerramos el ciclo con los detractores", "es"),
        ("el ciclo interno y el ciclo externo", "es"),
        ("la customización", "es"),
        ("la herramienta de tickets", "es"),
        ("indicadores adelantados y retrasados", "es"),
        ("la tasa de abandono anual", "es"),
        ("la fidelidad del cliente", "es"),
        ("Cultura y responsabilidad", "es"),
    ],
)
def test_the_glossary_settles_the_variants_the_review_found(phrase, lang):
    assert find_avoided(phrase, lang), f"the glossary does not rule out {phrase!r} in {lang}"


def test_avoided_variants_are_matched_as_whole_words_in_prose():
    def hits(text: str, lang: str) -> list[str]:
        return [hit.found for hit in find_avoided(clean(text), lang)]

    assert hits("El NPS parteix d'una pregunta; l'NPS va de −100 a +100.", "ca") == ["El NPS"]
    assert hits("La pregunta del NPS.", "ca") == ["del NPS"]  # not also "el NPS" inside "del NPS"
    assert hits("Cal tancar el\nbucle amb el client.", "ca") == ["tancar el\nbucle"]
    assert hits("La personalització no és customització.", "ca") == ["customització"]
    assert hits("Los tiques viven en `tickets.csv` y en https://example.com/tickets.", "es") == []
    assert hits("Un ticketing system logs tickets.", "en") == []


def test_an_avoid_list_that_names_the_term_itself_is_refused(tmp_path):
    glossary = tmp_path / "glossary.yml"
    glossary.write_text(
        "- id: churn\n"
        + "".join(f"  {lang}:\n    term: Taxa de baixes\n    definition: x\n" for lang in ("es", "en"))
        + "  ca:\n    term: Taxa de baixes\n    definition: x\n    avoid: [taxa de baixes]\n",
        encoding="utf-8",
    )
    with pytest.raises(GlossaryError, match="avoided"):
        load_glossary(glossary)

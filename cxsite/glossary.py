"""The glossary: one YAML file of terms in every language, rendered as the glossary page and as the
abbreviation tooltips added to every page. It is also the authority on terms: an entry may list, per
language, the variants that pages must not use (`avoid`), which tests/test_terms.py looks for."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from cxsite.course import DOCS
from cxsite.languages import LANGUAGES

GLOSSARY_FILE = Path("_data") / "glossary.yml"
GLOSSARY = DOCS / GLOSSARY_FILE


class GlossaryError(ValueError):
    """A glossary entry that is missing a language or a field."""


@dataclass(frozen=True)
class Term:
    id: str
    abbr: str | None
    term: str
    expansion: str | None
    definition: str
    avoid: tuple[str, ...] = ()


@dataclass(frozen=True)
class AvoidedTerm:
    """A variant found in a text, and the glossary entry that says what to write instead."""

    variant: str
    found: str  # the text as written on the page
    start: int
    term: Term


def _sort_key(text: str) -> str:
    # Accents must not push "Índex" after "Z"; strxfrm depends on the machine's locale, so fold by hand.
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in folded if not unicodedata.combining(c))


@lru_cache(maxsize=8)
def _load(path: Path, mtime: float) -> dict[str, list[Term]]:
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(entries, list):
        raise GlossaryError(f"{path}: must be a list of terms")
    terms: dict[str, list[Term]] = {lang: [] for lang in LANGUAGES}
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        where = f"{path}: term {number}"
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            raise GlossaryError(f"{where} needs an `id`")
        if entry["id"] in seen:
            raise GlossaryError(f"{where}: the id {entry['id']!r} is used twice")
        seen.add(entry["id"])
        abbr = entry.get("abbr")
        for lang in LANGUAGES:
            text = entry.get(lang)
            if not isinstance(text, dict) or not text.get("term") or not text.get("definition"):
                raise GlossaryError(f"{where} ({entry['id']}) needs `{lang}:` with `term` and `definition`")
            if abbr and not text.get("expansion"):
                raise GlossaryError(f"{where} ({entry['id']}) has an abbreviation but no `{lang}` expansion")
            avoid = _avoid_list(text.get("avoid", []), f"{where} ({entry['id']}, {lang})")
            term = text["term"].strip()
            clash = [variant for variant in avoid if _variant_pattern(variant).search(term)]
            if clash:
                raise GlossaryError(f"{where} ({entry['id']}, {lang}): the term itself uses avoided {clash}")
            terms[lang].append(
                Term(entry["id"], abbr, term, text.get("expansion"), text["definition"].strip(), tuple(avoid))
            )
    for lang in LANGUAGES:
        terms[lang].sort(key=lambda t: _sort_key(t.term))
    return terms


def _avoid_list(value: object, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise GlossaryError(f"{where}: `avoid` must be a list of texts")
    if len({v.casefold() for v in value}) != len(value):
        raise GlossaryError(f"{where}: `avoid` lists a variant twice")
    return [v.strip() for v in value]


@lru_cache(maxsize=512)
def _variant_pattern(variant: str) -> re.Pattern[str]:
    """Whole words only, ignoring case: "el NPS" must not match inside "del NPS", "TMG" not in "TMGX".
    Spaces match any run of spaces. Two wildcards cover conjugations: a word ending in `*` matches any
    word it starts ("tanc*": tancar, tanca, tancant), and `~` stands for up to two words in between
    ("tanc* ~ el bucle": "tancar mai el bucle")."""
    pattern = ""
    for word in variant.split():
        if word == "~":
            pattern += r"(?:[\w'’]+\s+){0,2}"
            continue
        if pattern and not pattern.endswith(r"{0,2}"):
            pattern += r"\s+"
        pattern += re.escape(word[:-1]) + r"[\w'’]*" if word.endswith("*") else re.escape(word)
    return re.compile(r"(?<![\w'’])" + pattern + r"(?![\w])", re.IGNORECASE)


def find_avoided(text: str, lang: str, path: Path | None = None) -> list[AvoidedTerm]:
    """Every avoided variant of a glossary term in `text`, in the order they appear."""
    found = []
    for term in load_glossary(path or GLOSSARY)[lang]:
        for variant in term.avoid:
            for match in _variant_pattern(variant).finditer(text):
                found.append(AvoidedTerm(variant, match.group(0), match.start(), term))
    return sorted(found, key=lambda hit: hit.start)


def load_glossary(path: Path = GLOSSARY) -> dict[str, list[Term]]:
    """Terms per language, sorted alphabetically in that language."""
    return _load(path, path.stat().st_mtime)


def glossary_markdown(lang: str, path: Path = GLOSSARY) -> str:
    """The glossary entries as Markdown: one anchored heading per term, ids shared by all languages."""
    parts = []
    for term in load_glossary(path)[lang]:
        parts.append(f"## {term.term} {{#{term.id}}}\n\n{term.definition}\n")
    return "\n".join(parts)


def abbreviations_markdown(lang: str, path: Path = GLOSSARY) -> str:
    """Abbreviation definitions (`*[NPS]: ...`) that the `abbr` extension turns into tooltips."""
    lines = [f"*[{t.abbr}]: {t.expansion}" for t in load_glossary(path)[lang] if t.abbr]
    return "\n".join(lines)

"""The glossary: one YAML file of terms in every language, rendered as the glossary page and as the
abbreviation tooltips added to every page."""

from __future__ import annotations

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
            terms[lang].append(
                Term(entry["id"], abbr, text["term"].strip(), text.get("expansion"), text["definition"].strip())
            )
    for lang in LANGUAGES:
        terms[lang].sort(key=lambda t: _sort_key(t.term))
    return terms


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

"""The course's cast of fictional companies (course/_data/cast.yml) and the checks that keep the pages
true to it: one name in every language, no known wrong variants, and the sizes the cast declares.

Each check returns a list of problems, "file:line: what", like cxsite/validate.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from cxsite.course import DOCS
from cxsite.languages import LANGUAGES
from cxsite.prose import Segment, sentences

CAST = DOCS / "_data" / "cast.yml"

# The words that count each unit of size, per language (regular expressions, longest first).
UNIT_WORDS: dict[str, dict[str, str]] = {
    "contracts": {"ca": r"contractes?", "es": r"contratos?", "en": r"customer accounts|contracts"},
    "customers": {"ca": r"clients?", "es": r"clientes?", "en": r"customers"},
    "subscribers": {"ca": r"subscriptors?|abonats?", "es": r"suscriptores?|abonados?", "en": r"subscribers?"},
    "inhabitants": {"ca": r"habitants", "es": r"habitantes", "en": r"inhabitants|residents|people"},
    "orders_per_year": {"ca": r"comandes", "es": r"pedidos", "en": r"orders"},
    "stores": {"ca": r"botigues", "es": r"tiendas", "en": r"stores|shops"},
    "branches": {"ca": r"oficines|sucursals", "es": r"oficinas|sucursales", "en": r"branches"},
    "agents": {"ca": r"agents", "es": r"agentes", "en": r"agents"},
}
NUMBER = {
    "ca": r"\d{1,3}(?:\.\d{3})+|\d+",
    "es": r"\d{1,3}(?:\.\d{3})+|\d+",
    "en": r"\d{1,3}(?:,\d{3})+|\d+",
}


class CastError(ValueError):
    """A cast entry that is missing a field or uses an unknown unit."""


@dataclass(frozen=True)
class Size:
    value: int
    unit: str
    note: str = ""


@dataclass(frozen=True)
class Member:
    id: str
    names: dict[str, str]  # language -> name as written in that language
    avoid: tuple[str, ...]
    sizes: tuple[Size, ...]
    used_in: tuple[str, ...]

    def allowed(self, unit: str) -> set[int]:
        return {size.value for size in self.sizes if size.unit == unit}


def load_cast(path: Path = CAST) -> list[Member]:
    """The cast, checked for the fields tests and writers rely on."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(entries, list):
        raise CastError(f"{path}: must be a list of companies")
    members: list[Member] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        where = f"{path}: entry {number}"
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            raise CastError(f"{where} needs an `id`")
        if entry["id"] in seen:
            raise CastError(f"{where}: the id {entry['id']!r} is used twice")
        seen.add(entry["id"])
        name = entry.get("name")
        if isinstance(name, str) and name.strip():
            names = {lang: name.strip() for lang in LANGUAGES}
        elif isinstance(name, dict) and set(name) == set(LANGUAGES) and all(isinstance(v, str) for v in name.values()):
            names = {lang: name[lang].strip() for lang in LANGUAGES}
        else:
            raise CastError(f"{where} ({entry['id']}): `name` is one text, or one per language {list(LANGUAGES)}")
        avoid = entry.get("avoid") or []
        if not isinstance(avoid, list) or not all(isinstance(v, str) and v.strip() for v in avoid):
            raise CastError(f"{where} ({entry['id']}): `avoid` must be a list of names")
        clash = [v for v in avoid if v in names.values()]
        if clash:
            raise CastError(f"{where} ({entry['id']}): avoids its own name {clash}")
        sizes = []
        for raw in entry.get("size") or []:
            if not isinstance(raw, dict) or not isinstance(raw.get("value"), int) or raw.get("unit") not in UNIT_WORDS:
                raise CastError(
                    f"{where} ({entry['id']}): each size needs an integer `value` and a `unit` in {list(UNIT_WORDS)}"
                )
            sizes.append(Size(raw["value"], raw["unit"], str(raw.get("note", ""))))
        used_in = entry.get("used_in") or []
        if not isinstance(used_in, list) or not all(isinstance(p, str) for p in used_in):
            raise CastError(f"{where} ({entry['id']}): `used_in` must list pages like module-1/what-is-cx")
        members.append(Member(entry["id"], names, tuple(avoid), tuple(sizes), tuple(used_in)))
    every_name = [n for m in members for n in set(m.names.values())]
    if len(every_name) != len(set(every_name)):
        raise CastError(f"{path}: two companies share a name")
    return members


def _name_pattern(name: str) -> re.Pattern[str]:
    # Case matters: "Energia Clara" is a name, "clear energy" in a slogan is not.
    return re.compile(r"(?<![\w])" + r"\s+".join(re.escape(w) for w in name.split()) + r"(?![\w])")


def wrong_names(segment: Segment, cast: list[Member]) -> list[str]:
    """Known wrong spellings and translations of a company name (any language, any page)."""
    problems = []
    for member in cast:
        for variant in member.avoid:
            for match in _name_pattern(variant).finditer(segment.text):
                problems.append(
                    f"{segment.where}: write {member.names[segment.lang]!r}, not {match.group(0)!r} "
                    f"(course/_data/cast.yml, {member.id})"
                )
    return problems


def wrong_sizes(segment: Segment, cast: list[Member]) -> list[str]:
    """A size (customers, stores, agents...) written in the sentence that names a company must be one of
    the sizes the cast declares for it, so that no lesson gives the company another size."""
    problems = []
    for sentence in sentences(segment):
        for member in cast:
            if not _name_pattern(member.names[segment.lang]).search(sentence):
                continue
            for unit, value, text in _quantities(sentence, segment.lang):
                if value not in member.allowed(unit):
                    declared = sorted(member.allowed(unit)) or "none"
                    problems.append(
                        f"{segment.where}: {member.names[segment.lang]} has {text!r}, but "
                        f"course/_data/cast.yml declares {unit} {declared} for {member.id}"
                    )
    return problems


def _quantities(sentence: str, lang: str) -> list[tuple[str, int, str]]:
    """(unit, value, text) of every "number unit" in a sentence. English puts adjectives before the
    noun ("120,000 household customers"), so one word may stand between; where two units overlap
    ("78,000 customer accounts"), the longer match wins."""
    between = r"(?:[a-z-]+\s+)?" if lang == "en" else ""
    found = []
    for unit, words in UNIT_WORDS.items():
        pattern = re.compile(r"(?<![\d.,])(" + NUMBER[lang] + r")\s+" + between + r"(?:" + words[lang] + r")\b")
        for match in pattern.finditer(sentence):
            found.append((match.start(), match.end(), unit, int(re.sub(r"[.,]", "", match.group(1))), match.group(0)))
    kept: list[tuple[int, int, str, int, str]] = []
    for item in sorted(found, key=lambda f: f[0] - f[1]):
        if all(item[1] <= k[0] or item[0] >= k[1] for k in kept):
            kept.append(item)
    return [(unit, value, text) for _, _, unit, value, text in sorted(kept)]


# "Llar i Forma és una botiga en línia fictícia", "Llar Viva, una cadena fictícia", "Telenova (empresa
# fictícia)": the name a page gives a fictional company, to check that it is in the cast.
NAME = r"(?P<name>[A-ZÀ-Ý][\w'’·-]*(?:\s+(?:(?:de|del|de la|d'|i|y|and)\s*)?[A-ZÀ-Ý][\w'’·-]*){0,3})"
INTRODUCTION = re.compile(
    r"^(?:L'|El |La |The )?" + NAME + r"(?:\s*\([^)]*\bfict\w*[^)]*\)"
    r"|,?\s+(?:és|es|is|era|was)\s[^.]*?\bfict\w*"
    r"|,\s+(?:un|una|a|an)\s[^.,]*?\bfict\w*)"
)
NOT_NAMES = {"Una", "Un", "La", "El", "Les", "Els", "Los", "Las", "A", "An", "The", "Each", "Cada", "Both", "Si", "If"}


def unknown_companies(segment: Segment, cast: list[Member]) -> list[str]:
    """Fictional companies introduced on a page that the cast does not list."""
    known = {name for member in cast for name in member.names.values()}
    problems = []
    for sentence in sentences(segment):
        match = INTRODUCTION.match(sentence.strip().lstrip("-*+ ").strip())
        if not match:
            continue
        name = match.group("name")
        # "La Marta és analista a Aigües de Riberola, una empresa fictícia": the cast member named in
        # the sentence is the fictional company, not the person.
        if name.split()[0] in NOT_NAMES or name in known or any(n in sentence for n in known):
            continue
        problems.append(f"{segment.where}: {name!r} is introduced as fictional but is not in course/_data/cast.yml")
    return problems

"""The text a reader reads on a course page, split into located segments.

The style, terminology and cast checks (tests/test_terms.py, tests/test_style.py, tests/test_cast.py)
look at prose only: code blocks, inline code, link targets, URLs and HTML tags are left out, and
quiz blocks contribute their question, option and feedback texts, not their YAML. Each segment
keeps the line it comes from, so that a failure points at the right place.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from cxsite.course import DOCS
from cxsite.sources import FRONT_MATTER, language_of

FENCE_OPEN = re.compile(r"^(```+|~~~+)\s*([\w-]*)")
INLINE_CODE = re.compile(r"`[^`\n]*`")
LINK_TARGET = re.compile(r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
URL = re.compile(r"\b(?:https?://|www\.)\S+")
HTML_TAG = re.compile(r"<[^>]+>")
HEADING_ATTRS = re.compile(r"\{[#.][^}]*\}")
ABBREVIATION_LINE = re.compile(r"^\*\[[^\]]+\]:")
EMPHASIS = re.compile(r"(\*{1,3}|(?<![\w])_{1,3}|_{1,3}(?![\w]))")
SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+|\s*\|\s*")

# The section of a lesson that lists books and articles: titles are quoted as published.
READING_SECTIONS = {"Lectures recomanades", "Lecturas recomendadas", "Further reading"}


@dataclass(frozen=True)
class Segment:
    path: Path
    line: int
    text: str
    section: str  # the `##` heading the text sits under ("" before the first one)
    kind: str  # "meta" (front matter), "prose" (body text), "quiz" (a quiz block) or "data" (YAML data)
    lang: str

    @property
    def where(self) -> str:
        return (
            f"{self.path.relative_to(DOCS.parent) if self.path.is_relative_to(DOCS.parent) else self.path}:{self.line}"
        )


def clean(text: str) -> str:
    """Markdown inline markup out, words in: no code, link targets, URLs, tags or emphasis marks."""
    text = INLINE_CODE.sub(" ", text)
    text = LINK_TARGET.sub("]", text)
    text = URL.sub(" ", text)
    text = HTML_TAG.sub(" ", text)
    text = HEADING_ATTRS.sub("", text)
    text = EMPHASIS.sub("", text)
    return text.replace("[", "").replace("]", "")


def _strings(value: object) -> Iterator[str]:
    """Every text in a parsed YAML value (quiz blocks, front matter), depth first."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in {"correct", "kind", "minutes", "ccxp"}:
                yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def segments(path: Path) -> list[Segment]:
    """The reader-visible text of one Markdown source, one segment per line or per quiz text."""
    text = path.read_text(encoding="utf-8")
    lang = language_of(path)
    out: list[Segment] = []
    offset = 0
    front = FRONT_MATTER.match(text)
    if front:
        meta = yaml.safe_load(front.group(1)) or {}
        for value in _strings(meta):
            out.append(Segment(path, 1, clean(value), "", "meta", lang))
        offset = text[: front.end()].count("\n")
        text = text[front.end() :]
    section = ""
    fence: str | None = None
    fence_kind = ""
    fence_start = 0
    block: list[str] = []
    for number, line in enumerate(text.split("\n"), start=offset + 1):
        if fence is not None:
            if line.strip().startswith(fence) and line.strip().strip(fence[0]) == "":
                if fence_kind == "quiz":
                    try:
                        parsed = yaml.safe_load("\n".join(block))
                    except yaml.YAMLError:
                        parsed = None  # tests/test_content.py reports broken quiz blocks
                    for value in _strings(parsed):
                        out.append(Segment(path, fence_start, clean(value), section, "quiz", lang))
                fence, block = None, []
            else:
                block.append(line)
            continue
        opening = FENCE_OPEN.match(line.strip())
        if opening:
            fence, fence_kind, fence_start = opening.group(1), opening.group(2), number
            continue
        if ABBREVIATION_LINE.match(line):
            continue
        if line.startswith("## "):
            section = clean(line[3:]).strip()
        out.append(Segment(path, number, clean(line), section, "prose", lang))
    return out


def sentences(segment: Segment) -> list[str]:
    """A segment cut at sentence ends and table cells: enough to keep a figure next to its subject."""
    return [part for part in SENTENCE_END.split(segment.text) if part.strip()]


def course_pages(docs: Path = DOCS) -> list[Path]:
    """Every Markdown source of the site in every language (lessons, indexes, exercises, home...)."""
    return sorted(p for p in docs.rglob("*.md") if len(p.suffixes) >= 2)


def glossary_segments(path: Path = DOCS / "_data" / "glossary.yml") -> list[Segment]:
    """The reader-visible texts of the glossary file (terms, tooltips and definitions), per language.

    The `avoid` lists are left out: they name the variants on purpose."""
    lines = path.read_text(encoding="utf-8").split("\n")
    out: list[Segment] = []
    lang = ""
    for number, line in enumerate(lines, start=1):
        match = re.match(r"^  (\w\w):\s*$", line)
        if match:
            lang = match.group(1)
            continue
        field = re.match(r"^    (term|expansion|definition):\s*(.*)$", line)
        if field and lang:
            value = yaml.safe_load(field.group(2)) if field.group(2) else ""
            out.append(Segment(path, number, clean(str(value)), field.group(1), "data", lang))
    return out

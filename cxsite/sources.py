"""Reading the course's Markdown sources: front matter, headings, quiz blocks and prose."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
FENCE = re.compile(r"^(```+|~~~+)[^\n]*\n.*?^\1\s*$", re.DOTALL | re.MULTILINE)
QUIZ_FENCE = re.compile(r"^```quiz[ \t]*\n(.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)
HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*(?:\{[^}]*\})?\s*#*\s*$", re.MULTILINE)
ABBREVIATION = re.compile(r"^\*\[[^\]]+\]:.*$", re.MULTILINE)
HTML_TAG = re.compile(r"<[^>]+>")
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)


class SourceError(ValueError):
    """A source file that cannot be read as a course page."""


@dataclass(frozen=True)
class Source:
    path: Path
    lang: str
    meta: dict
    body: str

    @property
    def headings(self) -> list[tuple[int, str]]:
        return headings(self.body)

    @property
    def quizzes(self) -> list[str]:
        return [m.group(1) for m in QUIZ_FENCE.finditer(self.body)]

    @property
    def words(self) -> int:
        return prose_words(self.body)


def split_front_matter(text: str, path: Path | str = "<text>") -> tuple[dict, str]:
    """The YAML front matter (empty when there is none) and the body of a Markdown file."""
    match = FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as error:
        raise SourceError(f"{path}: the front matter is not valid YAML: {error}") from error
    if not isinstance(meta, dict):
        raise SourceError(f"{path}: the front matter must be a mapping of keys to values")
    return meta, text[match.end() :]


def language_of(path: Path) -> str:
    """`page.es.md` -> `es`."""
    suffixes = path.suffixes
    if len(suffixes) < 2:
        raise SourceError(f"{path}: the file name has no language suffix (page.ca.md)")
    return suffixes[-2].lstrip(".")


@lru_cache(maxsize=512)
def _read(path: Path, mtime: float) -> Source:
    text = path.read_text(encoding="utf-8")
    meta, body = split_front_matter(text, path)
    return Source(path=path, lang=language_of(path), meta=meta, body=body)


def read_source(path: Path) -> Source:
    """A source file, parsed once per modification (the build reads each one many times)."""
    path = Path(path)
    if not path.is_file():
        raise SourceError(f"{path}: the file does not exist")
    return _read(path, path.stat().st_mtime)


def without_code(body: str) -> str:
    return FENCE.sub("", body)


def headings(body: str) -> list[tuple[int, str]]:
    """(level, text) of every Markdown heading outside code and quiz blocks."""
    return [(len(m.group(1)), m.group(2).strip()) for m in HEADING.finditer(without_code(body))]


def prose_words(body: str) -> int:
    """Words a reader reads: the body without code, quiz blocks, HTML tags and abbreviation lines."""
    text = ABBREVIATION.sub("", without_code(body))
    text = HTML_TAG.sub(" ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)  # link targets are not words
    return len(WORD.findall(text))

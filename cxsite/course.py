"""The course's structure, read from the one place it is written down: the `nav` of `mkdocs.yml`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from cxsite.languages import CCXP_AREAS, LANGUAGES
from cxsite.sources import Source, read_source
from grader.course import PROJECT

ROOT = PROJECT
DOCS = ROOT / "course"
EXERCISE_LINK = re.compile(r"\]\(\.\./exercises/([a-z0-9\-]+)\.md\)")


@dataclass(frozen=True)
class Module:
    number: int
    index: str  # "module-1/index.md"
    lessons: tuple[str, ...]  # ("module-1/what-is-cx.md", ...)


@dataclass(frozen=True)
class Course:
    pages: tuple[str, ...]  # every page of the nav, unsuffixed, in order
    modules: tuple[Module, ...]

    @property
    def lessons(self) -> tuple[str, ...]:
        return tuple(lesson for module in self.modules for lesson in module.lessons)

    def module_of(self, page: str) -> Module | None:
        return next((m for m in self.modules if page == m.index or page in m.lessons), None)


def _flatten(items: list) -> list[str]:
    pages: list[str] = []
    for item in items:
        if isinstance(item, str):
            pages.append(item)
        elif isinstance(item, dict):
            for value in item.values():
                pages.extend(_flatten(value) if isinstance(value, list) else [value])
    return pages


@lru_cache(maxsize=4)
def load_course(mkdocs_yml: Path = ROOT / "mkdocs.yml") -> Course:
    config = yaml.safe_load(mkdocs_yml.read_text(encoding="utf-8"))
    pages = _flatten(config["nav"])
    modules = []
    for page in pages:
        match = re.fullmatch(r"module-(\d+)/index\.md", page)
        if match:
            folder = page.rsplit("/", 1)[0] + "/"
            lessons = tuple(p for p in pages if p.startswith(folder) and p != page)
            modules.append(Module(number=int(match.group(1)), index=page, lessons=lessons))
    return Course(pages=tuple(pages), modules=tuple(modules))


def source_path(page: str, lang: str, docs: Path = DOCS) -> Path:
    """`module-1/index.md`, `es` -> `course/module-1/index.es.md`."""
    return docs / (page[: -len(".md")] + f".{lang}.md")


def source(page: str, lang: str, docs: Path = DOCS) -> Source:
    return read_source(source_path(page, lang, docs))


def lesson_id(page: str) -> str:
    """The key a lesson's progress is stored under: the same in every language."""
    return page[: -len(".md")]


def module_minutes(module: Module, lang: str, docs: Path = DOCS) -> int:
    return sum(int(source(lesson, lang, docs).meta.get("minutes", 0)) for lesson in module.lessons)


def module_exercises(module: Module, docs: Path = DOCS) -> list[str]:
    """The graded exercises the module's lessons point to, in order of first mention (from Catalan)."""
    found: list[str] = []
    for lesson in module.lessons:
        for exercise in EXERCISE_LINK.findall(source(lesson, LANGUAGES[0], docs).body):
            if exercise != "index" and exercise not in found:
                found.append(exercise)
    return found


def ccxp_coverage(course: Course, lang: str = LANGUAGES[0], docs: Path = DOCS) -> dict[str, list[str]]:
    """The lessons that serve each CCXP competency area, in course order, read from the lessons'
    front matter (`ccxp`): a new lesson appears as soon as it is in the nav and tagged."""
    coverage: dict[str, list[str]] = {area: [] for area in CCXP_AREAS}
    for lesson in course.lessons:
        tags = source(lesson, lang, docs).meta.get("ccxp") or []
        for area in CCXP_AREAS:
            if area in tags:
                coverage[area].append(lesson)
    return coverage

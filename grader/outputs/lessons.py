"""Where each task of an exercise is taught, as a link to that lesson section on the course site.

The mapping is written in one place, `solutions/<id>/lessons.json` (never released to students),
with the section named by its heading in the course's source language, Catalan:

    {"2": {"page": "module-4/kpis.md", "section": "Net Promoter Score (NPS)"}, ...}

The other languages follow from it: the three versions of a page have the same headings in the
same order (the content tests check it), so the section's place among the Catalan headings gives
its heading in Spanish and English, and a heading gives its anchor as the site's table of contents
makes it. Links point to the published site when its address is given (`--site-url`); without it
they are relative to the site's root (`es/module-4/kpis/#...`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from markdown.extensions.toc import slugify

from cxsite.course import DOCS, source_path
from cxsite.sources import SourceError, read_source
from grader.exercises import LANGUAGES, Exercise

MAPPING = "lessons.json"
SOURCE_LANGUAGE = LANGUAGES[0]
LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
INLINE_MARKS = re.compile(r"[*_`]")


class LessonMapError(ValueError):
    """A task → lesson entry that does not lead to a page and section of the course."""


@dataclass(frozen=True)
class LessonLink:
    url: str
    lesson: str
    """The lesson's title in the language."""
    section: str
    """The section's heading in the language."""


def load_mapping(exercise: Exercise) -> dict[str, dict[str, str]]:
    """The exercise's task → {page, section} entries; empty when it has no mapping file."""
    path = exercise.source / MAPPING
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise LessonMapError(f"{path}: must hold an object of task number -> {{page, section}}")
    for task, entry in data.items():
        if not (
            isinstance(entry, dict) and isinstance(entry.get("page"), str) and isinstance(entry.get("section"), str)
        ):
            raise LessonMapError(f"{path}: task {task!r} needs a `page` and a `section`")
    return data


def _plain(heading: str) -> str:
    """A heading's text as the table of contents sees it: links and emphasis marks removed."""
    return INLINE_MARKS.sub("", LINK.sub(r"\1", heading)).strip()


def anchors(headings: list[str]) -> list[str]:
    """The ids the table of contents gives a page's headings, in order (a repeated id gets
    `_1`, `_2`..., as Python-Markdown's toc extension does)."""
    seen: set[str] = set()
    found = []
    for heading in headings:
        anchor = base = slugify(_plain(heading), "-")
        number = 0
        while anchor in seen:
            number += 1
            anchor = f"{base}_{number}"
        seen.add(anchor)
        found.append(anchor)
    return found


def page_url(page: str, lang: str, site_url: str = "") -> str:
    """`module-4/kpis.md`, `es` -> `<site>/es/module-4/kpis/` (the site's directory URLs)."""
    path = page[: -len(".md")] + "/"
    path = path[: -len("index/")] if path.endswith("index/") else path
    prefix = "" if lang == SOURCE_LANGUAGE else f"{lang}/"
    return f"{site_url.rstrip('/')}/{prefix}{path}" if site_url else f"{prefix}{path}"


def resolve(page: str, section: str, lang: str, site_url: str = "", docs: Path = DOCS) -> LessonLink:
    """The link to `section` (its Catalan heading) of `page` in `lang`."""
    try:
        source = read_source(source_path(page, SOURCE_LANGUAGE, docs))
        target = read_source(source_path(page, lang, docs))
    except SourceError as error:
        raise LessonMapError(f"{page}: {error}") from error
    original = [text for _, text in source.headings]
    translated = [text for _, text in target.headings]
    if section not in original:
        raise LessonMapError(f"{page}: no heading {section!r} in the {SOURCE_LANGUAGE} version")
    if len(original) != len(translated):
        raise LessonMapError(f"{page}: the {lang} version has other headings than the {SOURCE_LANGUAGE} one")
    index = original.index(section)
    title = target.meta.get("title")
    return LessonLink(
        url=f"{page_url(page, lang, site_url)}#{anchors(translated)[index]}",
        lesson=title if isinstance(title, str) else page,
        section=_plain(translated[index]),
    )


def course_docs(exercise: Exercise) -> Path:
    """The site's Markdown of the course the exercise belongs to (`<course>/course/`, beside its
    `solutions/`), else this project's."""
    docs = exercise.source.parent.parent / "course"
    return docs if docs.is_dir() else DOCS


def lesson_links(
    exercise: Exercise | None, lang: str, site_url: str = "", docs: Path | None = None
) -> dict[str, LessonLink]:
    """Each mapped task's link in `lang`. An entry that does not resolve is left out (feedback
    goes on without that link); `mapping_problems` names it, and the tests run it."""
    if exercise is None:
        return {}
    docs = docs or course_docs(exercise)
    links = {}
    try:
        mapping = load_mapping(exercise)
    except (LessonMapError, ValueError):
        return {}
    for task, entry in mapping.items():
        try:
            links[task] = resolve(entry["page"], entry["section"], lang, site_url, docs)
        except LessonMapError:
            continue
    return links


def mapping_problems(exercise: Exercise, tasks: set[str], docs: Path | None = None) -> list[str]:
    """What is wrong with an exercise's mapping: tasks without an entry, entries for no task,
    and entries that do not resolve in one of the exercise's languages."""
    docs = docs or course_docs(exercise)
    try:
        mapping = load_mapping(exercise)
    except (LessonMapError, ValueError) as error:
        return [str(error)]
    problems = [f"{exercise.id}: task {task} has no lesson section" for task in sorted(tasks - set(mapping))]
    problems += [f"{exercise.id}: {task!r} is not a task" for task in sorted(set(mapping) - tasks)]
    for task, entry in mapping.items():
        for lang in exercise.languages:
            try:
                resolve(entry["page"], entry["section"], lang, docs=docs)
            except LessonMapError as error:
                problems.append(f"{exercise.id}, task {task} ({lang}): {error}")
    return problems

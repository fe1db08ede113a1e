"""Content validation that runs before the build: the lesson frame, module pages and translation
parity. Each check returns a list of problems, each naming the file and what is wrong."""

from __future__ import annotations

from pathlib import Path

from cxsite.course import source_path
from cxsite.languages import CCXP_AREAS, LANGUAGES, LESSON_TAIL_SECTIONS
from cxsite.quiz import QuizError, parse_quiz
from cxsite.sources import Source

MIN_LESSON_WORDS = 800
MIN_MODULE_INTRO_WORDS = 250
MIN_QUIZZES = 3


def check_lesson(doc: Source) -> list[str]:
    problems: list[str] = []
    meta, where = doc.meta, doc.path
    if not isinstance(meta.get("title"), str) or not meta["title"].strip():
        problems.append(f"{where}: front matter needs a `title`")
    minutes = meta.get("minutes")
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 10 <= minutes <= 120:
        problems.append(f"{where}: `minutes` must be a whole number from 10 to 120, not {minutes!r}")
    objectives = meta.get("objectives")
    if (
        not isinstance(objectives, list)
        or not 3 <= len(objectives) <= 5
        or not all(isinstance(o, str) and o.strip() for o in objectives)
    ):
        problems.append(f"{where}: `objectives` must list three to five objectives")
    problems.extend(check_ccxp(meta.get("ccxp"), where))
    unknown = set(meta) - {"title", "minutes", "objectives", "ccxp"}
    if unknown:
        problems.append(f"{where}: unknown front matter keys {sorted(unknown)}")

    heads = doc.headings
    if any(level == 1 for level, _ in heads):
        problems.append(f"{where}: no `#` heading in the body: the site writes the title")
    h2 = [text for level, text in heads if level == 2]
    tail = LESSON_TAIL_SECTIONS[doc.lang]
    if h2[-len(tail) :] != tail:
        problems.append(f"{where}: the last `##` sections must be {tail} in this order, found {h2[-len(tail) :]}")
    if len(h2) <= len(tail):
        problems.append(f"{where}: needs at least one `##` content section before {tail[0]!r}")
    elif any(title in tail for title in h2[: -len(tail)]):
        problems.append(f"{where}: a fixed section title is used for a content section")

    quizzes = doc.quizzes
    if len(quizzes) < MIN_QUIZZES:
        problems.append(f"{where}: the self-check needs at least {MIN_QUIZZES} quiz questions, found {len(quizzes)}")
    for number, block in enumerate(quizzes, start=1):
        try:
            parse_quiz(block, f"{where}, quiz {number}")
        except QuizError as error:
            problems.append(str(error))
    if doc.words < MIN_LESSON_WORDS:
        problems.append(f"{where}: {doc.words} words of prose, the minimum is {MIN_LESSON_WORDS}")
    return problems


def check_ccxp(tags: object, where: Path | str) -> list[str]:
    """A lesson names the CCXP competency areas it serves (`ccxp: [insights, metrics]`): one to five
    distinct ids from `cxsite.languages.CCXP_AREAS`."""
    known = ", ".join(CCXP_AREAS)
    if tags is None:
        return [f"{where}: front matter needs `ccxp`, the CCXP competency areas the lesson serves (from {known})"]
    if not isinstance(tags, list) or not tags or not all(isinstance(tag, str) for tag in tags):
        return [f"{where}: `ccxp` must list one to five competency ids (from {known}), not {tags!r}"]
    problems = [
        f"{where}: unknown CCXP competency {tag!r} in `ccxp` (known: {known})" for tag in tags if tag not in CCXP_AREAS
    ]
    if len(set(tags)) != len(tags):
        problems.append(f"{where}: `ccxp` names a competency more than once: {tags}")
    return problems


def check_ccxp_coverage(coverage: dict[str, list[str]]) -> list[str]:
    """Every CCXP competency area is served by at least one lesson."""
    return [f"no lesson serves the CCXP competency {area!r}" for area in CCXP_AREAS if not coverage.get(area)]


def check_module(doc: Source) -> list[str]:
    problems: list[str] = []
    where = doc.path
    if not isinstance(doc.meta.get("title"), str):
        problems.append(f"{where}: front matter needs a `title`")
    outcomes = doc.meta.get("outcomes")
    if not isinstance(outcomes, list) or not 3 <= len(outcomes) <= 6:
        problems.append(f"{where}: `outcomes` must list three to six learning outcomes")
    if doc.headings:
        problems.append(f"{where}: the introduction has no headings: the site adds the module's sections")
    if doc.words < MIN_MODULE_INTRO_WORDS:
        problems.append(f"{where}: the introduction has {doc.words} words, the minimum is {MIN_MODULE_INTRO_WORDS}")
    return problems


def check_parity(versions: dict[str, Source]) -> list[str]:
    """The language versions of one page have the same heading levels in order, as many quizzes and the
    same CCXP competency areas."""
    problems: list[str] = []
    source_lang = LANGUAGES[0]
    reference = versions[source_lang]
    levels = [level for level, _ in reference.headings]
    for lang, doc in versions.items():
        if lang == source_lang:
            continue
        other = [level for level, _ in doc.headings]
        if other != levels:
            problems.append(f"{doc.path}: heading levels {other} differ from {reference.path.name} {levels}")
        tags, reference_tags = doc.meta.get("ccxp"), reference.meta.get("ccxp")
        if tags != reference_tags:
            problems.append(f"{doc.path}: `ccxp` {tags} differs from {reference.path.name} {reference_tags}")
        if len(doc.quizzes) != len(reference.quizzes):
            problems.append(
                f"{doc.path}: {len(doc.quizzes)} quiz questions, {reference.path.name} has {len(reference.quizzes)}"
            )
    return problems


def missing_translations(pages: list[str], docs: Path) -> list[str]:
    """Every page of the nav must exist in every language: the site has no fallback pages."""
    return [
        f"{source_path(page, lang, docs)}: missing ({page} has no {lang} version)"
        for page in pages
        for lang in LANGUAGES
        if not source_path(page, lang, docs).is_file()
    ]

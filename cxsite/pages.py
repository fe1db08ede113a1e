"""What the site adds to a page's Markdown before it is rendered: the lesson frame (title, time,
objectives, quizzes, "mark as done"), the module summary, the home page's module cards and the
glossary entries. Pure functions of the sources, so tests can call them without a build."""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

from cxsite.course import DOCS, Course, Module, ccxp_coverage, lesson_id, module_exercises, module_minutes, source
from cxsite.glossary import GLOSSARY_FILE, glossary_markdown
from cxsite.languages import CCXP_AREAS, CCXP_NAMES, CCXP_WEIGHTS, ui
from cxsite.quiz import parse_quiz, render_quiz
from cxsite.sources import QUIZ_FENCE

MODULE_CARDS = "<!-- module-cards -->"
CCXP_COVERAGE = "<!-- ccxp-coverage -->"
CCXP_ANCHOR = "ccxp"  # the id of the home page's coverage section, which every lesson links to
GLOSSARY_ENTRIES = "<!-- glossary -->"


def _progress(lessons: tuple[str, ...], lang: str, css_class: str) -> str:
    """A progress meter that assets/cx.js fills in from the lessons marked as done in this browser
    (inline elements only: it also sits inside the paragraphs of the home page's cards)."""
    ids = " ".join(lesson_id(lesson) for lesson in lessons)
    template = escape(ui(lang, "progress_text", done="{done}", total="{total}"))
    text = escape(ui(lang, "progress_text", done=0, total=len(lessons)))
    return (
        f'<span class="{css_class}" data-progress-lessons="{ids}" data-template="{template}">'
        f'<progress max="{len(lessons)}" value="0" aria-label="{escape(ui(lang, "progress"))}"></progress> '
        f'<span class="cx-progress__text">{text}</span></span>'
    )


def render_quizzes(body: str, lang: str, page_key: str, where: str) -> str:
    counter = iter(range(1, 1000))

    def replace(match: re.Match) -> str:
        number = next(counter)
        question = parse_quiz(match.group(1), f"{where}, quiz {number}")
        return render_quiz(question, lang, number, page_key)

    return QUIZ_FENCE.sub(replace, body)


def _ccxp_line(meta: dict, lang: str, page: str, where: str) -> str:
    """The CCXP competency areas a lesson serves, in the CXPA's order, with a link to the home page's
    coverage table. Empty when the lesson names none (the content tests require it); an unknown id
    stops the build rather than vanish from the page."""
    tags = meta.get("ccxp") or []
    unknown = [tag for tag in tags if tag not in CCXP_AREAS]
    if unknown:
        raise ValueError(f"{where}: unknown CCXP competency {unknown} (known: {', '.join(CCXP_AREAS)})")
    if not tags:
        return ""
    home = "../" * page.count("/") + f"index.md#{CCXP_ANCHOR}"
    names = " · ".join(CCXP_NAMES[lang][area] for area in CCXP_AREAS if area in tags)
    return f'<p class="cx-ccxp" markdown="span">[{ui(lang, "ccxp")}]({home}): {names}</p>\n\n'


def render_lesson(body: str, meta: dict, lang: str, page: str, where: str) -> str:
    """A lesson's Markdown with its frame: title, estimated time, CCXP competency areas, objectives,
    quizzes, done button."""
    key = lesson_id(page)
    objectives = "\n".join(f"- {objective}" for objective in meta.get("objectives", []))
    done = (
        f'<div class="cx-done" data-lesson="{key}" data-label-todo="{escape(ui(lang, "mark_done"))}" '
        f'data-label-done="{escape(ui(lang, "marked_done"))}" data-status="{escape(ui(lang, "done_status"))}">'
        f'<button type="button" class="md-button md-button--primary" aria-pressed="false">'
        f'{escape(ui(lang, "mark_done"))}</button> <span class="cx-done__status" role="status"></span></div>'
    )
    return (
        f"# {meta['title']}\n\n"
        f'<p class="cx-minutes">{escape(ui(lang, "minutes", minutes=meta.get("minutes", "?")))}</p>\n\n'
        f"{_ccxp_line(meta, lang, page, where)}"
        f"## {ui(lang, 'objectives')}\n\n{objectives}\n\n"
        f"{render_quizzes(body, lang, key, where).strip()}\n\n{done}\n"
    )


def render_module(body: str, meta: dict, lang: str, module: Module, docs: Path = DOCS) -> str:
    """A module page: its introduction, then outcomes, lessons with times, exercise and progress."""
    outcomes = "\n".join(f"- {outcome}" for outcome in meta.get("outcomes", []))
    rows = []
    for lesson in module.lessons:
        lesson_meta = source(lesson, lang, docs).meta
        name = lesson.rsplit("/", 1)[1]
        minutes = ui(lang, "minutes_short", minutes=lesson_meta.get("minutes", "?"))
        rows.append(f"| [{lesson_meta['title']}]({name}) | {minutes} |")
    total = module_minutes(module, lang, docs)
    exercises = module_exercises(module, docs)
    if exercises:
        exercise_text = "\n".join(
            f"- [{source(f'exercises/{e}.md', lang, docs).meta['title']}](../exercises/{e}.md)" for e in exercises
        )
    else:
        exercise_text = ui(lang, "exercises_none")
    return (
        f"# {meta['title']}\n\n{body.strip()}\n\n"
        f"## {ui(lang, 'outcomes')}\n\n{outcomes}\n\n"
        f"## {ui(lang, 'lessons')}\n\n| {ui(lang, 'lesson')} | {ui(lang, 'time')} |\n|---|---|\n"
        + "\n".join(rows)
        + f"\n\n{ui(lang, 'total_time', minutes=total, hours=round(total / 60, 1))}\n\n"
        f"## {ui(lang, 'exercise')}\n\n{exercise_text}\n\n"
        f"## {ui(lang, 'progress')}\n\n{_progress(module.lessons, lang, 'cx-progress')}\n"
    )


def _first_sentence(text: str) -> str:
    paragraph = text.strip().split("\n\n", 1)[0].replace("\n", " ")
    match = re.match(r"(.+?[.!?])(\s|$)", paragraph)
    return match.group(1) if match else paragraph


def ccxp_table(lang: str, course: Course, docs: Path = DOCS) -> str:
    """The home page's coverage section: for each CCXP competency area, its exam weight and the
    lessons that serve it, computed from the lessons' front matter."""
    coverage = ccxp_coverage(course, lang, docs)
    rows = []
    for area in CCXP_AREAS:
        links = " · ".join(f"[{source(lesson, lang, docs).meta['title']}]({lesson})" for lesson in coverage[area])
        weight = ui(lang, "ccxp_weight_value", weight=CCXP_WEIGHTS[area])
        rows.append(f"| {CCXP_NAMES[lang][area]} | {weight} | {links or '—'} |")
    return (
        f"## {ui(lang, 'ccxp_heading')} {{#{CCXP_ANCHOR}}}\n\n{ui(lang, 'ccxp_intro')}\n\n"
        f"| {ui(lang, 'ccxp_area')} | {ui(lang, 'ccxp_weight')} | {ui(lang, 'ccxp_lessons')} |\n|---|---|---|\n"
        + "\n".join(rows)
        + "\n"
    )


def render_home(body: str, lang: str, course: Course, docs: Path = DOCS) -> str:
    """The home page with its module cards (title, first sentence, lessons, time, progress) and the
    CCXP coverage table."""
    cards = []
    for module in course.modules:
        index = source(module.index, lang, docs)
        minutes = ui(lang, "minutes_short", minutes=module_minutes(module, lang, docs))
        cards.append(
            f"-   **[{index.meta['title']}]({module.index})**\n\n"
            f"    ---\n\n"
            f"    {_first_sentence(index.body)}\n\n"
            f"    {ui(lang, 'lesson_count', n=len(module.lessons))} · {minutes}\n\n"
            f"    {_progress(module.lessons, lang, 'cx-progress cx-progress--card')}\n"
        )
    grid = '<div class="grid cards" markdown>\n\n' + "\n".join(cards) + "\n</div>"
    return body.replace(MODULE_CARDS, grid).replace(CCXP_COVERAGE, ccxp_table(lang, course, docs))


def render_glossary(body: str, lang: str, docs: Path = DOCS) -> str:
    return body.replace(GLOSSARY_ENTRIES, glossary_markdown(lang, docs / GLOSSARY_FILE))

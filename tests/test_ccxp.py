"""CCXP competency areas: every lesson names the areas it serves with known ids, the same in every
language; together the lessons cover all five; the lesson pages show their areas and the home page
shows, from the lessons' front matter, which lessons serve each area."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest

from cxsite.course import DOCS, Course, Module, ccxp_coverage, load_course, source, source_path
from cxsite.languages import CCXP_AREAS, CCXP_NAMES, CCXP_WEIGHTS, LANGUAGES, ui
from cxsite.pages import CCXP_ANCHOR, ccxp_table, render_lesson
from cxsite.validate import check_ccxp, check_ccxp_coverage, check_lesson, check_parity

COURSE = load_course()
PREFIX = {"ca": "", "es": "es/", "en": "en/"}


def _id(page: str) -> str:
    return page.removesuffix(".md").replace("/", "-")


def built(site: Path, lang: str, page: str) -> str:
    path = site / PREFIX[lang] / page.replace("index.md", "").replace(".md", "/") / "index.html"
    return path.read_text(encoding="utf-8")


def text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


# --- the data ------------------------------------------------------------------------------------


def test_five_areas_with_their_weights_and_a_name_in_every_language():
    assert CCXP_AREAS == ("insights", "strategy", "metrics", "design", "culture")
    assert sum(CCXP_WEIGHTS.values()) == 100
    for lang in LANGUAGES:
        assert set(CCXP_NAMES[lang]) == set(CCXP_AREAS), f"{lang} does not name every area"
        assert len(set(CCXP_NAMES[lang].values())) == len(CCXP_AREAS)


@pytest.mark.parametrize("page", COURSE.lessons, ids=_id)
def test_every_lesson_is_tagged_with_known_areas_in_every_language(page):
    tags = {lang: source(page, lang).meta.get("ccxp") for lang in LANGUAGES}
    for lang, areas in tags.items():
        assert check_ccxp(areas, source_path(page, lang)) == []
    assert len({tuple(areas) for areas in tags.values()}) == 1, f"{page}: the languages disagree: {tags}"


def test_every_area_is_served_by_some_lesson():
    coverage = ccxp_coverage(COURSE)
    assert check_ccxp_coverage(coverage) == []
    assert all(coverage[area] for area in CCXP_AREAS)


# --- the validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tags, expected",
    [
        (None, "needs `ccxp`"),
        ([], "one to five"),
        ("metrics", "one to five"),
        (["metrics", 3], "one to five"),
        (["metrics", "roi"], "unknown CCXP competency 'roi'"),
        (["metrics", "metrics"], "more than once"),
    ],
)
def test_check_ccxp_refuses_missing_malformed_unknown_or_repeated_areas(tags, expected):
    problems = check_ccxp(tags, "lesson.ca.md")
    assert len(problems) == 1 and expected in problems[0], problems


def test_a_lesson_without_ccxp_fails_the_frame_and_one_with_it_passes_that_check():
    doc = source(COURSE.lessons[0], "ca")
    untagged = type(doc)(
        path=doc.path, lang=doc.lang, meta={k: v for k, v in doc.meta.items() if k != "ccxp"}, body=doc.body
    )
    assert any("needs `ccxp`" in problem for problem in check_lesson(untagged))
    assert not any("ccxp" in problem for problem in check_lesson(doc))


def test_parity_catches_translations_that_disagree_on_the_areas():
    versions = {lang: source(COURSE.lessons[0], lang) for lang in LANGUAGES}
    en = versions["en"]
    versions["en"] = type(en)(path=en.path, lang="en", meta={**en.meta, "ccxp": ["culture"]}, body=en.body)
    assert any("`ccxp`" in problem for problem in check_parity(versions))


def test_coverage_on_the_home_page_comes_from_front_matter(tmp_path):
    """A new lesson appears in the home page's table as soon as it is in the nav and tagged."""
    for page in ("module-1/index.md", "module-1/what-is-cx.md"):
        for lang in LANGUAGES:
            target = source_path(page, lang, tmp_path)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source_path(page, lang, DOCS), target)
    for lang in LANGUAGES:
        (tmp_path / f"module-1/service-recovery.{lang}.md").write_text(
            f"---\ntitle: Recovery {lang}\nminutes: 30\nccxp: [culture]\nobjectives: [a, b, c]\n---\n\nText.\n",
            encoding="utf-8",
        )
    course = Course(
        pages=("module-1/index.md", "module-1/what-is-cx.md", "module-1/service-recovery.md"),
        modules=(Module(1, "module-1/index.md", ("module-1/what-is-cx.md", "module-1/service-recovery.md")),),
    )
    assert ccxp_coverage(course, "es", tmp_path)["culture"] == ["module-1/service-recovery.md"]
    table = ccxp_table("es", course, tmp_path)
    culture_row = next(line for line in table.splitlines() if line.startswith(f"| {CCXP_NAMES['es']['culture']} |"))
    assert "[Recovery es](module-1/service-recovery.md)" in culture_row
    insights_row = next(line for line in table.splitlines() if line.startswith(f"| {CCXP_NAMES['es']['insights']} |"))
    assert insights_row.endswith("| — |"), "an area no lesson serves shows a dash (and the content tests fail)"


def test_an_unknown_area_stops_the_lesson_from_rendering():
    with pytest.raises(ValueError, match="unknown CCXP competency"):
        render_lesson("Body.", {"title": "T", "minutes": 20, "ccxp": ["roi"]}, "ca", "module-1/x.md", "x.ca.md")


# --- the built site ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_built_lesson_page_shows_its_areas(site_dir, lang):
    for lesson in COURSE.lessons:
        page = built(site_dir, lang, lesson)
        match = re.search(r'<p class="cx-ccxp">(.*?)</p>', page, re.S)
        assert match, f"{lang} {lesson}: no CCXP line"
        shown = text_of(match.group(1))
        tags = source(lesson, lang).meta["ccxp"]
        expected = " · ".join(CCXP_NAMES[lang][area] for area in CCXP_AREAS if area in tags)
        assert shown == f"{ui(lang, 'ccxp')}: {expected}"
        assert re.search(rf'href="[./]*(?:index\.html)?#{CCXP_ANCHOR}"', match.group(1)), (
            "no link to the coverage table"
        )
        # It sits with the lesson's time, before the objectives.
        objectives = re.search(rf"<h2[^>]*>{re.escape(ui(lang, 'objectives'))}", page)
        assert objectives and page.index('class="cx-minutes"') < match.start() < objectives.start()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_built_home_page_shows_how_the_lessons_cover_all_five_areas(site_dir, lang):
    page = built(site_dir, lang, "index.md")
    heading = re.search(rf'<h2 id="{CCXP_ANCHOR}">(.*?)</h2>', page, re.S)
    assert heading and ui(lang, "ccxp_heading") in text_of(heading.group(1))
    table = page[heading.end() : page.index("</table>", heading.end())]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]
    coverage = ccxp_coverage(COURSE, lang)
    assert len(rows) == len(CCXP_AREAS)
    for area, row in zip(CCXP_AREAS, rows, strict=True):
        cells = re.findall(r"<td>(.*?)</td>", row, re.S)
        assert text_of(cells[0]) == CCXP_NAMES[lang][area]
        assert text_of(cells[1]) == ui(lang, "ccxp_weight_value", weight=CCXP_WEIGHTS[area])
        linked = re.findall(r'<a href="([^"]+)">', cells[2])
        expected = [lesson.removesuffix(".md") + "/" for lesson in coverage[area]]
        assert linked == expected, f"{lang}, {area}: the row links {linked}, the lessons are {expected}"

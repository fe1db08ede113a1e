"""The site as a reader meets it: Debian's Chromium, driven by Playwright, against the built site
served on 127.0.0.1."""

from __future__ import annotations

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from cxsite.course import load_course

pytestmark = pytest.mark.browser

PREFIX = {"ca": "/", "es": "/es/", "en": "/en/"}
HOME_HEADING = {"ca": "Experiència del client", "es": "Experiencia del cliente", "en": "Customer experience"}
LESSON = "module-4/kpis/"


def _search(page, query: str) -> list[str]:
    """Type a query in the theme's search box and return the result links. The theme drops a
    query typed before its search worker has built the index, so type again until it answers."""
    box = page.locator("input.md-search__input")
    box.click()
    for _ in range(10):
        box.fill("")
        box.type(query)
        try:
            page.wait_for_selector(".md-search-result__item", timeout=2_000)
            break
        except PlaywrightTimeout:
            continue
    return page.eval_on_selector_all(".md-search-result__item > a", "links => links.map(a => a.href)")


@pytest.mark.parametrize("lang", PREFIX)
def test_home_page_renders_in_each_language(page, site_url, lang):
    page.goto(site_url + PREFIX[lang])
    assert page.locator("html").get_attribute("lang") == lang
    assert HOME_HEADING[lang] in page.title()
    cards = page.locator(".grid.cards > ul > li")
    assert cards.count() == 7, "the home page shows a card per module"


@pytest.mark.parametrize("source, target", [("ca", "es"), ("es", "en"), ("en", "ca")])
def test_language_switcher_keeps_the_reader_on_the_same_page(page, site_url, source, target):
    page.goto(site_url + PREFIX[source] + LESSON)
    page.locator(".md-select").first.hover()
    page.locator(f".md-select__link[hreflang='{target}']").first.click()
    page.wait_for_load_state()
    assert page.url == site_url + PREFIX[target] + LESSON
    assert page.locator("html").get_attribute("lang") == target


@pytest.mark.parametrize(
    "lang, query",
    [("ca", "promotors"), ("es", "promotores"), ("en", "promoters")],
)
def test_search_finds_a_term_in_the_readers_language_only(page, site_url, lang, query):
    page.goto(site_url + PREFIX[lang])
    links = _search(page, query)
    assert links, f"no results for {query!r}"
    others = [p for code, p in PREFIX.items() if code != lang and p != "/"]
    for link in links:
        path = link[len(site_url) :]
        assert path.startswith(PREFIX[lang]), f"{link} is not a {lang} page"
        assert not any(path.startswith(p) for p in others if lang == "ca"), f"{link} is another language"


def test_search_copes_with_catalan_apostrophes(page, site_url):
    page.goto(site_url + "/")
    with_apostrophe = _search(page, "l'experiència")
    assert with_apostrophe
    page.goto(site_url + "/")
    assert _search(page, "experiència")


QUIZ_LESSONS = ["module-4/kpis/", "module-1/why-cx-matters/", "module-6/ai-predictive/"]


def _quiz_orders(page) -> list[list[int]]:
    """For each quiz on the page, the authored index of each option in the order shown."""
    return page.eval_on_selector_all(
        "[data-quiz]",
        "quizzes => quizzes.map(q => Array.from(q.querySelectorAll('input[type=radio]'), i => Number(i.value)))",
    )


def test_a_quiz_answer_gives_its_feedback(page, site_url):
    page.goto(site_url + "/" + LESSON)
    quiz = page.locator("[data-quiz]").first
    feedback = quiz.locator(".cx-quiz__feedback")
    quiz.locator(".cx-quiz__check").click()
    assert feedback.inner_text().strip(), "checking with no option chosen says what to do"
    # Keyboard: focus the first option shown, choose it with the space bar, then check. The
    # options are shuffled, so the feedback must be the one of the option actually chosen.
    radios = quiz.locator("input[type=radio]")
    radios.first.focus()
    page.keyboard.press("Space")
    quiz.locator(".cx-quiz__check").focus()
    page.keyboard.press("Enter")
    chosen = radios.first.get_attribute("value")
    expected = quiz.locator(f".cx-quiz__explain[data-option='{chosen}']").text_content().strip()
    assert expected in feedback.inner_text()
    assert feedback.get_attribute("data-result") in {"correct", "incorrect"}
    assert feedback.get_attribute("aria-live") == "polite"


def test_quiz_arrow_keys_follow_the_order_shown_and_the_right_answer_is_recognised(page, site_url):
    page.goto(site_url + "/" + LESSON)
    quiz = page.locator("[data-quiz]").nth(1)
    radios = quiz.locator("input[type=radio]")
    shown = [radios.nth(i).get_attribute("value") for i in range(radios.count())]
    radios.first.focus()
    page.keyboard.press("ArrowDown")
    checked = quiz.locator("input[type=radio]:checked")
    assert checked.get_attribute("value") == shown[1], "the radio group moves in the order the reader sees"
    right = quiz.locator(".cx-quiz__explain[data-correct='true']").get_attribute("data-option")
    quiz.locator(f"input[type=radio][value='{right}']").check()
    quiz.locator(".cx-quiz__check").click()
    feedback = quiz.locator(".cx-quiz__feedback")
    assert feedback.get_attribute("data-result") == "correct"
    explanation = quiz.locator(f".cx-quiz__explain[data-option='{right}']").text_content().strip()
    assert explanation in feedback.inner_text()


def test_quiz_options_are_shuffled_once_per_learner(browser, site_url):
    first = browser.new_context(locale="ca-ES")
    page = first.new_page()
    orders = {}
    for lesson in QUIZ_LESSONS:
        page.goto(site_url + "/" + lesson)
        orders[lesson] = _quiz_orders(page)
        assert len(orders[lesson]) >= 3
        for order in orders[lesson]:
            assert sorted(order) == list(range(len(order))), "every option is shown exactly once"
    authored = {lesson: [sorted(order) for order in found] for lesson, found in orders.items()}
    assert orders != authored, "no quiz was shuffled"
    page.reload()
    assert _quiz_orders(page) == orders[QUIZ_LESSONS[-1]], "a reload keeps the order"
    again = first.new_page()
    again.goto(site_url + "/en/" + QUIZ_LESSONS[0])
    assert _quiz_orders(again) == orders[QUIZ_LESSONS[0]], "another visit, in another language, keeps it too"
    first.close()

    second = browser.new_context(locale="ca-ES")
    other = second.new_page()
    others = {}
    for lesson in QUIZ_LESSONS:
        other.goto(site_url + "/" + lesson)
        others[lesson] = _quiz_orders(other)
    second.close()
    assert others != orders, "two new browsers got the same order for every question"


def test_quiz_shuffle_gives_every_position_the_same_chance(page, site_url):
    page.goto(site_url + "/" + LESSON)
    # Where option 0 lands for 3,000 learners' seeds (fixed, so the test is repeatable).
    counts = page.evaluate(
        """([id, options]) => {
            const counts = new Array(options).fill(0);
            for (let s = 0; s < 3000; s++) counts[window.cxQuizOrder("seed-" + s, id, options).indexOf(0)]++;
            return counts;
        }""",
        ["module-4/kpis/1", 3],
    )
    assert all(0.30 <= count / 3000 <= 0.367 for count in counts), counts


def test_quiz_without_javascript_keeps_the_authored_order(browser, site_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + "/" + LESSON)
    orders = _quiz_orders(page)
    context.close()
    assert orders and all(order == list(range(len(order))) for order in orders)


def test_lesson_progress_survives_a_reload_and_shows_on_the_module_page(page, site_url):
    page.goto(site_url + "/" + LESSON)
    button = page.locator(".cx-done button")
    assert button.get_attribute("aria-pressed") == "false"
    button.click()
    page.reload()
    assert page.locator(".cx-done button").get_attribute("aria-pressed") == "true"
    page.goto(site_url + "/es/module-4/")
    meter = page.locator(".cx-progress progress")
    assert meter.get_attribute("value") == "1", "progress is shared by the three languages"
    lessons = len(load_course().module_of("module-4/kpis.md").lessons)
    assert f"1 de {lessons}" in page.locator(".cx-progress__text").inner_text()


def test_abbreviations_show_their_expansion_in_the_readers_language(page, site_url):
    page.goto(site_url + "/en/" + LESSON)
    title = page.locator("abbr", has_text="NPS").first.get_attribute("title")
    assert title and "Net Promoter Score" in title


def test_the_404_page_speaks_the_readers_language(page, site_url):
    response = page.goto(site_url + "/es/no-such-page/")
    assert response.status == 404
    assert page.locator("html").get_attribute("lang") == "es"


PAGE_TYPES = {
    "home": "",
    "module": "module-4/",
    "lesson": LESSON,
    "glossary": "glossary/",
    "exercise": "exercises/kpis/",
    "instructors": "instructors/",
}


@pytest.mark.parametrize("kind", PAGE_TYPES)
@pytest.mark.parametrize("lang", PREFIX)
def test_no_serious_accessibility_violations(page, site_url, kind, lang):
    from axe_playwright_python.sync_playwright import Axe

    page.goto(site_url + PREFIX[lang] + PAGE_TYPES[kind])
    results = Axe().run(
        page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    )
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    assert serious == []


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_pages_load_without_errors_or_failed_requests(browser, site_url, kind):
    context = browser.new_context()
    page = context.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    for prefix in PREFIX.values():
        page.goto(site_url + prefix + PAGE_TYPES[kind])
        page.wait_for_load_state("networkidle")
    context.close()
    assert problems == []

"""Feedback that teaches and a report that tells which task to reteach and who may have copied:
task titles and lesson links in the student's language, item statistics, similar code, counters
that add up, and pages that fit a phone and a 1,280 px screen (real Chromium)."""

from __future__ import annotations

import csv
import html
import json
import re
import shutil

import pytest
from notebooks import FIXTURES, MINI, in_language, student_notebook, write

from grader.exercises import EXERCISES, all_exercises, load_exercise
from grader.grading.nbgrader_driver import Limits
from grader.messages import GRADER_KEY, message
from grader.outputs.feedback import render_feedback
from grader.outputs.lessons import lesson_links, mapping_problems
from grader.outputs.report import BatchInfo, intake, render_report
from grader.outputs.similarity import code_by_task, forced_code, similar_pairs
from grader.outputs.statistics import read_cohort, score_bins, task_statistics
from grader.outputs.titles import titles
from grader.pipeline import grade_batch
from grader.results import Result, Status, TaskResult

KPIS = load_exercise("kpis")
LIMITS = Limits(cell_timeout_s=20, notebook_timeout_s=240, memory_mb=1024, cpu_s=240)


def _text(page: str) -> str:
    """A page's text, tags removed and entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


# --- Titles and lesson links: the notebooks and lessons.json, for every exercise -----------------


@pytest.mark.parametrize("exercise", all_exercises(), ids=lambda e: e.id)
def test_every_task_has_a_title_in_every_language(exercise):
    tasks = {lang: titles(exercise, lang).tasks for lang in exercise.languages}
    numbers = set(tasks[exercise.languages[0]])
    assert numbers and all(set(found) == numbers for found in tasks.values())
    for lang in exercise.languages:
        assert titles(exercise, lang).exercise, f"{exercise.id}.{lang}: no `#` title"
        leftovers = re.compile(r"^(Tasca|Tarea|Task)\b|\(\d+ (punts?|puntos?|points?)\)$")
        assert not any(leftovers.search(title) for title in tasks[lang].values()), tasks[lang]
    languages = list(exercise.languages)
    assert all(tasks[lang] != tasks[languages[0]] for lang in languages[1:]), "each notebook's own words"


@pytest.mark.parametrize("exercise", all_exercises(), ids=lambda e: e.id)
def test_every_task_maps_to_a_lesson_section(exercise):
    assert mapping_problems(exercise, set(titles(exercise, "ca").tasks)) == []


def test_every_lesson_link_leads_to_a_page_and_an_anchor_of_the_built_site(site_dir):
    checked = 0
    for exercise in all_exercises():  # which tasks have a mapping: the test above
        for lang in exercise.languages:
            for task, link in lesson_links(exercise, lang).items():
                path, anchor = link.url.split("#")
                page = site_dir / path / "index.html"
                assert page.is_file(), f"{exercise.id} task {task} ({lang}): no page {link.url}"
                text = page.read_text(encoding="utf-8")
                assert f'id="{anchor}"' in text, f"{exercise.id} task {task} ({lang}): no #{anchor} in {path}"
                assert html.escape(link.section, quote=False) in text or link.section in _text(text)
                assert f'<html lang="{lang}"' in text
                checked += 1
    assert checked >= 42 * 3, "the four first exercises' 42 tasks, in three languages"


def test_links_point_to_the_published_site_when_given_and_to_the_sites_root_otherwise():
    assert lesson_links(KPIS, "es")["2"].url == "es/module-4/kpis/#net-promoter-score-nps"
    published = lesson_links(KPIS, "en", "https://cx.example.org/course/")["2"].url
    assert published == "https://cx.example.org/course/en/module-4/kpis/#net-promoter-score-nps"
    assert lesson_links(KPIS, "ca", "https://cx.example.org")["2"].url.startswith("https://cx.example.org/module-4/")


# --- Feedback: titles, what is right, what to review, lesson links, nothing unbounded ------------


def _kpis_result(lang: str, **changes) -> Result:
    tasks = [TaskResult(str(n), 2.0, 2.0) for n in range(1, 12)]
    tasks[1] = TaskResult("2", 0.0, 2.0, "Passives stay in the denominator.", "nps_passives")
    result = Result("anna", "kpis", lang, 20.0, 22.0, Status.GRADED, tasks=tasks)
    for name, value in changes.items():
        setattr(result, name, value)
    return result


@pytest.mark.parametrize(
    "lang, exercise_title, right, review, section",
    [
        (
            "ca",
            "mesurar l'experiència del client",
            "Tasca 1 · Netejar les respostes de l'enquesta",
            "Tasca 2 · El NPS global",
            "Net Promoter Score (NPS)",
        ),
        (
            "es",
            "medir la experiencia del cliente",
            "Tarea 1 · Limpiar las respuestas de la encuesta",
            "Tarea 2 · El NPS global",
            "Net Promoter Score (NPS)",
        ),
        (
            "en",
            "measuring customer experience",
            "Task 1 · Clean the survey answers",
            "Task 2 · Overall NPS",
            "Net Promoter Score (NPS)",
        ),
    ],
)
def test_feedback_names_the_exercise_and_each_task_in_the_students_language(
    lang, exercise_title, right, review, section
):
    page = render_feedback(_kpis_result(lang), KPIS, "https://cx.example.org/")
    text = " ".join(_text(page).split())
    assert f'<html lang="{lang}">' in page and exercise_title in text and "«kpis»" not in text
    to_review, went_well = text.split(titles(KPIS, lang).tasks["3"])[0], text
    assert review in to_review and right in went_well
    assert text.index(review) < text.index(right), "what to review comes first"
    prefix = "" if lang == "ca" else f"{lang}/"
    assert f'href="https://cx.example.org/{prefix}module-4/kpis/#net-promoter-score-nps"' in page
    assert section in text and "20 / 22" in text


def test_feedback_shows_what_passed_and_says_so_when_nothing_is_left_to_review():
    everything = _kpis_result("en", tasks=[TaskResult(str(n), 2.0, 2.0) for n in range(1, 12)], score=22.0)
    text = _text(render_feedback(everything, KPIS))
    assert "Every task is right" in text and text.count("Right ·") == 11


def test_feedback_escapes_and_cuts_short_whatever_a_result_holds():
    hostile = _kpis_result("en")
    hostile.tasks[1].message = "<script>alert(1)</script>" + "x" * 50_000
    hostile.status, hostile.message = Status.FAILED, "<img src=x onerror=alert(1)>" + "y" * 50_000
    page = render_feedback(hostile, KPIS)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "x" * 1000 not in page and "y" * 50 not in page and len(page) < 40_000
    assert message("en", "failed_for_student") in page, "the student reads the grader's words, not the instructor's"


def test_feedback_of_an_exercise_without_titles_falls_back_to_task_numbers():
    mini = load_exercise("mini", MINI)
    result = Result("bo", "mini", "es", 1, 6, Status.GRADED, tasks=[TaskResult("1", 1, 1), TaskResult("2", 0, 2, "x")])
    text = _text(render_feedback(result, mini))
    assert "Tarea 1" in text and "Tarea 2" in text and "Exercici" not in text


# --- Item statistics -----------------------------------------------------------------------------


def _graded(student: str, points: dict[str, tuple[float, float]], keys: dict[str, str] | None = None) -> Result:
    tasks = [TaskResult(t, got, top, "", (keys or {}).get(t, "")) for t, (got, top) in points.items()]
    return Result(student, "x", "en", sum(g for g, _ in points.values()), 6, Status.GRADED, tasks=tasks)


def test_item_statistics_and_typical_mistakes_from_results():
    results = [
        _graded("s1", {"1": (1, 1), "2": (2, 2), "3": (3, 3)}),
        _graded("s2", {"1": (1, 1), "2": (2, 2), "3": (0, 3)}, {"3": "half_wrong"}),
        _graded("s3", {"1": (1, 1), "2": (0, 2), "3": (0, 3)}, {"2": "shout", "3": "half_wrong"}),
        Result("s4", "x", "en", 0, 6, Status.FAILED),
    ]
    stats = {s.task: s for s in task_statistics(results, {"1": "Total"})}
    assert stats["1"].title == "Total" and stats["1"].graded == 3, "a failed notebook is not a task's result"
    assert (stats["1"].full_share, stats["1"].spread, stats["1"].discrimination) == (1.0, False, 0.0)
    assert stats["3"].mistakes == [("half_wrong", 2)] and stats["3"].difficulty == pytest.approx(1 / 3)
    assert stats["2"].mean == pytest.approx(4 / 3) and stats["2"].discrimination == pytest.approx(0.5)


def test_score_bins_match_the_points():
    bins = score_bins([0, 3, 3, 6], 6)
    assert [b.label for b in bins] == ["0", "1", "2", "3", "4", "5", "6"]
    assert [b.count for b in bins] == [1, 0, 0, 2, 0, 0, 1]
    wide = score_bins([0, 100], 100)
    assert len(wide) <= 41 and wide[-1].count == 1 and sum(b.count for b in wide) == 2


def test_the_counters_add_up_to_every_file_received():
    results = [
        Result("a", "kpis", "ca", 20, 28, Status.GRADED),
        Result("b", "kpis", "es", 0, 28, Status.FAILED, message="empty file"),
        Result("c", "kpis", "en", 0, 28, Status.REJECTED, message="x: not a notebook"),
    ]
    info = BatchInfo(
        "kpis",
        "in",
        "folder",
        1.0,
        2,
        0,
        2,
        refused=[
            ("c", "c/notes.docx", "not a notebook"),
            ("a", "a/x.pdf", "not a notebook"),
            ("", "stray.txt", "no id"),
        ],
        superseded=[("a", "a/old.ipynb")],
        ignored=[("__MACOSX/._a.ipynb", "system file")],
    )
    counts = intake(results, info)
    assert (counts.graded, counts.failed, counts.refused, counts.superseded, counts.ignored) == (1, 1, 3, 1, 1)
    assert counts.files == 7
    text = " ".join(_text(render_report(results, info, KPIS, [])).split())
    assert "7 files = 1 graded + 1 failed + 3 refused + 1 superseded + 1 ignored" in text


# --- Similar code --------------------------------------------------------------------------------

ORIGINAL = """\
totals = {}
for row in rows:
    key = row["channel"]
    totals[key] = totals.get(key, 0) + row["minutes"]
ranking = sorted(totals, key=lambda name: -totals[name])
answer = [name.upper() for name in ranking if totals[name] > 60]
"""
RENAMED = """\
# add the minutes of every channel
acc = {}

for r in rows:   # each ticket
    k = r['channel']
    acc[k] = acc.get(k, 0)  +  r['minutes']
order = sorted(acc, key=lambda n: -acc[n])
answer = [n.upper() for n in order if acc[n] > 60]   # the busy ones
"""
OTHER = """\
import collections
busy = collections.Counter()
for ticket in rows:
    busy[ticket["channel"]] += ticket["minutes"]
answer = [channel.upper() for channel, minutes in busy.most_common() if minutes > 60]
"""


def test_code_that_differs_only_by_names_comments_and_layout_is_a_pair():
    pairs = similar_pairs({"ana": {"1": ORIGINAL}, "bo": {"1": RENAMED}, "cai": {"1": OTHER}}, {})
    assert [(p.student_a, p.student_b, p.tasks) for p in pairs] == [("ana", "bo", ["1"])]
    assert pairs[0].similarity == 1.0


def test_code_everyone_is_given_or_the_reference_holds_is_no_match():
    forced = {"1": [ORIGINAL]}
    assert similar_pairs({"ana": {"1": ORIGINAL}, "bo": {"1": RENAMED}}, {}, forced) == []


def test_identical_wrong_code_weighs_more_than_identical_right_code():
    # The same code on task 1, different code on task 2: 66 % alike when both got task 1 right,
    # 79 % (above the 75 % threshold) when both got it wrong.
    shared = "\n".join(f"value_{i} = sorted(rows[{i}::3], key=len)[-{i + 1}]" for i in range(4))
    first = {"1": shared, "2": "answer = {k: v for k, v in pairs if v > 3}"}
    second = {"1": shared, "2": "answer = dict(filter(lambda item: item[1] > 3, pairs))"}
    right = similar_pairs({"ana": first, "bo": second}, {})
    wrong = similar_pairs({"ana": first, "bo": second}, {"ana": {"1"}, "bo": {"1"}})
    assert right == [] and len(wrong) == 1 and wrong[0].wrong == ["1"]


def test_the_reference_and_the_alternative_fixtures_match_nobody():
    code = {}
    for name, lang in [("reference", "ca"), ("alternative", "es"), ("blank", "en"), ("mistake_churn_net", "ca")]:
        notebook = in_language(FIXTURES / "kpis" / f"{name}.ipynb", EXERCISES / "kpis", "kpis", lang)
        release = json.loads(KPIS.notebook(lang).read_text(encoding="utf-8"))
        code[name] = code_by_task(release, json.loads(json.dumps(notebook)))
    assert similar_pairs(code, {}, forced_code(KPIS)) == []


# --- A graded batch of mini: discrimination ------------------------------------------------------


@pytest.mark.nbgrader
def test_a_task_only_strong_students_pass_discriminates_more_than_one_everybody_passes(mini_release, tmp_path):
    # Strong students get everything; middle ones miss task 3; weak ones only get task 1.
    wrong2, wrong3 = {"task2": 'shout = "hola"'}, {"task3": "half = total"}
    for student, lang, code in [
        ("strong1", "ca", {}),
        ("strong2", "en", {}),
        ("middle1", "es", wrong3),
        ("middle2", "ca", wrong3),
        ("weak1", "en", {**wrong2, **wrong3}),
        ("weak2", "es", {**wrong2, **wrong3}),
    ]:
        write(student_notebook(mini_release, lang, **code), tmp_path / "in" / f"{student}.ipynb")
    batch = grade_batch(tmp_path / "in", "mini", tmp_path / "out", workers=2, solutions=MINI, progress=False)
    assert sorted(r.score for r in batch.results) == [1, 1, 3, 3, 6, 6]
    stats = {s.task: s for s in task_statistics(batch.results)}
    assert stats["1"].full_share == 1.0 and not stats["1"].spread
    assert stats["3"].discrimination > stats["1"].discrimination and stats["3"].discrimination >= 0.3
    assert stats["3"].mistakes == [(f"{GRADER_KEY}assert", 4)], "plain asserts count under one key"
    with (batch.out / "tasks.csv").open(encoding="utf-8", newline="") as stream:
        rows = {row["task"]: row for row in csv.DictReader(stream)}
    assert float(rows["3"]["discrimination"]) == pytest.approx(stats["3"].discrimination, abs=1e-3)
    assert float(rows["1"]["full_marks_share"]) == 1.0 and rows["3"]["top_messages"] == "grader:assert (4)"
    report = _text((batch.out / "report.html").read_text(encoding="utf-8"))
    assert "no spread" in report and "Tasks to teach again" in report

    # The next cohort compares itself with this one (--previous); nothing is graded again.
    shutil.copytree(batch.out, tmp_path / "last-year")
    again = grade_batch(
        tmp_path / "in", "mini", batch.out, solutions=MINI, progress=False, previous=tmp_path / "last-year"
    )
    assert again.info.graded_now == 0
    cohort = read_cohort(tmp_path / "last-year", "mini")
    assert cohort.tasks["3"].full_share == pytest.approx(1 / 3, abs=1e-3)
    with (batch.out / "tasks.csv").open(encoding="utf-8", newline="") as stream:
        row = next(r for r in csv.DictReader(stream) if r["task"] == "3")
    assert row["previous_full_marks_share"] == row["full_marks_share"]
    assert "+0 pp" in _text((batch.out / "report.html").read_text(encoding="utf-8"))


def test_previous_must_be_an_output_folder_of_the_same_exercise(tmp_path):
    from grader.intake.collect import UnusableInput

    with pytest.raises(UnusableInput, match="no tasks.csv"):
        read_cohort(tmp_path, "kpis")
    (tmp_path / "tasks.csv").write_text('"task","mean","full_marks_share"\n"1","1","0.5"\n', encoding="utf-8")
    (tmp_path / "batch.json").write_text('{"exercise": "mini"}', encoding="utf-8")
    with pytest.raises(UnusableInput, match="'mini', not 'kpis'"):
        read_cohort(tmp_path, "kpis")


# --- A graded batch of kpis: copying, feedback in three languages, the report --------------------

COPY_B = "copy_b_" + "averyverylongstudentidentifierthatnolayoutexpects" * 1
LONG_FILE = "notes_" + "thefilenameofanattachmentthatgoesonandon" * 5 + ".docx"
COPY_A = {
    "task2": 'answers = survey["nps"].dropna()\nnps_responses = int(answers.shape[0])\n'
    "share_promoters = 100 * answers.ge(9).sum() / nps_responses\n"
    "share_detractors = 100 * answers.le(6).sum() / nps_responses\n"
    "nps_overall = share_promoters - share_detractors\n",
    "task7": 'done = tickets[tickets["resolved"].notna()].copy()\n'
    'done["hours"] = (done["resolved"] - done["created"]).dt.total_seconds() / 3600\n'
    'resolution_hours = done.groupby("priority")["hours"].mean()\n',
    "task8": 'closed = tickets[tickets["resolved"].notna()]\nfirst_time = closed["contacts"].eq(1)\n'
    'fcr = 100 * first_time.mean()\nfcr_by_channel = 100 * first_time.groupby(closed["channel"]).mean()\n',
}
COPY_B_CODE = {
    "task2": '# NPS: promoters minus detractors\nvals = survey["nps"].dropna()\n\n'
    "nps_responses = int(vals.shape[0])   # valid answers\n"
    "p = 100 * vals.ge(9).sum() / nps_responses\nd = 100*vals.le(6).sum()/nps_responses\nnps_overall = p - d\n",
    "task7": "# resolved tickets only\nr = tickets[tickets['resolved'].notna()].copy()\n"
    "r['hours'] = (r['resolved'] - r['created']).dt.total_seconds()/3600\n"
    "resolution_hours = r.groupby('priority')['hours'].mean()  # by priority\n",
    "task8": "c = tickets[tickets['resolved'].notna()]\nft = c['contacts'].eq(1)\n\n"
    "fcr = 100*ft.mean()\nfcr_by_channel = 100*ft.groupby(c['channel']).mean()\n",
}


def _kpis_notebook(fixture: str, lang: str, code: dict[str, str] | None = None):
    notebook = in_language(FIXTURES / "kpis" / f"{fixture}.ipynb", EXERCISES / "kpis", "kpis", lang)
    for cell in notebook.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if code and grade_id in code:
            cell.source = code[grade_id]
    return notebook


@pytest.fixture(scope="module")
def kpis_batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kpis-in")
    write(_kpis_notebook("reference", "ca"), folder / "ref.ipynb")
    write(_kpis_notebook("alternative", "es"), folder / "alt.ipynb")
    write(_kpis_notebook("mistake_nps_passives", "en"), folder / "passives.ipynb")
    write(_kpis_notebook("blank", "es"), folder / "blank.ipynb")
    write(_kpis_notebook("blank", "ca"), folder / "copy_a" / "Untitled.ipynb")  # an older draft
    write(_kpis_notebook("reference", "ca", COPY_A), folder / "copy_a" / "kpis.ca.ipynb")
    write(_kpis_notebook("reference", "en", COPY_B_CODE), folder / f"{COPY_B}.ipynb")
    (folder / LONG_FILE).write_bytes(b"PK\x03\x04 not a notebook")
    out = tmp_path_factory.mktemp("kpis-out")
    return grade_batch(folder, "kpis", out, workers=2, limits=LIMITS, progress=False, site_url="https://cx.example.org")


def _by_id(batch, student):
    return next(r for r in batch.results if r.student_id == student)


@pytest.mark.nbgrader
def test_copied_code_is_a_pair_and_honest_work_is_not(kpis_batch):
    with (kpis_batch.out / "similar.csv").open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert [(r["student_a"], r["student_b"]) for r in rows] == [("copy_a", COPY_B)]
    assert float(rows[0]["similarity"]) >= 0.9
    assert rows[0]["tasks"] == "2; 7 (both wrong); 8"
    report = _text((kpis_batch.out / "report.html").read_text(encoding="utf-8"))
    assert "Possible copying" in report and "Resolution time by priority (both wrong)" in " ".join(report.split())


@pytest.mark.nbgrader
def test_failed_checks_carry_their_catalogue_key(kpis_batch):
    passives = _by_id(kpis_batch, "passives")
    lost = [t for t in passives.tasks if t.points < t.max_points]
    assert lost and all(t.key and not t.key.startswith(GRADER_KEY) for t in lost)
    assert all(t.key in KPIS.catalogue("en") for t in lost)
    assert {t.key for t in _by_id(kpis_batch, "blank").tasks} == {f"{GRADER_KEY}not_implemented"}
    assert all(t.key == "" for t in _by_id(kpis_batch, "ref").tasks)
    with (kpis_batch.out / "tasks.csv").open(encoding="utf-8", newline="") as stream:
        rows = {row["task"]: row for row in csv.DictReader(stream)}
    assert len(rows) == 11 and rows["2"]["title"] == "Overall NPS"
    assert any(t.key in rows[t.task]["top_messages"] for t in lost)


@pytest.mark.nbgrader
@pytest.mark.parametrize(
    "student, lang, titles_shown",
    [
        ("ref", "ca", ["Tasca 1 · Netejar les respostes de l'enquesta", "Tasca 11 · Quin indicador"]),
        ("alt", "es", ["Tarea 1 · Limpiar las respuestas de la encuesta", "Tarea 4 · CSAT y CES"]),
        (COPY_B, "en", ["Task 7 · Resolution time by priority", "Task 1 · Clean the survey answers"]),
    ],
)
def test_graded_feedback_shows_the_task_titles_in_the_students_language(kpis_batch, student, lang, titles_shown):
    page = (kpis_batch.out / "feedback" / f"{student}.html").read_text(encoding="utf-8")
    text = " ".join(_text(page).split())
    assert f'<html lang="{lang}">' in page and titles(KPIS, lang).exercise in text
    assert all(title in text for title in titles_shown)
    assert "BEGIN HIDDEN" not in page and "cxcheck.expect" not in page


@pytest.mark.nbgrader
def test_graded_feedback_sends_a_lost_task_to_its_lesson(kpis_batch):
    page = (kpis_batch.out / "feedback" / f"{COPY_B}.html").read_text(encoding="utf-8")
    review = page.split("What you got right")[0]
    assert "Task 7 · Resolution time by priority" in review
    assert 'href="https://cx.example.org/en/module-4/kpis/#first-response-time-and-resolution-time"' in review


@pytest.mark.nbgrader
def test_the_report_accounts_for_every_file_once(kpis_batch):
    text = " ".join(_text((kpis_batch.out / "report.html").read_text(encoding="utf-8")).split())
    assert "8 files = 6 graded + 0 failed + 1 refused + 1 superseded + 0 ignored" in text
    assert LONG_FILE in text and "copy_a/Untitled.ipynb" in text
    assert "Per language" in text and "Tasks to teach again" in text


VIEWPORTS = {"desktop": (1280, 800), "phone": (375, 740), "print": (794, 1123)}
"""1,280 px, a small phone, and an A4 page printed at 96 dpi (with the print styles)."""


@pytest.mark.nbgrader
@pytest.mark.browser
@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("document", ["report.html", f"feedback/{COPY_B}.html", "feedback/alt.html"])
def test_pages_fit_the_screen_without_horizontal_scrolling(kpis_batch, browser, viewport, document):
    width, height = VIEWPORTS[viewport]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    if viewport == "print":
        page.emulate_media(media="print")
    page.goto((kpis_batch.out / document).as_uri())
    overflow = page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            const wide = [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > width + 1)
                .map(e => e.tagName + '.' + e.className);
            return {scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 5)};
        }"""
    )
    context.close()
    assert overflow["scroll"] <= overflow["width"], overflow
    assert overflow["wide"] == [], overflow

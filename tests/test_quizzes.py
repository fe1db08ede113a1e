"""Self-check quizzes that test understanding rather than test-wiseness.

A learner should not be able to score by guessing where the right answer sits or which option is
the longest, every lesson should ask at least one question that applies an idea to a situation,
and the three language versions should be the same quiz. The browser shuffles the options (see
assets/cx.js), but the authored order is what readers without the script see, and what a learner
who notices patterns across lessons learns from, so it is held to the same standard.

Thresholds, and why:

- Position. With k options a blind guess scores 1/k. No position may hold more than 1/k + 7
  points of the questions with k options (40 % for three options, 32 % for four), so that "always
  pick option N" gains at most a few points over chance; and none may fall below 1/k − 10 points
  (23 % and 15 %), so that "never the last one" is no strategy either. Groups of fewer than
  eight questions are too small to judge and are only reported.
- Length. If lengths carried no information, the right answer would be strictly the longest in
  about 1/k of the questions (about 32 % with today's mix) and strictly the shortest in as many.
  Either share above 40 % is a pattern a learner can exploit. Ties are not counted: options of
  equal length (often numbers) give nothing away. On average the right answer may be at most 15 %
  longer than the other options of its question: a right answer written a little more carefully
  every time is a cue too, even when it is not quite the longest.
- Across languages, the same question has the same number of options, the right answer in the
  same place and the same kind, so that the courses are the same test in every language.

Run `python tests/test_quizzes.py` to print the report without running the tests.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass
from functools import cache

import pytest

from cxsite.course import DOCS, load_course, source
from cxsite.languages import LANGUAGES
from cxsite.quiz import Question, QuizError, parse_quiz

MAX_POSITION_EXCESS = 0.07  # a position may exceed the 1/k chance share by this much
MAX_POSITION_SHORTFALL = 0.10  # and fall short of it by this much
MIN_GROUP = 8  # fewer questions with k options than this are reported, not judged
MAX_LENGTH_CUE = 0.40  # right answer strictly longest (or strictly shortest) in at most this share
MAX_LENGTH_RATIO = 1.15  # mean of len(right answer) / mean len(other options)


def lessons() -> tuple[str, ...]:
    """Every lesson of the nav, then any lesson file not yet in it, so new lessons are covered
    as soon as their Catalan file exists."""
    nav = list(load_course().lessons)
    on_disk = sorted(
        f"{path.parent.name}/{path.name.split('.')[0]}.md"
        for path in DOCS.glob("module-*/*.ca.md")
        if not path.name.startswith("index.")
    )
    return tuple(nav + [page for page in on_disk if page not in nav])


@cache
def questions(page: str, lang: str) -> tuple[Question, ...]:
    doc = source(page, lang)
    return tuple(parse_quiz(block, f"{doc.path}, quiz {n}") for n, block in enumerate(doc.quizzes, start=1))


def all_questions(lang: str) -> list[Question]:
    return [question for page in lessons() for question in questions(page, lang)]


def length_cue(question: Question) -> str | None:
    """ "longest" or "shortest" when the right answer is strictly so, else None (ties give no cue)."""
    lengths = [len(option.text) for option in question.options]
    right = lengths.pop(question.correct_index)
    if all(right > other for other in lengths):
        return "longest"
    if all(right < other for other in lengths):
        return "shortest"
    return None


@dataclass(frozen=True)
class Stats:
    positions: dict[int, Counter]  # option count -> Counter of 1-based right-answer positions
    longest: int
    shortest: int
    length_ratio: float  # mean of len(right) / mean len(distractors)
    total: int


def quiz_stats(items: list[Question]) -> Stats:
    positions: dict[int, Counter] = {}
    for question in items:
        positions.setdefault(len(question.options), Counter())[question.correct_index + 1] += 1
    cues = Counter(length_cue(question) for question in items)
    ratios = [
        len(q.options[q.correct_index].text)
        / statistics.mean(len(o.text) for i, o in enumerate(q.options) if i != q.correct_index)
        for q in items
    ]
    return Stats(
        positions=dict(sorted(positions.items())),
        longest=cues["longest"],
        shortest=cues["shortest"],
        length_ratio=statistics.mean(ratios) if ratios else 1.0,
        total=len(items),
    )


def position_problems(stats: Stats) -> list[str]:
    problems = []
    for options, counts in stats.positions.items():
        n = sum(counts.values())
        if n < MIN_GROUP:
            continue
        chance = 1 / options
        for position in range(1, options + 1):
            share = counts[position] / n
            if share > chance + MAX_POSITION_EXCESS or share < chance - MAX_POSITION_SHORTFALL:
                problems.append(
                    f"{options}-option questions: the right answer is option {position} in {counts[position]} "
                    f"of {n} ({share:.0%}); allowed {chance - MAX_POSITION_SHORTFALL:.0%}–"
                    f"{chance + MAX_POSITION_EXCESS:.0%}"
                )
    return problems


def report() -> str:
    lines = ["Self-check quizzes: where the right answer is written, and whether its length gives it away"]
    for lang in LANGUAGES:
        stats = quiz_stats(all_questions(lang))
        groups = "; ".join(
            f"{options} options: "
            + ", ".join(f"#{p} {counts[p]} ({counts[p] / sum(counts.values()):.0%})" for p in range(1, options + 1))
            for options, counts in stats.positions.items()
        )
        lines.append(
            f"  {lang}: {stats.total} questions. Position — {groups}. Right answer strictly longest "
            f"{stats.longest} ({stats.longest / stats.total:.0%}), strictly shortest {stats.shortest} "
            f"({stats.shortest / stats.total:.0%}); length right / distractors {stats.length_ratio:.2f}"
        )
    return "\n".join(lines)


def _id(page: str) -> str:
    return page.removesuffix(".md").replace("/", "-")


# --- the course's quizzes -------------------------------------------------------------------


def test_report_the_quiz_statistics(capsys):
    """Shows both distributions in every run (pytest -q included), not only when a test fails."""
    text = report()
    with capsys.disabled():
        print("\n" + text)
    assert all(f"  {lang}: " in text for lang in LANGUAGES)


def test_right_answers_are_spread_over_the_positions():
    stats = quiz_stats(all_questions(LANGUAGES[0]))
    assert position_problems(stats) == [], report()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_right_answer_is_not_given_away_by_its_length(lang):
    stats = quiz_stats(all_questions(lang))
    assert stats.longest / stats.total <= MAX_LENGTH_CUE, report()
    assert stats.shortest / stats.total <= MAX_LENGTH_CUE, report()
    assert stats.length_ratio <= MAX_LENGTH_RATIO, report()


@pytest.mark.parametrize("page", lessons(), ids=_id)
def test_a_lesson_does_not_put_every_right_answer_in_the_same_place(page):
    places = {question.correct_index for question in questions(page, LANGUAGES[0])}
    assert len(places) > 1, f"{page}: every right answer is option {places.pop() + 1}"


@pytest.mark.parametrize("page", lessons(), ids=_id)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_lesson_has_a_scenario_question(page, lang):
    kinds = [question.kind for question in questions(page, lang)]
    assert "scenario" in kinds, f"{page} ({lang}): no question has `kind: scenario`"


@pytest.mark.parametrize("page", lessons(), ids=_id)
def test_language_versions_ask_the_same_questions_in_the_same_order(page):
    def shape(lang: str) -> list[tuple[int, int, str]]:
        return [(len(q.options), q.correct_index + 1, q.kind) for q in questions(page, lang)]

    reference = shape(LANGUAGES[0])
    for lang in LANGUAGES[1:]:
        assert shape(lang) == reference, (
            f"{page}: (options, right answer, kind) per question differ between {LANGUAGES[0]} and {lang}"
        )


# --- the checks themselves ------------------------------------------------------------------

SITUATION = (
    "Un centre rep 12.000 trucades ofertes en un mes, se n'abandonen 1.000 i n'atén 9.000 en menys de 20 segons."
)
SCENARIO = f"""
kind: scenario
question: {SITUATION} Compleix l'objectiu 80/20?
options:
  - text: "No: 75 %"
    correct: true
    feedback: Correcte. 9.000 ÷ 12.000 × 100 = 75 %, amb les abandonades al denominador.
  - text: "Sí: 81,8 %"
    feedback: No. Treure les abandonades del denominador infla el nivell de servei.
  - text: No es pot saber
    feedback: No. Només calen els contactes atesos dins del llindar i els oferts.
"""


def _question(kind: str, correct: int = 0, lengths: tuple[int, ...] = (10, 10, 10)) -> Question:
    from cxsite.quiz import Option

    options = tuple(Option("x" * n, "because", i == correct) for i, n in enumerate(lengths))
    return Question("q", options, kind)


def test_a_scenario_question_is_parsed_with_its_kind():
    question = parse_quiz(SCENARIO)
    assert question.kind == "scenario"
    assert question.correct_index == 0
    assert parse_quiz(SCENARIO.replace("kind: scenario\n", "")).kind == "concept"


@pytest.mark.parametrize(
    "change, message",
    [
        (("kind: scenario", "kind: quiz"), "`kind` must be one of"),
        (("kind: scenario", "kind: scenario\nlevel: hard"), "unknown keys ['level']"),
        ((SITUATION, "Un centre."), "too short"),
        (("No. Treure les abandonades del denominador infla el nivell de servei.", "No."), "option 2's feedback"),
    ],
)
def test_quiz_blocks_that_break_the_rules_are_refused(change, message):
    with pytest.raises(QuizError, match=re.escape(message)):
        parse_quiz(SCENARIO.replace(*change), "lesson")


def test_length_cues_ignore_ties():
    assert length_cue(_question("concept", 0, (30, 10, 10))) == "longest"
    assert length_cue(_question("concept", 0, (5, 10, 10))) == "shortest"
    assert length_cue(_question("concept", 0, (10, 10, 3))) is None
    assert length_cue(_question("concept", 1, (2, 2, 2))) is None


def test_the_position_check_can_fail():
    skewed = [_question("concept", 0) for _ in range(6)] + [_question("concept", i) for i in (1, 2, 1, 2)]
    problems = position_problems(quiz_stats(skewed))
    assert any("option 1 in 6 of 10 (60%)" in p for p in problems)
    balanced = [_question("concept", i % 3) for i in range(9)]
    assert position_problems(quiz_stats(balanced)) == []
    assert position_problems(quiz_stats(skewed[:5])) == [], "groups under MIN_GROUP are only reported"


if __name__ == "__main__":
    print(report())

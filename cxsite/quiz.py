"""Self-check questions: a ```quiz block of YAML in the lesson, rendered as an accessible form.

Each option is a native radio button with its label, grouped in a fieldset whose legend is the
question, so keyboards and screen readers work without any script. The script (assets/cx.js)
shuffles the options, in an order fixed per learner and question, and reveals the feedback of the
chosen option in a live region. Without the script the options keep the order they were written in.

A question may say `kind: scenario`: it sets out a concrete situation (numbers or a decision) for
the learner to apply or analyse, rather than a fact to recall. Every lesson has at least one
(tests/test_quizzes.py), so scenario questions are held to a little more: a stem that really
describes a situation and feedback that explains each option.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

import yaml

from cxsite.languages import ui


class QuizError(ValueError):
    """A quiz block that does not follow the format in CONTRIBUTING.md."""


# "concept" (the default) asks about an idea; "scenario" asks the learner to apply it to a case.
KINDS = ("concept", "scenario")
QUESTION_KEYS = {"question", "options", "kind"}
OPTION_KEYS = {"text", "feedback", "correct"}
# A scenario needs room for a situation: a bare "What is the NPS of 50/20/30?" is a calculation
# drill, not a case. These are floors that catch one-line stems and one-word feedback, not targets.
MIN_SCENARIO_STEM_WORDS = 20
MIN_SCENARIO_FEEDBACK_WORDS = 8
WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)


@dataclass(frozen=True)
class Option:
    text: str
    feedback: str
    correct: bool


@dataclass(frozen=True)
class Question:
    question: str
    options: tuple[Option, ...]
    kind: str = "concept"

    @property
    def correct_index(self) -> int:
        """Where the right answer was written (0-based); the browser may show it elsewhere."""
        return next(index for index, option in enumerate(self.options) if option.correct)


def parse_quiz(block: str, where: str = "quiz") -> Question:
    """The question in a quiz block, or a QuizError that says what is wrong."""
    try:
        data = yaml.safe_load(block)
    except yaml.YAMLError as error:
        raise QuizError(f"{where}: not valid YAML: {error}") from error
    if not isinstance(data, dict) or not isinstance(data.get("question"), str):
        raise QuizError(f"{where}: needs a `question:` text")
    unknown = set(data) - QUESTION_KEYS
    if unknown:
        raise QuizError(f"{where}: unknown keys {sorted(unknown)}")
    kind = data.get("kind", "concept")
    if kind not in KINDS:
        raise QuizError(f"{where}: `kind` must be one of {list(KINDS)}, not {kind!r}")
    raw_options = data.get("options")
    if not isinstance(raw_options, list) or not 3 <= len(raw_options) <= 4:
        raise QuizError(f"{where}: needs three or four `options`")
    options = []
    for number, raw in enumerate(raw_options, start=1):
        if not isinstance(raw, dict) or not isinstance(raw.get("text"), str | int | float):
            raise QuizError(f"{where}: option {number} needs a `text:`")
        if not isinstance(raw.get("feedback"), str) or not raw["feedback"].strip():
            raise QuizError(f"{where}: option {number} needs a `feedback:` that explains why")
        unknown = set(raw) - OPTION_KEYS
        if unknown:
            raise QuizError(f"{where}: option {number} has unknown keys {sorted(unknown)}")
        options.append(Option(str(raw["text"]), raw["feedback"].strip(), raw.get("correct") is True))
    if sum(option.correct for option in options) != 1:
        raise QuizError(f"{where}: exactly one option must have `correct: true`")
    question = Question(data["question"].strip(), tuple(options), kind)
    if kind == "scenario":
        _check_scenario(question, where)
    return question


def _check_scenario(question: Question, where: str) -> None:
    stem_words = len(WORD.findall(question.question))
    if stem_words < MIN_SCENARIO_STEM_WORDS:
        raise QuizError(
            f"{where}: a scenario sets out a situation in its question; "
            f"{stem_words} words is too short (at least {MIN_SCENARIO_STEM_WORDS})"
        )
    for number, option in enumerate(question.options, start=1):
        if len(WORD.findall(option.feedback)) < MIN_SCENARIO_FEEDBACK_WORDS:
            raise QuizError(
                f"{where}: option {number}'s feedback must explain why, in at least {MIN_SCENARIO_FEEDBACK_WORDS} words"
            )


def render_quiz(question: Question, lang: str, number: int, page_key: str) -> str:
    """The HTML of one question; `page_key` and `number` make its ids unique on the page.

    `data-quiz-id` (lesson and question number, the same in every language) is what the script
    hashes, with the learner's seed, to order the options: a learner who switches language or comes
    back sees the same order. The options come first and the hidden explanations after them, so
    that reordering the options moves nothing else."""
    base = f"quiz-{page_key.replace('/', '-')}-{number}"
    rows = []
    for index, option in enumerate(question.options):
        option_id = f"{base}-{index}"
        rows.append(
            f'<div class="cx-quiz__option">'
            f'<input type="radio" name="{base}" id="{option_id}" value="{index}">'
            f'<label for="{option_id}">{escape(option.text)}</label></div>'
        )
    for index, option in enumerate(question.options):
        rows.append(
            f'<p class="cx-quiz__explain" data-option="{index}" data-correct="{str(option.correct).lower()}" '
            f"hidden>{escape(option.feedback)}</p>"
        )
    return (
        f'<div class="cx-quiz" data-quiz data-quiz-id="{escape(page_key)}/{number}" '
        f'data-kind="{question.kind}" data-correct-label="{escape(ui(lang, "correct"))}" '
        f'data-incorrect-label="{escape(ui(lang, "incorrect"))}" '
        f'data-choose-label="{escape(ui(lang, "choose_first"))}">\n'
        f'<fieldset><legend><span class="cx-quiz__number">{escape(ui(lang, "question", n=number))}.</span> '
        f"{escape(question.question)}</legend>\n" + "\n".join(rows) + "\n</fieldset>\n"
        f'<button type="button" class="md-button cx-quiz__check">{escape(ui(lang, "check"))}</button>\n'
        f'<div class="cx-quiz__feedback" role="status" aria-live="polite"></div>\n'
        "</div>"
    )

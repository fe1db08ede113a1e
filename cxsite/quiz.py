"""Self-check questions: a ```quiz block of YAML in the lesson, rendered as an accessible form.

Each option is a native radio button with its label, grouped in a fieldset whose legend is the
question, so keyboards and screen readers work without any script. The script (assets/cx.js)
only reveals the feedback of the chosen option in a live region.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import yaml

from cxsite.languages import ui


class QuizError(ValueError):
    """A quiz block that does not follow the format in CONTRIBUTING.md."""


@dataclass(frozen=True)
class Option:
    text: str
    feedback: str
    correct: bool


@dataclass(frozen=True)
class Question:
    question: str
    options: tuple[Option, ...]


def parse_quiz(block: str, where: str = "quiz") -> Question:
    """The question in a quiz block, or a QuizError that says what is wrong."""
    try:
        data = yaml.safe_load(block)
    except yaml.YAMLError as error:
        raise QuizError(f"{where}: not valid YAML: {error}") from error
    if not isinstance(data, dict) or not isinstance(data.get("question"), str):
        raise QuizError(f"{where}: needs a `question:` text")
    raw_options = data.get("options")
    if not isinstance(raw_options, list) or not 3 <= len(raw_options) <= 4:
        raise QuizError(f"{where}: needs three or four `options`")
    options = []
    for number, raw in enumerate(raw_options, start=1):
        if not isinstance(raw, dict) or not isinstance(raw.get("text"), str | int | float):
            raise QuizError(f"{where}: option {number} needs a `text:`")
        if not isinstance(raw.get("feedback"), str) or not raw["feedback"].strip():
            raise QuizError(f"{where}: option {number} needs a `feedback:` that explains why")
        unknown = set(raw) - {"text", "feedback", "correct"}
        if unknown:
            raise QuizError(f"{where}: option {number} has unknown keys {sorted(unknown)}")
        options.append(Option(str(raw["text"]), raw["feedback"].strip(), raw.get("correct") is True))
    if sum(option.correct for option in options) != 1:
        raise QuizError(f"{where}: exactly one option must have `correct: true`")
    return Question(data["question"].strip(), tuple(options))


def render_quiz(question: Question, lang: str, number: int, page_key: str) -> str:
    """The HTML of one question; `page_key` and `number` make its ids unique on the page."""
    base = f"quiz-{page_key.replace('/', '-')}-{number}"
    rows = []
    for index, option in enumerate(question.options):
        option_id = f"{base}-{index}"
        rows.append(
            f'<div class="cx-quiz__option">'
            f'<input type="radio" name="{base}" id="{option_id}" value="{index}">'
            f'<label for="{option_id}">{escape(option.text)}</label></div>'
        )
        rows.append(
            f'<p class="cx-quiz__explain" data-option="{index}" data-correct="{str(option.correct).lower()}" '
            f"hidden>{escape(option.feedback)}</p>"
        )
    return (
        f'<div class="cx-quiz" data-quiz data-correct-label="{escape(ui(lang, "correct"))}" '
        f'data-incorrect-label="{escape(ui(lang, "incorrect"))}" '
        f'data-choose-label="{escape(ui(lang, "choose_first"))}">\n'
        f'<fieldset><legend><span class="cx-quiz__number">{escape(ui(lang, "question", n=number))}.</span> '
        f"{escape(question.question)}</legend>\n" + "\n".join(rows) + "\n</fieldset>\n"
        f'<button type="button" class="md-button cx-quiz__check">{escape(ui(lang, "check"))}</button>\n'
        f'<div class="cx-quiz__feedback" role="status" aria-live="polite"></div>\n'
        "</div>"
    )

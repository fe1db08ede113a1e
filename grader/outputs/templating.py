"""The HTML pages the grader writes (feedback, report) come from Jinja2 templates in
`grader/outputs/templates/`, with autoescaping on: every value, whatever a student's code or a file name
put in it, reaches the page as text, never as markup."""

from __future__ import annotations

import functools
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES = Path(__file__).resolve().parent / "templates"


def number(value: float, lang: str = "en") -> str:
    """A number as the language writes it: `2.5` in English, `2,5` in Catalan and Spanish."""
    text = f"{value:g}"
    return text.replace(".", ",") if lang in ("ca", "es") else text


@functools.cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["number"] = number
    return env


def render(template: str, **context: object) -> str:
    return environment().get_template(template).render(**context)

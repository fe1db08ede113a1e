"""The course's exercises as the grader sees them: where their sources are, their languages, the
files a student gets, and a fingerprint of each release."""

from __future__ import annotations

import functools
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from grader.course import LANGUAGES, PROJECT, is_released

# The defaults: this checkout's course. The command line's --course points elsewhere.
SOLUTIONS = PROJECT / "solutions"
EXERCISES = PROJECT / "exercises"
NOTEBOOK_NAME = re.compile(r"^(?P<exercise>[a-z0-9\-]+)\.(?P<lang>[a-z]{2})\.ipynb$")


class UnknownExercise(LookupError):
    """An exercise id with no folder in solutions/."""


@dataclass(frozen=True)
class Exercise:
    id: str
    source: Path
    """`solutions/<id>/`: nbgrader's source, with the reference solutions and hidden tests."""

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(lang for lang in LANGUAGES if self.notebook(lang).is_file())

    def notebook(self, lang: str) -> Path:
        return self.source / self.notebook_name(lang)

    def notebook_name(self, lang: str) -> str:
        return f"{self.id}.{lang}.ipynb"

    def shared_files(self) -> list[Path]:
        """Data, helper modules and message catalogues: everything released but the notebooks."""
        files = []
        for path in sorted(self.source.rglob("*")):
            relative = path.relative_to(self.source)
            if path.is_dir() or path.suffix == ".ipynb" or not is_released(relative):
                continue
            files.append(path)
        return files

    def max_score(self, lang: str) -> float:
        """The points a perfect submission gets: the grade cells' points in the notebook."""
        cells = json.loads(self.notebook(lang).read_text(encoding="utf-8")).get("cells", [])
        meta = [c.get("metadata", {}).get("nbgrader", {}) for c in cells]
        return float(sum(m.get("points", 0) for m in meta if m.get("grade")))

    def catalogue(self, lang: str) -> dict[str, str]:
        """The exercise's messages in `lang` (`messages/<lang>.json`); empty when it has none."""
        return _catalogue(self.source / "messages" / f"{lang}.json")

    def fingerprint(self) -> str:
        """Changes whenever a notebook, data file or helper of the exercise changes."""
        digest = hashlib.sha256()
        for path in [*(self.notebook(lang) for lang in self.languages), *self.shared_files()]:
            digest.update(path.relative_to(self.source).as_posix().encode())
            digest.update(path.read_bytes())
        return digest.hexdigest()[:16]


def load_exercise(exercise_id: str, solutions: Path = SOLUTIONS) -> Exercise:
    folder = solutions / exercise_id
    if not re.fullmatch(r"[a-z0-9][a-z0-9\-]*", exercise_id) or not folder.is_dir():
        known = ", ".join(e.id for e in all_exercises(solutions)) or "none"
        raise UnknownExercise(f"unknown exercise {exercise_id!r} (known: {known})")
    exercise = Exercise(exercise_id, folder)
    if not exercise.languages:
        raise UnknownExercise(f"{folder}: no notebook named {exercise_id}.<ca|es|en>.ipynb")
    return exercise


def all_exercises(solutions: Path = SOLUTIONS) -> list[Exercise]:
    if not solutions.is_dir():
        return []
    return [
        Exercise(p.name, p)
        for p in sorted(solutions.iterdir())
        if p.is_dir() and not p.name.startswith(("_", ".")) and any(p.glob(f"{p.name}.*.ipynb"))
    ]


@functools.cache
def _catalogue(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): v for k, v in data.items() if isinstance(v, str)} if isinstance(data, dict) else {}

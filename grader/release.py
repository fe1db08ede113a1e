"""Release: the student versions in `exercises/`, made by `nbgrader generate_assignment` from
`solutions/` (solutions replaced by stubs in the notebook's language, hidden tests removed), with the
requirements the notebooks share (`solutions/_common/requirements.txt`)."""

from __future__ import annotations

import filecmp
import shutil
import tempfile
from pathlib import Path

from grader.exercises import EXERCISES, SOLUTIONS, Exercise, UnknownExercise, all_exercises
from grader.grading.nbgrader_driver import build_template

REQUIREMENTS = "requirements.txt"


def release_exercise(exercise: Exercise, target: Path) -> Path:
    """Write the student version of one exercise to `target/<id>/`, replacing what was there."""
    destination = target / exercise.id
    with tempfile.TemporaryDirectory(prefix="cx-release-") as work:
        staging = Path(work) / exercise.id
        staging.mkdir()
        for lang in exercise.languages:
            released = build_template(exercise, lang, Path(work) / f"course-{lang}").parent
            for path in sorted(released.rglob("*")):
                if path.is_file():
                    target_file = staging / path.relative_to(released)
                    target_file.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(path, target_file)
        # Every release carries what its notebooks need to run, from the one list the exercises
        # share: students install it with `pip install -r requirements.txt` (the site says how).
        requirements = exercise.source.parent / "_common" / REQUIREMENTS
        if requirements.is_file():
            shutil.copyfile(requirements, staging / REQUIREMENTS)
        if destination.exists():
            shutil.rmtree(destination)
        shutil.copytree(staging, destination)
    return destination


def release(solutions: Path = SOLUTIONS, target: Path = EXERCISES, only: list[str] | None = None) -> list[Path]:
    """Release every exercise (or those named in `only`); exercises no longer in solutions/ are removed."""
    known = all_exercises(solutions)
    unknown = sorted(set(only or ()) - {e.id for e in known})
    if unknown:
        names = ", ".join(e.id for e in known) or "none"
        raise UnknownExercise(f"unknown exercise {', '.join(map(repr, unknown))} (known: {names})")
    target.mkdir(parents=True, exist_ok=True)
    exercises = [e for e in known if not only or e.id in only]
    if not only:
        for stale in target.iterdir():
            if stale.is_dir() and stale.name not in {e.id for e in exercises}:
                shutil.rmtree(stale)
    return [release_exercise(exercise, target) for exercise in exercises]


def differences(left: Path, right: Path) -> list[str]:
    """Files that differ between two trees (missing on either side, or different bytes)."""
    found: list[str] = []
    comparison = filecmp.dircmp(left, right)

    def walk(cmp: filecmp.dircmp, prefix: str) -> None:
        found.extend(f"{prefix}{name}: only in {cmp.left}" for name in cmp.left_only)
        found.extend(f"{prefix}{name}: only in {cmp.right}" for name in cmp.right_only)
        _, mismatch, errors = filecmp.cmpfiles(cmp.left, cmp.right, cmp.common_files, shallow=False)
        found.extend(f"{prefix}{name}: differs" for name in mismatch + errors)
        for name, sub in cmp.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(comparison, "")
    return found

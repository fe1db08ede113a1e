"""The course as files: where it is, its languages, and which files are never course material.

The one place that knows these. The grader and the site read them from here, so that an
instructor who installs the grader with pip can point it at a course elsewhere (`--course DIR`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path, PurePath

LANGUAGES: tuple[str, ...] = ("ca", "es", "en")
"""The course's languages; the first is the source language, the site's default."""

SYSTEM_NAMES = frozenset({"__MACOSX", "__pycache__", "Thumbs.db", "desktop.ini"})
"""Names an operating system, Python or Jupyter adds beside real files; any name starting with a
dot (`.DS_Store`, `.ipynb_checkpoints`) is one too."""

INSTRUCTORS_ONLY = ("generate_data.py", "lessons.json", "*.pyc")
"""Files in `solutions/<id>/` that are never released to students."""

PROJECT = Path(__file__).resolve().parent.parent
"""This checkout (where the package lives when installed in development mode)."""


def is_system_file(parts: Iterable[str]) -> bool:
    """Whether a relative path (its parts) is, or lies inside, something a system added."""
    return any(part in SYSTEM_NAMES or (part.startswith(".") and part not in {".", ".."}) for part in parts)


def is_released(relative: PurePath) -> bool:
    """Whether a file of `solutions/<id>/` (relative to that folder) goes to the students."""
    return not is_system_file(relative.parts) and not any(relative.match(p) for p in INSTRUCTORS_ONLY)


class NotACourse(ValueError):
    """A folder given as the course holds no `solutions/` folder."""


def is_course(folder: Path) -> bool:
    return (folder / "solutions").is_dir()


def find_course(start: Path | None = None) -> Path:
    """The course to work on: `$CX_COURSE`, else the nearest folder from `start` (the current
    folder) upwards that holds `solutions/`, else this checkout."""
    if os.environ.get("CX_COURSE"):
        return course_root(Path(os.environ["CX_COURSE"]))
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if is_course(folder):
            return folder
    return PROJECT


def course_root(folder: Path) -> Path:
    """`folder` as a course root, or NotACourse saying what is missing."""
    folder = folder.expanduser().resolve()
    if not is_course(folder):
        raise NotACourse(f"{folder}: not a course folder (no solutions/ folder inside)")
    return folder

"""Exercise downloads: one zip per exercise and language, made at build time from `exercises/`.

The zips are not committed: they are derived from the released student versions, so they cannot
drift from them. Entries carry a fixed date so that the same release gives the same bytes.
"""

from __future__ import annotations

import atexit
import functools
import io
import shutil
import tempfile
import zipfile
from pathlib import Path

from mkdocs.structure.files import File, Files

from cxsite.course import ROOT
from cxsite.languages import LANGUAGES
from grader.course import is_system_file

EXERCISES = ROOT / "exercises"
FIXED_DATE = (2026, 1, 1, 0, 0, 0)


def _belongs_to(relative: Path, lang: str) -> bool:
    """Keep only this language's notebook and messages; shared files go to every language."""
    suffixes = relative.suffixes
    if len(suffixes) >= 2 and suffixes[-2].lstrip(".") in LANGUAGES:
        return suffixes[-2].lstrip(".") == lang
    if relative.parent.name == "messages":
        return relative.stem == lang
    return True


def download_members(exercise_dir: Path, lang: str) -> list[Path]:
    """The files of a released exercise that go into the `lang` download, in a stable order."""
    members = []
    for path in sorted(exercise_dir.rglob("*")):
        relative = path.relative_to(exercise_dir)
        if path.is_file() and not is_system_file(relative.parts) and _belongs_to(relative, lang):
            members.append(path)
    return members


def build_zip(exercise_dir: Path, lang: str) -> bytes:
    """The download for one exercise and language: a folder named after the exercise."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in download_members(exercise_dir, lang):
            info = zipfile.ZipInfo(f"{exercise_dir.name}/{path.relative_to(exercise_dir).as_posix()}", FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


def released_exercises(root: Path = EXERCISES) -> list[Path]:
    return (
        sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))) if root.is_dir() else []
    )


@functools.cache
def _download_folder() -> Path:
    # One folder for the whole process: `mkdocs serve` rebuilds into it; gone when mkdocs exits.
    folder = Path(tempfile.mkdtemp(prefix="cx-downloads-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def add_downloads(files: Files, config) -> Files:
    """Add the downloads to the site's files. They are written to a scratch folder first:
    mkdocs-static-i18n needs every file to have a path on disk."""
    for exercise_dir in released_exercises():
        for lang in LANGUAGES:
            name = f"{exercise_dir.name}-{lang}.zip"
            path = _download_folder() / name
            path.write_bytes(build_zip(exercise_dir, lang))
            files.append(File.generated(config, f"exercises/downloads/{name}", abs_src_path=str(path)))
    return files

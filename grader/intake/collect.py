"""Collect: from whatever the instructor downloaded to one notebook per student.

Accepted input (detected, not declared):
- a folder with `<student_id>.ipynb` or `<student_id>/<anything>.ipynb`;
- an nbgrader course's `submitted/` folder: `<student_id>/<exercise>/<notebook>.ipynb`;
- a Moodle "Download all submissions" zip: `<Full name>_<participant id>_assignsubmission_file_/<file>`;
- a Canvas submissions zip: `<namelastfirst>[_LATE]_<user id>_<submission id>_<file>`;
- a zip of a folder laid out as the first case.

Every entry that cannot be used is refused on its own, with a reason: the rest of the batch goes on.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import stat
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from grader.course import is_system_file
from grader.exercises import LANGUAGES, NOTEBOOK_NAME, Exercise, all_exercises
from grader.intake.student_ids import distinct_ids

MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
MOODLE_ENTRY = re.compile(
    r"^(?P<name>[^/]+?)_(?P<id>\d+)_assign(?:submission|feedback)_(?P<plugin>[a-z]+)_/?(?P<file>.*)$"
)
CANVAS_ENTRY = re.compile(r"^(?P<name>[a-z0-9\-]+?)(?P<late>_LATE)?_(?P<id>\d+)_(?P<submission>\d+)_(?P<file>[^/]+)$")
LANG_CELL = re.compile(r"""^\s*LANG\s*=\s*["']([a-z]{2})["']\s*$""", re.MULTILINE)


class UnusableInput(ValueError):
    """The SUBMISSIONS argument itself cannot be used (missing, unreadable, not a zip)."""


@dataclass
class Submission:
    student_id: str
    path: Path
    """The collected copy of the notebook, inside the output folder."""
    source: str
    """Where it came from, as the instructor would recognise it (zip entry or file path)."""
    language: str
    submitted_at: str
    """ISO 8601; used to keep the latest of several notebooks from one student."""
    sha256: str
    """Of the notebook's bytes: a re-run does not grade an unchanged submission again."""
    name: str = ""
    """The student's name where the LMS gives it (Moodle, Canvas)."""
    notes: list[str] = field(default_factory=list)
    superseded: list[str] = field(default_factory=list)
    """The sources of the student's older notebooks, not graded (the report counts them)."""
    raw_id: str = ""
    """The student id as the input wrote it, before it was made safe (grader.intake.student_ids)."""


@dataclass
class Rejection:
    source: str
    reason: str
    student_id: str | None = None
    name: str = ""
    raw_id: str = ""


@dataclass
class Collected:
    format: str
    submissions: list[Submission]
    rejected: list[Rejection]
    ignored: list[Rejection] = field(default_factory=list)
    """Files an operating system or Jupyter adds (`__MACOSX/`, `.ipynb_checkpoints/`): listed in
    the report, never graded, never a reason for a failed batch."""


def _system_file(relative: str) -> bool:
    return is_system_file(PurePosixPath(relative.replace("\\", "/")).parts)


@dataclass
class _Entry:
    source: str
    student_id: str | None
    name: str
    filename: str
    submitted_at: str
    read: Callable[[], bytes]
    """The entry's bytes; raises _Refused when it is too large."""
    size: int
    problem: str | None = None


class _Refused(Exception):
    pass


def _iso(timestamp: float | tuple[int, int, int, int, int, int]) -> str:
    if isinstance(timestamp, tuple):
        year, month, day, hour, minute, second = timestamp
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC).isoformat()
    return datetime.fromtimestamp(timestamp, tz=UTC).isoformat()


def _unsafe_zip_name(name: str) -> bool:
    path = PurePosixPath(name.replace("\\", "/"))
    return name.startswith(("/", "\\")) or ".." in path.parts or re.match(r"^[A-Za-z]:", name) is not None


def _student_of(parts: tuple[str, ...]) -> str | None:
    """`<id>.ipynb` or `<id>/<anything>`; a stray file at the top names no student."""
    if len(parts) > 1:
        return parts[0]
    return PurePosixPath(parts[0]).stem if parts[0].lower().endswith(".ipynb") else None


def _zip_entries(archive: zipfile.ZipFile) -> tuple[str, list[_Entry]]:
    infos = [i for i in archive.infolist() if not i.is_dir()]
    names = [i.filename for i in infos]
    if any(MOODLE_ENTRY.match(n) for n in names):
        kind = "moodle"
    elif any(CANVAS_ENTRY.match(n) for n in names):
        kind = "canvas"
    else:
        kind = "zip"
    entries = []
    for info in infos:
        name, student, filename, person = info.filename, None, PurePosixPath(info.filename).name, ""
        if kind == "moodle" and (match := MOODLE_ENTRY.match(name)):
            student, person, filename = (
                match["id"],
                match["name"],
                PurePosixPath(match["file"]).name or filename,
            )
        elif kind == "canvas" and (match := CANVAS_ENTRY.match(name)):
            student, person, filename = match["id"], match["name"], match["file"]
        elif kind == "zip":
            parts = PurePosixPath(name).parts
            if len(parts) >= 2 and parts[0] in {"submissions", "submitted"} and len(parts) > 2:
                parts = parts[1:]
            student = _student_of(parts)
        problem = None
        if _unsafe_zip_name(name):
            problem = "unsafe path in the zip (absolute or with '..'): not extracted"
        elif stat.S_ISLNK(info.external_attr >> 16):
            problem = "a symbolic link, not a notebook: not extracted"

        def read(info=info) -> bytes:
            with archive.open(info) as stream:
                data = stream.read(MAX_NOTEBOOK_BYTES + 1)  # never trust the declared size of a zip entry
            if len(data) > MAX_NOTEBOOK_BYTES:
                raise _Refused(f"larger than {MAX_NOTEBOOK_BYTES // (1024 * 1024)} MB")
            return data

        entries.append(_Entry(name, student, person, filename, _iso(info.date_time), read, info.file_size, problem))
    return kind, entries


def _folder_entries(folder: Path, exercise: Exercise) -> tuple[str, list[_Entry]]:
    nbgrader = any((child / exercise.id).is_dir() for child in folder.iterdir() if child.is_dir())
    kind = "nbgrader" if nbgrader else "folder"
    entries = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_dir() and not path.is_symlink():
            continue
        if path.name == "timestamp.txt" and nbgrader:
            continue
        parts = relative.parts
        student = _student_of(parts)
        submitted_at = _iso(path.lstat().st_mtime)
        if nbgrader and len(parts) >= 2:
            stamp = folder / parts[0] / parts[1] / "timestamp.txt" if len(parts) > 2 else None
            if stamp and stamp.is_file():
                submitted_at = _nbgrader_timestamp(stamp) or submitted_at
        problem = "a symbolic link, not a notebook: not read" if path.is_symlink() else None

        def read(path=path) -> bytes:
            if path.stat().st_size > MAX_NOTEBOOK_BYTES:
                raise _Refused(f"larger than {MAX_NOTEBOOK_BYTES // (1024 * 1024)} MB")
            return path.read_bytes()

        size = 0 if problem else path.stat().st_size
        entries.append(_Entry(str(relative), student, "", path.name, submitted_at, read, size, problem))
    return kind, entries


def _nbgrader_timestamp(path: Path) -> str | None:
    text = path.read_text(encoding="utf-8", errors="replace").strip()
    for pattern in (
        "%Y-%m-%d %H:%M:%S.%f %Z",
        "%Y-%m-%d %H:%M:%S.%f",
        "%Y-%m-%d %H:%M:%S %Z",
        "%Y-%m-%d %H:%M:%S",
    ):
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=UTC).isoformat()
        except ValueError:
            continue
    return None


def notebook_language(data: bytes, filename: str, default: str) -> str:
    """The notebook's language: its metadata, then its file name, then its `LANG = "xx"` cell."""
    try:
        notebook = json.loads(data)
        language = notebook.get("metadata", {}).get("cx", {}).get("language")
        if language in LANGUAGES:
            return language
    except (ValueError, AttributeError, UnicodeDecodeError):
        notebook = None
    match = NOTEBOOK_NAME.match(filename)
    if match and match["lang"] in LANGUAGES:
        return match["lang"]
    if isinstance(notebook, dict):
        for cell in notebook.get("cells", []) if isinstance(notebook.get("cells"), list) else []:
            source = cell.get("source", "") if isinstance(cell, dict) else ""
            found = LANG_CELL.search("".join(source) if isinstance(source, list) else str(source))
            if found and found.group(1) in LANGUAGES:
                return found.group(1)
    return default


def notebook_exercise(data: bytes, filename: str, known: set[str]) -> str | None:
    """Which exercise a notebook says it belongs to, if it says so."""
    try:
        exercise = json.loads(data).get("metadata", {}).get("cx", {}).get("exercise")
        if isinstance(exercise, str):
            return exercise
    except (ValueError, AttributeError, UnicodeDecodeError):
        pass
    match = NOTEBOOK_NAME.match(filename)
    if match and match["exercise"] in known:
        return match["exercise"]
    return None


def collect(source: Path, exercise: Exercise, target: Path) -> Collected:
    """Read SUBMISSIONS and write one notebook per student to `target/<student_id>.ipynb`."""
    source = Path(source)
    if not source.exists():
        raise UnusableInput(f"{source}: no such file or folder")
    if source.is_file():
        if not zipfile.is_zipfile(source):
            raise UnusableInput(f"{source}: not a zip file nor a folder of notebooks")
        archive = zipfile.ZipFile(source)
        kind, entries = _zip_entries(archive)
    else:
        archive = None
        kind, entries = _folder_entries(source, exercise)
    try:
        return _select(kind, entries, exercise, target)
    finally:
        if archive:
            archive.close()


def _named_for(exercise: Exercise, filename: str) -> bool:
    """Whether a file's name says it is the exercise's notebook (`kpis.ca.ipynb`, `kpis-final.ipynb`),
    as against a stray `Untitled.ipynb` or a copy the student made on the side."""
    return re.match(rf"{re.escape(exercise.id)}(?:$|[^a-z0-9])", filename.lower()) is not None


@dataclass
class _Received:
    entry: _Entry
    path: Path
    sha256: str
    language: str


def _select(kind: str, entries: list[_Entry], exercise: Exercise, target: Path) -> Collected:
    """Refuse what cannot be graded, keep one notebook per student. Each notebook goes to disk as
    soon as it is read (a batch of thousands never sits in memory), and every entry ends as a
    submission, a refusal with its reason, or a note on the submission kept in its place."""
    known = {e.id for e in all_exercises(exercise.source.parent)} | {exercise.id}
    ids = distinct_ids(e.student_id for e in entries if e.student_id)
    if target.exists():
        shutil.rmtree(target)
    incoming = target / ".incoming"
    incoming.mkdir(parents=True)
    rejected: list[Rejection] = []
    candidates: dict[str, list[_Received]] = {}
    default_language = exercise.languages[0]
    ignored: list[Rejection] = []
    for number, entry in enumerate(entries):
        if _system_file(entry.source) and not entry.problem:
            ignored.append(Rejection(entry.source, "a file the operating system or Jupyter adds, not a submission"))
            continue
        student = ids[entry.student_id] if entry.student_id else None

        def refuse(reason: str, entry: _Entry = entry, student: str | None = student) -> None:
            rejected.append(Rejection(entry.source, reason, student, entry.name, entry.student_id or ""))

        if entry.problem:
            refuse(entry.problem)
            continue
        if not entry.filename.lower().endswith(".ipynb"):
            refuse("not a notebook (.ipynb): not graded")
            continue
        if not student:
            refuse("no student id in the name")
            continue
        try:
            data = entry.read()
        except _Refused as refusal:
            refuse(f"{refusal}: not graded")
            continue
        other = notebook_exercise(data, entry.filename, known)
        if other and other != exercise.id:
            refuse(f"a notebook of the exercise {other!r}, not {exercise.id!r}")
            continue
        path = incoming / f"{number}.ipynb"
        path.write_bytes(data)
        language = notebook_language(data, entry.filename, default_language)
        candidates.setdefault(student, []).append(_Received(entry, path, hashlib.sha256(data).hexdigest(), language))
        del data

    submissions = []
    for student, received in sorted(candidates.items()):
        # The notebook named for the exercise wins over a stray Untitled.ipynb; then the latest.
        received.sort(key=lambda r: (_named_for(exercise, r.entry.filename), r.entry.submitted_at, r.entry.source))
        kept = received[-1]
        path = target / f"{student}.ipynb"
        kept.path.replace(path)
        notes = []
        if len(received) > 1:
            others = ", ".join(r.entry.source for r in received[:-1])
            named = {_named_for(exercise, r.entry.filename) for r in received}
            why = "the latest" if len(named) == 1 else "the one named for the exercise"
            notes.append(
                f"{len(received)} notebooks from this student: kept {kept.entry.source} ({why}), ignored {others}"
            )
        submissions.append(
            Submission(
                student_id=student,
                path=path,
                source=kept.entry.source,
                language=kept.language,
                submitted_at=kept.entry.submitted_at,
                sha256=kept.sha256,
                name=kept.entry.name.replace("_", " ").strip(),
                notes=notes,
                superseded=[r.entry.source for r in received[:-1]],
                raw_id=kept.entry.student_id or student,
            )
        )
    shutil.rmtree(incoming)
    return Collected(kind, submissions, rejected, ignored)

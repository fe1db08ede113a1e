"""The one shape of a grading result, written as JSON and read back by feedback, export and report.

```json
{
  "student_id": "12345",            // from the file name, the LMS entry or nbgrader's folder
  "exercise": "kpis",
  "language": "es",                 // ca | es | en: the notebook's language, used for feedback
  "score": 18.0,
  "max_score": 26.0,
  "status": "graded",               // graded | failed | rejected
  "message": "",                    // why a submission failed or was rejected, in English for the instructor
  "tasks": [{"task": "1", "points": 2.0, "max_points": 2.0, "message": "", "key": ""}, ...],
  "source": "Anna Puig_12345_assignsubmission_file_/kpis.ipynb",
  "sha256": "…",                    // of the submitted file: re-runs skip what was graded already
  "release": "…",                   // fingerprint of the exercise version it was graded against
  "notes": ["two notebooks from this student: kept the latest, …"],
  "review": ["task 3: its visible checks passed in the student's run but fail on the saved answers …"],
  "isolated": true,                 // false when graded with --no-isolation
  "raw_id": "José Pérez",           // the id as the input wrote it; student_id is its safe form
  "setup": "…",                     // limits and versions: a re-run reuses only results of the same setup
  "duration_s": 4.2
}

`notes` and `review` are for the instructor (grades.csv, the report), never for the student's
feedback or the LMS feedback columns.
```
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path


class Status(StrEnum):
    GRADED = "graded"
    """Scored by the check run; the score stands."""
    FAILED = "failed"
    """Could not be graded (a kernel died, a limit, a grader fault): graded again on the next run."""
    REJECTED = "rejected"
    """Refused at collection (not a notebook, too large, another exercise): nothing was run."""


@dataclass
class TaskResult:
    task: str
    """The task's number, from the grade cell's id (`task3_tests` -> `3`)."""
    points: float
    max_points: float
    message: str = ""
    """What the student should look at, in the notebook's language; empty when the task is right."""
    key: str = ""
    """Which message it is: the exercise catalogue's key of the failed check (`nps_passives`), or
    `grader:<name>` for what the grader found itself (`grader:not_done`, `grader:timeout`); empty
    when the task is right. The report counts the typical mistakes by it."""


@dataclass
class Result:
    student_id: str
    exercise: str
    language: str
    score: float
    max_score: float
    status: Status
    message: str = ""
    tasks: list[TaskResult] = field(default_factory=list)
    source: str = ""
    sha256: str = ""
    release: str = ""
    notes: list[str] = field(default_factory=list)
    review: list[str] = field(default_factory=list)
    """Why the instructor should look at this submission by hand; empty when nothing calls for it."""
    isolated: bool = True
    """Whether the student's code ran in an isolated kernel (False only with --no-isolation)."""
    duration_s: float = 0.0
    raw_id: str = ""
    """The student id as the input wrote it (a name with accents, quotes, another script), before
    grader.intake.student_ids made it safe."""
    setup: str = ""
    """What else a score depends on: the limits and the grader's and nbgrader's versions
    (pipeline.grading_setup). A re-run reuses a result only with the same notebook, release and setup."""

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_dict(cls, data: dict) -> Result:
        tasks = [TaskResult(**task) for task in data.get("tasks", [])]
        return cls(**{**data, "tasks": tasks, "status": Status(data["status"])})


def write_result(result: Result, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{result.student_id}.json"
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(result.to_json(), encoding="utf-8")
    temporary.replace(path)  # a crash mid-write never leaves half a result behind
    return path


def read_result(path: Path) -> Result:
    return Result.from_dict(json.loads(path.read_text(encoding="utf-8")))

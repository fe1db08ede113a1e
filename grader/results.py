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
  "tasks": [{"task": "task1", "points": 2.0, "max_points": 2.0, "message": ""}, ...],
  "source": "Anna Puig_12345_assignsubmission_file_/kpis.ipynb",
  "sha256": "…",                    // of the submitted file: re-runs skip what was graded already
  "release": "…",                   // fingerprint of the exercise version it was graded against
  "notes": ["two notebooks from this student: kept the latest, …"],
  "review": ["task 3: its visible checks passed in the student's run but fail on the saved answers …"],
  "isolated": true,                 // false when graded with --no-isolation
  "duration_s": 4.2
}

`notes` and `review` are for the instructor (grades.csv, the report), never for the student's
feedback or the LMS feedback columns.
```
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

GRADED = "graded"
FAILED = "failed"
REJECTED = "rejected"


@dataclass
class TaskResult:
    task: str
    """The grade cell's id in the notebook, e.g. `task3`."""
    points: float
    max_points: float
    message: str = ""
    """What the student should look at, in the notebook's language; empty when the task is right."""


@dataclass
class Result:
    student_id: str
    exercise: str
    language: str
    score: float
    max_score: float
    status: str
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

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_dict(cls, data: dict) -> Result:
        tasks = [TaskResult(**task) for task in data.get("tasks", [])]
        return cls(**{**data, "tasks": tasks})


def write_result(result: Result, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{result.student_id}.json"
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(result.to_json(), encoding="utf-8")
    temporary.replace(path)  # a crash mid-write never leaves half a result behind
    return path


def read_result(path: Path) -> Result:
    return Result.from_dict(json.loads(path.read_text(encoding="utf-8")))

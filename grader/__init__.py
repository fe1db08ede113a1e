"""Release, grade and report on the course's nbgrader exercises.

The folders follow the pipeline that `grader.pipeline` runs (collect → autograde → feedback →
export → report); `grader.cli` is a thin command line over it.

- `grader.intake`: every input format to one notebook per student, with safe, distinct ids.
- `grader.grading`: one submission in, one result out — the two runs of a submission, the local
  and the Dask executors, nbgrader's autograde as the check run.
- `grader.kernels`: where student code runs — isolated, limited, warm kernels.
- `grader.outputs`: feedback pages, LMS exports, the report and its statistics, the course
  gradebook.

At the top, what every step shares or what stands on its own: `course` (where the course is, its
languages, what is never course material), `exercises`, `results` (the one shape of a result),
`messages` (the exercises' catalogues of feedback), `release` and `check` (one notebook on its own).
"""

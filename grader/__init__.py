"""Release, grade and report on the course's nbgrader exercises.

The modules, by the step of the pipeline they serve (grader.pipeline runs the steps in this order;
grader.cli is a thin command line over it):

- The course: `course` (where it is, its languages, what is never course material), `exercises`,
  `release`.
- Collect: `collect` (every input format, one notebook per student), `student_ids`.
- Autograde: `autograde` (one submission in, one result out; the local executor), `assemble` (the
  two notebooks of a submission), `student_run` and `answers` (the isolated student run, its
  answers as data), `nbgrader_driver` (the check run: nbgrader's autograde), `integrity`,
  `messages`; `distributed` runs the same jobs on a Dask cluster.
- Isolated kernels: `isolation` (bubblewrap, namespaces), `zygote`, `launcher` and `kernel_client`
  (warm kernels), `sandbox` (limits, environment, kernelspecs).
- Results: `results` (the one shape of a result), `gradebook` (nbgrader's course gradebook).
- Feedback, export, report: `feedback`, `export`, `report`, `statistics`, `similarity`, `titles`,
  `lessons`, `templating` and `templates/`.
- One notebook on its own: `check`.
"""

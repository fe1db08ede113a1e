"""Feedback, export, report: per-student feedback pages (`feedback`), the LMS and CSV files
(`export`), the instructor's report (`report`, with `statistics` and `similarity`), the course
gradebook (`gradebook`); exercise and task titles (`titles`), links to the lessons (`lessons`) and
the HTML templates (`templating`, `templates/`)."""

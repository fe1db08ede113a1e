"""Autograde: one submission in, one result out.

`autograde` grades a notebook in two runs (`assemble` builds them): the student run executes the
student's cells in an isolated kernel (`student_run`) and keeps their answers as data (`answers`);
the check run is nbgrader's own autograde over those answers (`nbgrader_driver`). `integrity`
reads the submission for what needs an instructor's eye. `autograde.LocalExecutor` runs the jobs
on this machine, `distributed` on a Dask cluster."""

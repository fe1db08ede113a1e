"""Release, grade and report on the course's nbgrader exercises."""

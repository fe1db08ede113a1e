"""Collect: every input format (a folder, an LMS zip, nbgrader's exchange) to one notebook per
student (`collect`), each with a safe id that no other student shares (`student_ids`)."""

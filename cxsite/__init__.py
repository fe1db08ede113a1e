"""Build-time helpers for the course site: lesson frame, quizzes, glossary, validation."""

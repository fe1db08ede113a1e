"""What must never reach a student or an output folder: the lines inside solution and
hidden-test blocks of the exercises' source notebooks that do not also stand, word for word,
somewhere a student may see them."""

from __future__ import annotations

import json
import re

from grader.exercises import all_exercises

BLOCK = re.compile(r"### BEGIN (SOLUTION|HIDDEN TESTS)\n(.*?)### END \1", re.DOTALL)
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


def secret_lines() -> dict[str, set[str]]:
    secrets = {}
    for exercise in all_exercises():
        lines, visible = set(), set()
        for lang in exercise.languages:
            notebook = json.loads(exercise.notebook(lang).read_text(encoding="utf-8"))
            for cell in notebook["cells"]:
                text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
                hidden = "".join(m.group(2) for m in BLOCK.finditer(text))
                lines |= {line.strip() for line in hidden.splitlines()}
                visible |= {line.strip() for line in BLOCK.sub("", text).splitlines()}
        secrets[exercise.id] = {line for line in lines - visible if len(line) >= 20 and not line.startswith("#")}
    return secrets


def leaks(text: str, secrets: set[str]) -> list[str]:
    """Markers anywhere, and secret lines standing as whole lines (a visible comment such as
    `# result = pd.DataFrame(...)` may contain a secret line's words without giving it away)."""
    found = [marker for marker in MARKERS if marker in text]
    lines = {line.strip() for line in text.splitlines()}
    return found + sorted(secrets & lines)


def leaks_anywhere(text: str, secrets: set[str]) -> list[str]:
    """Markers and secret lines anywhere in `text`, even inside a longer line (a message that
    quotes a hidden test)."""
    return [marker for marker in MARKERS if marker in text] + sorted(s for s in secrets if s in text)


def decoded(text: str) -> str:
    # Notebooks store sources as JSON strings: compare their decoded text.
    try:
        notebook = json.loads(text)
    except ValueError:
        return text
    cells = notebook.get("cells", []) if isinstance(notebook, dict) else []
    return "\n".join("".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in cells) or text

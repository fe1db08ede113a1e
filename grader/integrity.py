"""Signs that a submission tampers with the checks instead of solving the tasks.

Test cells run in the student's namespace, so student code can replace what they call
(`cxcheck.expect = lambda *a, **k: None` passes every check). Nothing in Python can forbid that,
and nbgrader does not look; this step reads the student's own cells (never run them) and names
what it finds, so the instructor can review those submissions by hand.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

CHECK_MODULES = {"cxcheck", "builtins", "__builtins__"}


def _base_name(node: ast.AST) -> str | None:
    while isinstance(node, ast.Attribute | ast.Subscript):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _suspicious(tree: ast.AST, aliases: set[str]) -> list[str]:
    found = []
    for node in ast.walk(tree):
        targets: list[ast.AST] = []
        if isinstance(node, ast.Assign | ast.Delete):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Attribute | ast.Subscript) and _base_name(target) in aliases:
                found.append(ast.unparse(target))
            if isinstance(target, ast.Name) and target.id == "AssertionError":
                found.append(target.id)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"setattr", "delattr"}
            and node.args
            and _base_name(node.args[0]) in aliases
        ):
            found.append(f"{node.func.id}({ast.unparse(node.args[0])}, …)")
    return found


def tampering(notebook: Path) -> list[str]:
    """What the student's cells change in the checking machinery, e.g. ['cxcheck.expect']."""
    try:
        cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    except (ValueError, UnicodeDecodeError, AttributeError):
        return []
    found: list[str] = []
    aliases = set(CHECK_MODULES)
    for cell in cells if isinstance(cells, list) else []:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("locked") or meta.get("grade"):
            continue  # the released cells are restored from the gradebook before grading
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for alias in node.names:
                    if alias.name.split(".")[0] in CHECK_MODULES and alias.asname:
                        aliases.add(alias.asname)
        found.extend(_suspicious(tree, aliases))
    return sorted(set(found))

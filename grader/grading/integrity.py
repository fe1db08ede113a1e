"""Signs that a submission reaches for the grading machinery instead of solving the tasks.

A second signal, for the instructor's review: scores come from the check run, where no student
code runs (grader/grading/assemble.py), so none of this can raise a grade. The scan reads the student's
own cells, never runs them; which cells are the student's is decided by the release's cell ids
(assemble.merge), not by metadata in the submitted file.

It names: changes to the checking helper, to builtins or to modules through any route
(attributes, `setattr`, `vars()` and `__dict__`, `sys.modules`, a function's `__code__`),
`AssertionError` rebound, IPython's hooks and `sys` streams or hooks replaced, dynamic code
(`exec`, `eval`, `compile`), modules that serve only to escape a notebook (processes, sockets,
`ctypes`, frames), and writes to the released data or helper files.
"""

from __future__ import annotations

import ast

from grader.messages import bounded

CHECK_MODULES = {"cxcheck", "builtins", "__builtins__", "sys", "pandas", "pd", "numpy", "np", "math"}
DUNDERS = {"__code__", "__globals__", "__builtins__", "__dict__", "__class__", "__defaults__", "__kwdefaults__"}
ESCAPE_MODULES = {"ctypes", "socket", "subprocess", "multiprocessing", "signal", "gc", "inspect", "importlib", "pty"}
ESCAPE_CALLS = {"fork", "forkpty", "system", "popen", "kill", "killpg", "setsid", "execv", "execve", "execvp", "spawnv"}
DYNAMIC = {"exec", "eval", "compile", "__import__", "globals", "setattr", "delattr"}
SYS_HOOKS = {"displayhook", "excepthook", "stderr", "stdout", "modules", "settrace", "setprofile", "meta_path"}
RELEASED_FILES = ("data/", "data\\", "cxcheck", "messages/", "messages\\")
# What a finding may quote of the student's code, and how many findings a notebook reports: the
# list reaches grades.csv and the report.
FINDING_CHARACTERS = 80
MOST_FINDINGS = 12


def _base_name(node: ast.AST) -> str | None:
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Call):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _writes_released_file(node: ast.Call) -> bool:
    texts = [a.value for a in ast.walk(node) if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    if not any(t.startswith(RELEASED_FILES) or "/data/" in t or "cxcheck" in t for t in texts):
        return False
    name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
    if name == "open":
        modes = [a.value for a in node.args[1:2] if isinstance(a, ast.Constant)]
        modes += [k.value.value for k in node.keywords if k.arg == "mode" and isinstance(k.value, ast.Constant)]
        return any(isinstance(m, str) and set(m) & set("wax+") for m in modes)
    return name.startswith("to_") or name in {"write_text", "write_bytes", "unlink", "remove", "rename", "replace"}


def _findings(tree: ast.AST, aliases: set[str]) -> list[str]:
    found = []
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign | ast.Delete):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Attribute | ast.Subscript):
                base = _base_name(target)
                attribute = target.attr if isinstance(target, ast.Attribute) else ""
                if ".options." in ast.unparse(target):
                    continue  # display options (pd.options.display.max_rows = ...) change no check
                if (
                    base in aliases
                    or attribute in DUNDERS
                    or base in {"vars", "get_ipython"}
                    or (
                        isinstance(target, ast.Subscript)
                        and isinstance(target.value, ast.Attribute)
                        and target.value.attr in DUNDERS | SYS_HOOKS
                    )
                ):
                    found.append(ast.unparse(target))
            if isinstance(target, ast.Name) and target.id in {"AssertionError", "__builtins__", "get_ipython"}:
                found.append(target.id)
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else None
            if name in DYNAMIC:
                found.append(f"{name}(…)")
            elif (
                isinstance(node.func, ast.Attribute)
                and node.func.attr in ESCAPE_CALLS
                and _base_name(node.func)
                in {
                    "os",
                    "posix",
                }
                or isinstance(node.func, ast.Attribute)
                and _base_name(node.func) == "get_ipython"
            ):
                found.append(f"{ast.unparse(node.func)}(…)")
            if _writes_released_file(node):
                found.append(f"writes a released file: {ast.unparse(node)}")
        if isinstance(node, ast.Import | ast.ImportFrom):
            module = node.module if isinstance(node, ast.ImportFrom) else None
            names = [module] if module else [alias.name for alias in node.names]
            found += [f"import {n}" for n in names if n and n.split(".")[0] in ESCAPE_MODULES]
    return found


def tampering(student_code: list[str]) -> list[str]:
    """What the student's cells (assemble.StudentRun.student_code) do to the grading machinery,
    e.g. ['cxcheck.expect', 'exec(…)'], each quoted at most FINDING_CHARACTERS long."""
    found: list[str] = []
    aliases = set(CHECK_MODULES)
    for text in student_code:
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for alias in node.names:
                    if alias.name.split(".")[0] in CHECK_MODULES and alias.asname:
                        aliases.add(alias.asname)
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Name) and node.value.id in aliases:
                aliases |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        found.extend(bounded(finding, FINDING_CHARACTERS) for finding in _findings(tree, aliases))
    return sorted(set(found))[:MOST_FINDINGS]

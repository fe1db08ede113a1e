"""Possible copying: pairs of submissions whose own code is near-identical once names, layout and
comments are set aside, beyond what the task itself makes everybody write.

1. Each submission's own code, task by task: its solution cells and the cells it added (as
   grader.grading.assemble tells them from the release's cells), an added cell counting for the task
   before it.
2. Normalised to tokens (Python's tokenizer): comments, blank lines and layout dropped; every name
   that some student's code or the reference solution binds (variables, functions, parameters,
   loop variables, import aliases) becomes `_`, so renaming changes nothing; other names (`survey`,
   attributes, keyword arguments, built-ins) and literals stay as they are.
3. Cut into overlapping runs of six tokens (shingles).
4. What the task forces is removed: the shingles of the released stub and of the reference
   solution (in every language), and those shared by more than half of the batch (a common idiom
   is no sign of copying). A student who handed in the reference solution therefore matches
   nobody.
5. Each pair's similarity is Σ w·|A∩B| / Σ w·|A∪B| over the tasks, with w = 2 on the tasks both
   got wrong (the same wrong code is much rarer by chance than the same right code) and 1
   otherwise. A pair is listed at 0.75 or more with at least 12 shared shingles (a line or two of
   code), with the tasks where they share at least half of their code.

It is a signal for a human, never a verdict: the report says so.
"""

from __future__ import annotations

import ast
import builtins
import io
import itertools
import json
import keyword
import re
import tokenize
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from grader.exercises import Exercise
from grader.grading.assemble import SOLUTION, STUDENT, grade_id, is_solution, merge, source
from grader.outputs.titles import task_number
from grader.results import Result, Status

SHINGLE = 6
THRESHOLD = 0.75
MIN_SHARED = 12
TASK_SHARE = 0.5
WRONG_WEIGHT = 2.0
MAX_CODE_CHARACTERS = 100_000
"""Per task: what a submission may hold beyond it is not looked at (the notebooks are capped at
20 MB by collect, the analysis need not be)."""
SKIPPED = {tokenize.COMMENT, tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING, tokenize.ENDMARKER}
BUILTINS = frozenset(dir(builtins))
ROUGH_TOKEN = re.compile(r"[A-Za-z_]\w*|\d[\w.]*|\"[^\"\n]*\"|'[^'\n]*'|\S")


@dataclass(frozen=True)
class Pair:
    student_a: str
    student_b: str
    similarity: float
    tasks: list[str] = field(default_factory=list)
    """The tasks where the two share at least half of their code."""
    wrong: list[str] = field(default_factory=list)
    """Those of `tasks` that both got wrong."""
    shared: int = 0
    """Shingles in common, after what the task forces was removed."""


def bound_names(code: str) -> set[str]:
    """The names a piece of code binds; when it does not parse, every name it uses that is not a
    keyword or a built-in (so a renamed copy still normalises the same)."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return {
            name
            for name in re.findall(r"(?<![.\w])[A-Za-z_]\w*", code)
            if not keyword.iskeyword(name) and name not in BUILTINS
        }
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
    return names


def _literal(text: str) -> str:
    try:
        return repr(ast.literal_eval(text))
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text


def normalise(code: str, bound: set[str]) -> list[str]:
    """The code's tokens with layout and comments dropped and the names in `bound` made `_`."""
    code = code[:MAX_CODE_CHARACTERS]
    try:
        raw = [(t.type, t.string) for t in tokenize.generate_tokens(io.StringIO(code).readline)]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        # Not Python the tokenizer accepts (an unclosed bracket, a stray dedent): a rougher cut.
        without_comments = re.sub(r"#[^\n]*", "", code)
        raw = [
            (tokenize.NAME if t[0].isalpha() or t[0] == "_" else tokenize.OP, t)
            for t in ROUGH_TOKEN.findall(without_comments)
        ]
    tokens: list[str] = []
    depth = 0
    for index, (kind, text) in enumerate(raw):
        if kind in SKIPPED or (kind == tokenize.ERRORTOKEN and not text.strip()):
            continue
        if kind == tokenize.NEWLINE:
            tokens.append(";")
            continue
        if kind == tokenize.OP:
            depth += text in "([{"
            depth -= text in ")]}"
        if kind == tokenize.NAME and text in bound and not keyword.iskeyword(text):
            after_dot = bool(tokens) and tokens[-1] == "."
            following = raw[index + 1][1] if index + 1 < len(raw) else ""
            keyword_argument = depth > 0 and following == "=" and bool(tokens) and tokens[-1] in {"(", ","}
            text = text if after_dot or keyword_argument else "_"
        elif kind in (tokenize.STRING, tokenize.NUMBER):
            text = _literal(text)
        tokens.append(text)
    return tokens


def shingles(tokens: list[str]) -> set[int]:
    if not tokens:
        return set()
    if len(tokens) < SHINGLE:
        return {hash(tuple(tokens))}
    return {hash(tuple(tokens[i : i + SHINGLE])) for i in range(len(tokens) - SHINGLE + 1)}


def code_by_task(release: dict, submitted: dict) -> dict[str, str]:
    """A submission's own code by task number: its solution cells, and the cells it added (each
    counted with the task of the cell before it)."""
    code: dict[str, list[str]] = defaultdict(list)
    current = "0"
    for placed in merge(release, submitted):
        if placed.grade_id:
            current = task_number(placed.grade_id)
        if placed.role in (SOLUTION, STUDENT):
            code[current].append(source(placed.cell))
    return {task: "\n".join(parts) for task, parts in code.items()}


def released_stub(solution: str, stub: str) -> str:
    """A solution cell as students receive it: the region between `### BEGIN SOLUTION` and
    `### END SOLUTION` replaced by the stub, indented as the marker (as nbgrader's ClearSolutions
    does)."""
    lines, inside = [], False
    for line in solution.split("\n"):
        if "### BEGIN SOLUTION" in line:
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            lines += [indent + stub_line for stub_line in stub.split("\n")]
        elif "### END SOLUTION" in line:
            inside = False
        elif not inside:
            lines.append(line)
    return "\n".join(lines)


def forced_code(exercise: Exercise) -> dict[str, list[str]]:
    """What the task gives every student, by task: in every language, the solution cell as
    released (the given lines and the stub) and the reference solution."""
    from grader.grading.nbgrader_driver import CODE_STUB  # nbgrader is slow to import; only this needs it

    forced: dict[str, list[str]] = defaultdict(list)
    for lang in exercise.languages:
        notebook = json.loads(exercise.notebook(lang).read_text(encoding="utf-8"))
        for cell in notebook.get("cells", []):
            cell_id = grade_id(cell)
            if is_solution(cell) and cell_id:
                task = task_number(cell_id)
                forced[task] += [source(cell), released_stub(source(cell), CODE_STUB.get(lang, CODE_STUB["en"]))]
    return forced


def _fingerprints(code: dict[str, str], bound: set[str]) -> dict[str, set[int]]:
    return {task: shingles(normalise(text, bound)) for task, text in code.items()}


def similar_pairs(
    code: dict[str, dict[str, str]],
    wrong: dict[str, set[str]],
    forced: dict[str, list[str]] | None = None,
) -> list[Pair]:
    """The pairs of students (in `code`: student -> task -> code) above the threshold, most
    similar first. `wrong`: the tasks each student lost points on."""
    forced = forced or {}
    # One set of names for everybody, so that a name is `_` in every piece of code or in none:
    # the names any student's code or the exercise's own solution cells bind.
    pieces = [text for tasks in code.values() for text in tasks.values()]
    pieces += [text for texts in forced.values() for text in texts]
    bound = set().union(*(bound_names(text[:MAX_CODE_CHARACTERS]) for text in pieces))
    prints = {student: _fingerprints(tasks, bound) for student, tasks in code.items()}
    removed: dict[str, set[int]] = defaultdict(set)
    for task, texts in forced.items():
        for text in texts:
            removed[task] |= shingles(normalise(text, bound))
    frequency: Counter[tuple[str, int]] = Counter()
    for tasks in prints.values():
        for task, found in tasks.items():
            frequency.update((task, s) for s in found)
    common = max(2.0, len(prints) / 2)
    for tasks in prints.values():
        for task in tasks:
            tasks[task] = {s for s in tasks[task] if s not in removed[task] and frequency[(task, s)] <= common}
    # Only pairs that share a shingle can be similar: find them through an index.
    holders: dict[tuple[str, int], list[str]] = defaultdict(list)
    for student in sorted(prints):
        for task, found in prints[student].items():
            for s in found:
                holders[(task, s)].append(student)
    shared: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for (task, _), students in holders.items():
        for a, b in itertools.combinations(students, 2):
            shared[(a, b)][task] += 1
    pairs = []
    for (a, b), common_by_task in shared.items():
        pair = _pair(a, b, prints[a], prints[b], common_by_task, wrong)
        if pair:
            pairs.append(pair)
    return sorted(pairs, key=lambda p: (-p.similarity, p.student_a, p.student_b))


def _pair(
    a: str, b: str, first: dict[str, set[int]], second: dict[str, set[int]], common: Counter[str], wrong
) -> Pair | None:
    total_shared = sum(common.values())
    if total_shared < MIN_SHARED:
        return None
    numerator = denominator = 0.0
    tasks, both_wrong = [], []
    for task in set(first) | set(second):
        size_a, size_b = len(first.get(task, ())), len(second.get(task, ()))
        if not size_a and not size_b:
            continue
        inter = common.get(task, 0)
        union = size_a + size_b - inter
        weight = WRONG_WEIGHT if task in wrong.get(a, set()) and task in wrong.get(b, set()) else 1.0
        numerator += weight * inter
        denominator += weight * union
        if inter and inter / union >= TASK_SHARE:
            tasks.append(task)
            if weight > 1:
                both_wrong.append(task)
    similarity = numerator / denominator if denominator else 0.0
    if similarity < THRESHOLD:
        return None
    order = sorted(tasks, key=lambda t: (0, int(t)) if t.isdigit() else (1, t))
    return Pair(a, b, round(similarity, 3), order, [t for t in order if t in both_wrong], total_shared)


def batch_pairs(results: list[Result], exercise: Exercise, notebooks: Path) -> list[Pair]:
    """The similar pairs of a graded batch: the notebooks collected in `notebooks`
    (`<student_id>.ipynb`), each read against the exercise's notebook of its language."""
    releases: dict[str, dict] = {}
    code, wrong = {}, {}
    for result in results:
        if result.status not in (Status.GRADED, Status.FAILED):
            continue
        path = notebooks / f"{result.student_id}.ipynb"
        try:
            submitted = json.loads(path.read_bytes())
        except (OSError, ValueError, RecursionError):
            continue  # not a notebook: nothing to compare
        if not isinstance(submitted, dict):
            continue
        lang = result.language if result.language in exercise.languages else exercise.languages[0]
        if lang not in releases:
            releases[lang] = json.loads(exercise.notebook(lang).read_text(encoding="utf-8"))
        code[result.student_id] = code_by_task(releases[lang], submitted)
        wrong[result.student_id] = {t.task for t in result.tasks if t.points < t.max_points}
    return similar_pairs(code, wrong, forced_code(exercise))

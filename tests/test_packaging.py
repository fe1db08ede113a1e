"""The extras match the jobs: every package the code imports is declared in the extra of the job
that runs it, and the site's extra brings no Jupyter or nbgrader (checked against what pip
installed here, through each package's own metadata)."""

from __future__ import annotations

import ast
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
OWN = {"grader", "cxsite"}
# The grader's own extra, and those of its optional outputs (a PostgreSQL gradebook, a Dask cluster).
GRADER_EXTRAS = ("grader", "postgresql", "cluster")


def _requirements(extra: str | None) -> list[Requirement]:
    listed = PROJECT["dependencies"] + (PROJECT["optional-dependencies"][extra] if extra else [])
    return [Requirement(text) for text in listed]


def _closure(requirements: list[Requirement]) -> set[str]:
    """The distributions these requirements install, following each one's own requirements (and
    the extras asked of it), as installed here."""
    seen: set[tuple[str, frozenset[str]]] = set()
    names: set[str] = set()
    todo = [(r.name, frozenset(r.extras)) for r in requirements]
    while todo:
        name, extras = todo.pop()
        if (canonicalize_name(name), extras) in seen:
            continue
        seen.add((canonicalize_name(name), extras))
        names.add(canonicalize_name(name))
        for text in metadata.requires(name) or []:
            requirement = Requirement(text)
            wanted = [{"extra": e} for e in extras] or [{"extra": ""}]
            if requirement.marker and not any(requirement.marker.evaluate(env) for env in wanted):
                continue
            todo.append((requirement.name, frozenset(requirement.extras)))
    return names


def _imports(package: str, top_level: bool = True) -> dict[str, set[Path]]:
    """Modules imported anywhere in a package of ours (also inside functions), with the files that
    import them; by their top-level name unless `top_level` is False."""
    found: dict[str, set[Path]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                name = module.split(".")[0] if top_level else module
                found.setdefault(name, set()).add(path.relative_to(ROOT))
    return found


def _third_party(package: str) -> dict[str, set[str]]:
    """The distributions behind each third-party module a package imports."""
    providers = metadata.packages_distributions()
    return {
        module: {canonicalize_name(d) for d in providers.get(module, [module])}
        for module in _imports(package)
        if module not in sys.stdlib_module_names and module not in OWN and module != "__future__"
    }


def test_every_module_the_grader_imports_is_declared_in_its_extras():
    declared = {canonicalize_name(r.name) for extra in GRADER_EXTRAS for r in _requirements(extra)}
    missing = {m: d for m, d in _third_party("grader").items() if not d & declared}
    assert not missing, f"imported by grader/ but declared in none of {GRADER_EXTRAS}: {missing}"


def test_the_site_builds_from_the_site_extra_alone_and_it_brings_no_jupyter():
    installed = _closure(_requirements("site"))
    for unwanted in ("jupyterlab", "notebook", "jupyter-server", "nbgrader", "ipykernel", "pandas"):
        assert unwanted not in installed, f"the site extra installs {unwanted}"
    missing = {m: d for m, d in _third_party("cxsite").items() if not d & installed}
    assert not missing, f"imported by cxsite/ but not installed by the site extra: {missing}"
    # cxsite reads the course's layout from grader.course, which must need nothing installed.
    grader_modules = {m for m, files in _imports("grader").items() if Path("grader/course.py") in files}
    assert grader_modules <= set(sys.stdlib_module_names) | {"__future__"}, grader_modules
    assert {m for m in _imports("cxsite", top_level=False) if m.startswith("grader")} == {"grader.course"}

"""What the site tells students to install is what the exercise notebooks need: every release and
download carries the shared `requirements.txt`, whose names are exactly the third-party modules the
notebooks import plus JupyterLab to open them; the exercises page installs it with the same
copy-paste commands in every language, for Windows, macOS and Linux; and no page installs a
package by name."""

from __future__ import annotations

import ast
import importlib.metadata
import io
import json
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from cxsite.exercises import build_zip, released_exercises
from cxsite.languages import LANGUAGES
from cxsite.sources import split_front_matter
from grader.release import REQUIREMENTS

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT / "solutions" / "_common" / REQUIREMENTS
PAGES = ROOT / "course" / "exercises"
RELEASED = released_exercises()
# What students need besides the notebooks' own imports: something to open the notebooks with.
TO_OPEN_NOTEBOOKS = "jupyterlab"
OPERATING_SYSTEMS = ["Windows", "macOS", "Linux"]


def pinned() -> dict[str, str]:
    """`requirements.txt` as {canonical name: exact version}; anything but `name==version` fails."""
    found = {}
    for line in SHARED.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([0-9][0-9A-Za-z.]*)", line)
        assert match, f"{SHARED}: {line!r} should pin one exact version (name==version)"
        found[canonicalize_name(match.group(1))] = match.group(2)
    return found


def imported_modules(code: str) -> set[str]:
    """Top-level names of the modules a piece of notebook code imports (magics and shell lines aside)."""
    code = "\n".join(line for line in code.splitlines() if not line.lstrip().startswith(("%", "!")))
    modules = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module.split(".")[0])
    return modules


def exercise_imports(folder: Path) -> set[str]:
    """Modules imported by a released exercise's notebooks and Python helpers."""
    modules = set()
    for notebook in sorted(folder.glob("*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        for cell in cells:
            if cell["cell_type"] == "code":
                source = cell["source"]
                modules |= imported_modules("".join(source) if isinstance(source, list) else source)
    for helper in sorted(folder.glob("*.py")):
        modules |= imported_modules(helper.read_text(encoding="utf-8"))
    return modules


def third_party_distributions(modules: set[str], folder: Path) -> set[str]:
    """The distributions that provide `modules`, leaving out the standard library and the modules
    the exercise ships itself (`cxcheck`)."""
    providers = importlib.metadata.packages_distributions()
    needed = set()
    for module in modules:
        if module in sys.stdlib_module_names or module == "__future__" or (folder / f"{module}.py").is_file():
            continue
        assert module in providers, f"{folder.name} imports {module!r}, which nothing installed provides"
        needed.update(canonicalize_name(name) for name in providers[module])
    return needed


def setup_section(lang: str) -> str:
    """The exercises page's setup section (the `{#setup}` heading down to the next `##`)."""
    _, body = split_front_matter((PAGES / f"index.{lang}.md").read_text(encoding="utf-8"))
    match = re.search(r"^## [^\n]*\{#setup\}\n(.*?)(?=^## )", body, re.S | re.M)
    assert match, f"index.{lang}.md has no `## ... {{#setup}}` section"
    return match.group(1)


def commands_by_system(lang: str) -> dict[str, list[str]]:
    """{"Windows": [command, ...], ...}: the code block under each operating system's heading."""
    section = setup_section(lang)
    found = {}
    for system in OPERATING_SYSTEMS:
        match = re.search(rf"^### {system}\n(.*?)(?=^### |\Z)", section, re.S | re.M)
        assert match, f"index.{lang}.md: no `### {system}` in the setup section"
        blocks = re.findall(r"^```[a-z]*\n(.*?)^```", match.group(1), re.S | re.M)
        assert len(blocks) == 1, f"index.{lang}.md, {system}: one block of commands to copy, found {len(blocks)}"
        found[system] = [line.strip() for line in blocks[0].splitlines() if line.strip()]
    return found


def test_requirements_pin_exact_versions_the_project_accepts():
    requirements = pinned()
    assert set(requirements) >= {"pandas", TO_OPEN_NOTEBOOKS}
    # The graders run the notebooks with the project's own dependencies: the pins must fit them.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    for requirement in map(Requirement, project):
        name = canonicalize_name(requirement.name)
        if name in requirements:
            assert requirement.specifier.contains(requirements[name]), (
                f"{name}=={requirements[name]} is not {requirement}"
            )


def test_requirements_name_exactly_what_the_notebooks_import():
    assert RELEASED, "no released exercises"
    needed = set()
    for folder in RELEASED:
        needed |= third_party_distributions(exercise_imports(folder), folder)
    assert "pandas" in needed, "the notebooks should import pandas: is the import check still reading them?"
    assert set(pinned()) == needed | {TO_OPEN_NOTEBOOKS}


def test_imports_are_found_in_notebook_code():
    code = "import cxcheck\nimport pandas as pd\nfrom math import isclose\n%matplotlib inline\nimport numpy.linalg"
    assert imported_modules(code) == {"cxcheck", "pandas", "math", "numpy"}


@pytest.mark.parametrize("folder", RELEASED, ids=lambda p: p.name)
def test_every_release_and_download_ships_the_requirements(folder):
    assert (folder / REQUIREMENTS).read_bytes() == SHARED.read_bytes(), "run `cx-grader release`"
    for lang in LANGUAGES:
        with zipfile.ZipFile(io.BytesIO(build_zip(folder, lang))) as archive:
            member = f"{folder.name}/{REQUIREMENTS}"
            assert member in archive.namelist(), f"the {lang} download of {folder.name} has no {REQUIREMENTS}"
            assert archive.read(member) == SHARED.read_bytes()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_setup_commands_create_a_venv_install_the_requirements_and_start_jupyterlab(lang):
    commands = commands_by_system(lang)
    assert commands["Windows"] == [
        r"py -m venv ..\cx-env",
        r"..\cx-env\Scripts\python -m pip install -r requirements.txt",
        r"..\cx-env\Scripts\python -m jupyterlab",
    ]
    posix = [
        "python3 -m venv ../cx-env",
        "../cx-env/bin/python -m pip install -r requirements.txt",
        "../cx-env/bin/python -m jupyterlab",
    ]
    assert commands["macOS"] == posix and commands["Linux"] == posix


def test_setup_commands_are_the_same_in_every_language():
    reference = commands_by_system(LANGUAGES[0])
    for lang in LANGUAGES[1:]:
        assert commands_by_system(lang) == reference, f"index.{lang}.md's commands differ from index.ca.md's"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_setup_section_names_the_pinned_versions(lang):
    """The page says what the requirements install, and says it right."""
    text = setup_section(lang).lower()
    for name, version in pinned().items():
        assert f"{name} {version}" in text, f"index.{lang}.md's setup does not name {name} {version}"
    assert "3.11" in text, "the setup should say which Python the pins need"


def test_no_page_installs_a_package_by_name():
    """Students install the requirements file, never loose package names that could drift from it
    (the instructors' page installs the project itself with `pip install -e .`)."""
    offenders = []
    for page in sorted((ROOT / "course").rglob("*.md")):
        if page.name.startswith("instructors."):
            continue
        for line in page.read_text(encoding="utf-8").splitlines():
            for command in re.findall(r"pip install[^`\n]*", line):
                if command.strip() != "pip install -r requirements.txt":
                    offenders.append(f"{page.relative_to(ROOT)}: {command}")
    assert offenders == []


@pytest.mark.parametrize("page", sorted(PAGES.glob("*.md")), ids=lambda p: p.name)
def test_exercise_pages_send_students_to_the_setup(page):
    if page.name.startswith("index."):
        return
    _, body = split_front_matter(page.read_text(encoding="utf-8"))
    assert "(index.md#setup)" in body, f"{page.name} should link to the setup steps (index.md#setup)"
    assert REQUIREMENTS in body, f"{page.name} should list {REQUIREMENTS} among the files of the download"


def test_jupyterlab_starts_as_the_pages_say():
    """`python -m jupyterlab` is how the pages start it: the module must run (here, just its version)."""
    result = subprocess.run(
        [sys.executable, "-m", TO_OPEN_NOTEBOOKS, "--version"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == importlib.metadata.version(TO_OPEN_NOTEBOOKS)

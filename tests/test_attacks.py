"""Grades that student code cannot forge: a batch of `kpis` submissions in which each attack is a
blank notebook plus one cell of hostile code, graded beside honest notebooks.

Every class of attack of the isolation issue is here: changing what the checks do inside the
kernel, writing what grades are read from, reading what is not the student's, and escaping the
notebook's lifetime and the machine's boundary. Each attack must score no more than the blank
notebook (or be marked for review), the honest notebooks must keep their exact scores, and
nothing may leak into the output folder, survive the batch, reach the grader's loopback or change
a file outside the kernel's scratch copy.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import threading
import uuid
from pathlib import Path

import nbformat
import pytest
from leaks import leaks_anywhere, secret_lines

from grader.exercises import EXERCISES, SOLUTIONS
from grader.kernels.sandbox import Limits
from grader.pipeline import grade_batch

pytestmark = pytest.mark.nbgrader
RUN = uuid.uuid4().hex[:10]
SLEEP = f"600.{uuid.uuid4().int % 10**8:08d}"  # a marker `sleep` accepts: fractional seconds
SECRET_VALUE = f"cx-secret-{RUN}"
FLOOD = f"flood-{RUN}"
CANARY = Path(f"/tmp/cx-canary-{RUN}")
PWNED = Path(f"/tmp/cx-pwned-{RUN}")
FIXTURES = EXERCISES.parent / "tests" / "fixtures" / "kpis"
LIMITS = Limits(cell_timeout_s=8, notebook_timeout_s=90, memory_mb=1024)

# Searching for what is not the student's, the way a student would: every readable file.
FIND = """
import os
def _cx_find(needles, roots=("../../..", "/tmp", "/work", "/root", "/home", "/srv", "/var"), limit=20000):
    found, seen = [], 0
    for root in roots:
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if d not in ("proc", "sys", "dev", "usr", ".pyenv", "site-packages")]
            for name in files:
                seen += 1
                if seen > limit:
                    return found
                path = os.path.join(folder, name)
                try:
                    with open(path, "rb") as stream:
                        data = stream.read(2_000_000)
                except OSError:
                    continue
                if any(n in data for n in needles):
                    found.append((path, data))
    return found
"""
HIDDEN = "b'HIDDEN' + b' TESTS'"  # spelt in two halves, so the attack's own text holds no marker

ATTACKS = {
    # 1. Changing what the checks do, inside the kernel.
    "setattr": "import cxcheck\nsetattr(cxcheck, 'expect', lambda *a, **k: None)",
    "sys_modules": "import sys\nsys.modules['cxcheck'].expect = lambda *a, **k: None",
    "vars": "import cxcheck\nvars(cxcheck)['expect'] = lambda *a, **k: None",
    "exec": "exec('import cxcheck\\ncxcheck.expect = lambda *a, **k: None')",
    "alias": "import cxcheck as c\nok = c\nok.expect = lambda *a, **k: None",
    "code_object": "import cxcheck\ncxcheck.expect.__code__ = (lambda *a, **k: None).__code__",
    "builtins": (
        "import builtins\nbuiltins.isinstance = lambda *a: True\nbuiltins.len = lambda *a: 0\n"
        "builtins.AssertionError = type('Nothing', (Exception,), {})"
    ),
    "pandas": "import pandas as pd\npd.read_csv = lambda *a, **k: None\npd.Series.between = lambda *a, **k: True",
    "showtraceback": "get_ipython().showtraceback = lambda *a, **k: None",
    "custom_exc": "get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)",
    "hooks": "import sys, os\nsys.displayhook = lambda *a: None\nsys.stderr = open(os.devnull, 'w')",
    "data_files": (
        "import glob\nfor path in glob.glob('data/*.csv') + glob.glob('../**/data/*.csv', recursive=True):\n"
        "    open(path, 'w').write('response_id,nps,csat,ces,month,segment,channel\\n')"
    ),
    "forged_metadata": "import cxcheck\ncxcheck.expect = lambda *a, **k: None",  # in a cell claiming to be locked
    "forged_answers": (
        "import grader.grading.answers as answers, json, os\n"
        "def forged(namespace, names, path):\n"
        "    os.makedirs(os.path.dirname(path), exist_ok=True)\n"
        "    values = {n: ['str', 'x'] for n in [*names, 'survey', 'tickets', 'pd', 'cxcheck', 'len']}\n"
        "    open(path, 'w').write(json.dumps({'format': 'cx-answers/1', 'values': values, 'absent': []}))\n"
        "answers.save = forged"
    ),
    # 2. Writing what grades are read from.
    "gradebook": FIND
    + (
        "import sqlite3\n"
        "for path, _ in _cx_find([b'SQLite format 3']):\n"
        "    try:\n"
        "        db = sqlite3.connect(path)\n"
        "        db.execute('CREATE TRIGGER cx AFTER INSERT ON grade BEGIN UPDATE grade SET auto_score = 99; END')\n"
        "        db.commit()\n"
        "    except Exception:\n"
        "        pass"
    ),
    "shared_helper": FIND
    + (
        "for path, _ in _cx_find([b'def expect(']):\n"
        "    try:\n"
        "        open(path, 'a').write('\\nexpect = lambda *a, **k: None\\n')\n"
        "    except OSError:\n"
        "        pass"
    ),
    "write_outside": (
        f"import os\nfor path in ['{CANARY}', '{PWNED}', '../pwned', '../../pwned', os.path.expanduser('~/pwned')]:\n"
        "    try:\n"
        "        open(path, 'w').write('pwned')\n"
        "    except OSError:\n"
        "        pass"
    ),
    # 3. Reading what is not theirs, then echoing it into the error text.
    "read_solutions": FIND
    + (
        f"_found = _cx_find([b'BEGIN SOLUTION'[:5] + b'N SOLUTION', {HIDDEN}])\n"
        "raise ValueError(' | '.join(data.decode(errors='ignore')[:3000] for _, data in _found) or 'nothing')"
    ),
    "copy_other_students": FIND
    + (
        "import json\n"
        "for path, data in _cx_find([b'survey_clean = ' + b'survey_raw.drop']):\n"
        "    try:\n"
        "        for cell in json.loads(data)['cells']:\n"
        "            if cell['cell_type'] == 'code' and 'metadata' in cell:\n"
        "                exec(''.join(cell['source']), globals())\n"
        "    except Exception:\n"
        "        pass"
    ),
    "environment": (
        "import os, glob\ntext = ' '.join(f'{k}={v}' for k, v in os.environ.items())\n"
        "for path in glob.glob('/proc/*/environ'):\n"
        "    try:\n"
        "        text += open(path, 'rb').read().decode(errors='ignore')\n"
        "    except OSError:\n"
        "        pass\n"
        "raise ValueError(text or 'nothing')"
    ),
    # 4. Escaping the notebook's lifetime and the machine's boundary.
    "detached": (
        f"import subprocess, os\nsubprocess.Popen(['sleep', '{SLEEP}1'], start_new_session=True)\n"
        f"if os.fork() == 0:\n    os.setsid()\n    os.execvp('sleep', ['sleep', '{SLEEP}2'])"
    ),
    "fork_bomb": (
        "import os\nfor _ in range(5000):\n    try:\n        pid = os.fork()\n    except OSError:\n        break\n"
        f"    if pid == 0:\n        os.execvp('sleep', ['sleep', '{SLEEP}3'])"
    ),
    "network": "PORT_PLACEHOLDER",
    "flood": (
        f"import time\nstart = time.time()\nwhile time.time() - start < 2:\n    print('{FLOOD}' * 10_000)\n"
        f"raise ValueError('{FLOOD}' * 10_000)"
    ),
    "zygote_socket": (
        "import glob, socket\nfor path in glob.glob('/tmp/cxz-*/socket') + glob.glob('/tmp/*/socket'):\n"
        '    for payload in (b\'\', b\'garbage\\n\', b\'{"role": "student", "cwd": "/"}\\n\'):\n'
        "        try:\n"
        "            s = socket.socket(socket.AF_UNIX)\n            s.connect(path)\n"
        "            s.sendall(payload)\n            s.close()\n"
        "        except OSError:\n"
        "            pass"
    ),
}


def _network_attack(port: int) -> str:
    return (
        "import socket\nfor host in ('127.0.0.1', 'localhost', '::1', '10.0.2.2'):\n"
        "    try:\n"
        f"        s = socket.create_connection((host, {port}), timeout=2)\n"
        "        s.sendall(b'answers please')\n"
        "    except OSError:\n"
        "        pass"
    )


def _blank_with(code: str, *, locked_claim: bool = False) -> nbformat.NotebookNode:
    notebook = nbformat.read(EXERCISES / "kpis" / "kpis.en.ipynb", as_version=4)
    cell = nbformat.v4.new_code_cell(code)
    if locked_claim:
        cell.metadata["nbgrader"] = {
            "grade": False,
            "grade_id": "setup_extra",
            "locked": True,
            "schema_version": 3,
            "solution": False,
            "task": False,
        }
    setup = next(i for i, c in enumerate(notebook.cells) if c.get("id") == "setup")
    notebook.cells.insert(setup + 1, cell)
    return notebook


def _tree_state(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


class _Listener:
    """A TCP server on the grader's loopback that counts what reaches it."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while self.running:
            try:
                connection, _ = self.server.accept()
            except TimeoutError:
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self.running = False
        self.thread.join()
        self.server.close()


@pytest.fixture(scope="module")
def attacked(isolation, tmp_path_factory):
    folder = tmp_path_factory.mktemp("attacks")
    listener = _Listener()
    CANARY.write_text("untouched")
    for name, code in ATTACKS.items():
        code = _network_attack(listener.port) if code == "PORT_PLACEHOLDER" else code
        nbformat.write(_blank_with(code, locked_claim=name == "forged_metadata"), folder / f"attack_{name}.ipynb")
    for honest in ("reference", "mistake_nps_passives", "blank"):
        (folder / f"honest_{honest}.ipynb").write_bytes((FIXTURES / f"{honest}.ipynb").read_bytes())
    protected = {"solutions": SOLUTIONS / "kpis", "exercises": EXERCISES / "kpis", "submissions": folder}
    before = {name: _tree_state(path) for name, path in protected.items()}
    os.environ["CX_TEST_SECRET"] = SECRET_VALUE
    try:
        out = tmp_path_factory.mktemp("out")
        batch = grade_batch(folder, "kpis", out, workers=4, limits=LIMITS, progress=False)
    finally:
        del os.environ["CX_TEST_SECRET"]
        listener.close()
    after = {name: _tree_state(path) for name, path in protected.items()}
    survivors = subprocess.run(["pgrep", "-fa", f"sleep {SLEEP}"], capture_output=True, text=True).stdout
    yield {
        "batch": batch,
        "results": {r.student_id: r for r in batch.results},
        "listener": listener,
        "changed": {name for name in protected if before[name] != after[name]},
        "survivors": survivors,
    }
    subprocess.run(["pkill", "-f", f"sleep {SLEEP}"], check=False)
    for path in (CANARY, PWNED):
        path.unlink(missing_ok=True)


def test_honest_notebooks_keep_their_exact_scores(attacked):
    expected = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
    for honest in ("reference", "mistake_nps_passives", "blank"):
        result = attacked["results"][f"honest_{honest}"]
        assert (result.status, result.score) == ("graded", expected[f"{honest}.ipynb"]), honest
        assert not result.review, f"{honest} is honest: nothing to review"


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_no_attack_scores_above_a_blank_notebook_unmarked(attacked, attack):
    result = attacked["results"][f"attack_{attack}"]
    blank = attacked["results"]["honest_blank"]
    assert result.status in ("graded", "failed"), result.message
    assert result.score <= blank.score or result.review, f"{attack}: {result.score} without review"


def test_attacks_on_the_checks_are_marked_for_review(attacked):
    for attack in ("setattr", "sys_modules", "vars", "alias", "code_object", "forged_metadata", "showtraceback"):
        assert attacked["results"][f"attack_{attack}"].review, f"{attack} is not marked for review"


def test_no_solution_hidden_test_or_secret_reaches_the_output_folder(attacked):
    out = attacked["batch"].out
    secrets = secret_lines()["kpis"]
    for path in sorted(out.rglob("*")):
        if not path.is_file() or path.parent.name == "submissions":
            continue  # the collected notebooks are the students' own files, byte for byte
        text = path.read_text(encoding="utf-8", errors="replace")
        assert SECRET_VALUE not in text, path
        assert leaks_anywhere(text, secrets) == [], path
        assert FLOOD * 20 not in text, f"{path}: a notebook's output reached it unbounded"
    assert not (out / ".work").exists()


def test_student_code_found_nothing_to_read(attacked):
    solutions = attacked["results"]["attack_read_solutions"]
    messages = " ".join(t.message for t in solutions.tasks)
    assert "nothing" in messages or "ValueError" not in messages
    environment = " ".join(t.message for t in attacked["results"]["attack_environment"].tasks)
    assert SECRET_VALUE not in environment and "CX_TEST_SECRET" not in environment
    assert attacked["results"]["attack_copy_other_students"].score == 0


def test_no_process_survives_the_batch(attacked):
    assert attacked["survivors"] == ""


def test_a_listener_on_the_graders_loopback_receives_nothing(attacked):
    assert attacked["listener"].connections == 0


def test_no_file_outside_the_scratch_copy_changes(attacked):
    assert attacked["changed"] == set()
    assert CANARY.read_text() == "untouched"
    assert not PWNED.exists()
    assert not (Path.home() / "pwned").exists()

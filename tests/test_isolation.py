"""The kernels' cell: what it shows, what the warm-kernel process accepts, how the grader refuses to
run where it cannot isolate, and that student processes die with the grader."""

from __future__ import annotations

import csv
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from notebooks import MINI, student_notebook, write

from grader.cli import main
from grader.exercises import load_exercise
from grader.grading.autograde import GRADER_STOPPED, grade_submission
from grader.intake.collect import Submission
from grader.kernels.isolation import IsolationUnavailable, interpreter_paths, require_isolation
from grader.kernels.kernel_client import CLIENT_CLASS
from grader.kernels.sandbox import STUDENT_KERNEL, Limits
from grader.kernels.zygote import Zygote
from grader.pipeline import WORK_PREFIX, grade_batch, grading_session, remove_stale_work_folders

pytestmark = pytest.mark.nbgrader
ROOT = Path(__file__).resolve().parent.parent


def test_the_sandbox_shows_the_interpreter_not_the_folders_on_its_search_path(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    paths = interpreter_paths()
    assert Path(sys.prefix).resolve() in paths and (ROOT / "grader").resolve() in paths
    assert not any(tmp_path == p or tmp_path.is_relative_to(p) for p in paths)
    assert not any((p / "solutions").is_dir() or p == ROOT for p in paths)


def test_without_bubblewrap_the_grader_refuses_and_says_how_to_fix_it(mini_release, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(IsolationUnavailable, match="bubblewrap") as refused:
        require_isolation()
    assert "--no-isolation" in str(refused.value)
    write(student_notebook(mini_release, "en"), tmp_path / "in" / "s1.ipynb")
    code = main(
        ["grade", str(tmp_path / "in"), "--exercise", "mini", "--out", str(tmp_path / "out"), "--solutions", str(MINI)]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "bwrap" in err and "--no-isolation" in err
    assert not (tmp_path / "out" / "grades.csv").exists(), "nothing graded"


def test_no_isolation_is_the_instructors_explicit_choice_and_is_recorded(mini_release, tmp_path):
    write(student_notebook(mini_release, "ca"), tmp_path / "in" / "s1.ipynb")
    batch = grade_batch(tmp_path / "in", "mini", tmp_path / "out", solutions=MINI, isolate=False, progress=False)
    assert batch.results[0].score == 6 and batch.results[0].isolated is False
    with (tmp_path / "out" / "grades.csv").open(encoding="utf-8", newline="") as stream:
        assert next(csv.DictReader(stream))["isolated"] == "no (--no-isolation)"
    assert json.loads((tmp_path / "out" / "results" / "s1.json").read_text())["isolated"] is False
    assert "--no-isolation" in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert json.loads((tmp_path / "out" / "batch.json").read_text())["isolated"] is False


def _run(zygote: Zygote, folder: Path, code: str) -> list[str]:
    folder.mkdir(parents=True)
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    os.environ["JUPYTER_PATH"] = str(zygote.folder)
    from jupyter_client.manager import AsyncKernelManager

    manager = AsyncKernelManager(
        client_class=CLIENT_CLASS,
        kernel_name=STUDENT_KERNEL,
        transport="ipc",
        ip=str(folder / ".k"),
        connection_file=str(folder.parent / f"{folder.name}.json"),
    )
    NotebookClient(
        notebook,
        km=manager,
        timeout=30,
        allow_errors=True,
        resources={"metadata": {"path": str(folder)}},
        shutdown_kernel="immediate",
    ).execute()
    return [o.get("text", "") + o.get("evalue", "") for o in notebook.cells[0].outputs]


def _send(path: str, payload: bytes, close_at_once: bool = False) -> bytes:
    connection = socket.socket(socket.AF_UNIX)
    connection.settimeout(10)
    connection.connect(path)
    if close_at_once:
        connection.close()
        return b""
    connection.sendall(payload)
    try:
        return connection.recv(4096)
    finally:
        connection.close()


def test_the_warm_kernel_process_refuses_bad_requests_and_keeps_serving(isolation, tmp_path):
    jobs = tmp_path / "jobs"
    with Zygote(tmp_path / "kernels", jobs, Limits(), isolate=True) as zygote:
        zygote.wait()
        (jobs / "other").mkdir(parents=True)
        (jobs / "other" / "answers.txt").write_text("another student's work")
        _send(zygote.socket_path, b"", close_at_once=True)
        assert b"error" in _send(zygote.socket_path, b"garbage\n")
        assert b"error" in _send(zygote.socket_path, b"x" * 100_000)
        outside = {"role": "student", "cwd": "/", "connection": {"key": "k", "transport": "ipc", "ip": "/k"}}
        assert b"not a job folder" in _send(zygote.socket_path, json.dumps(outside).encode() + b"\n")
        tcp = {"role": "student", "cwd": str(jobs / "x"), "connection": {"key": "k", "transport": "tcp", "ip": "::1"}}
        assert b"IPC transport" in _send(zygote.socket_path, json.dumps(tcp).encode() + b"\n")
        outputs = _run(
            zygote,
            jobs / "mine",
            "import os\nprint(os.getuid() != 0, os.getpid(), sorted(os.listdir('..')), "
            f"os.path.exists({str(ROOT / 'solutions')!r}))",
        )
        view = _run(zygote, jobs / "view", VIEW)
        assert zygote.alive()
    # A user of its own, PID 1 of its namespace, no other job folder, no checkout.
    assert outputs == ["True 1 ['mine'] False\n"]
    seen = json.loads(view[0])
    assert seen["processes"] == ["1"], "its /proc shows its own processes only"
    assert seen["home"] == "/tmp/home" and seen["tmp"] == sorted(["home", jobs.parts[2]])
    assert seen["interpreter"] in ("PermissionError", "OSError"), "the interpreter is read-only"
    limits = Limits()
    assert seen["limits"] == [
        limits.memory_mb * 2**20,
        limits.cpu_seconds,
        limits.file_mb * 2**20,
        limits.processes,
    ]
    assert seen["environment"] == [], "no variable of the grader's"


# What a kernel sees of its machine, as JSON.
VIEW = """
import json, os, resource, sys
try:
    open(os.path.join(sys.prefix, "pwned"), "w")
    interpreter = "writable"
except OSError as error:
    interpreter = type(error).__name__
print(json.dumps({
    "processes": sorted(p for p in os.listdir("/proc") if p.isdigit()),
    "home": os.environ["HOME"],
    "tmp": sorted(os.listdir("/tmp")),
    "interpreter": interpreter,
    "limits": [resource.getrlimit(r)[0] for r in
               (resource.RLIMIT_AS, resource.RLIMIT_CPU, resource.RLIMIT_FSIZE, resource.RLIMIT_NPROC)],
    "environment": [k for k in os.environ if k.startswith(("CX_TEST", "NBGRADER", "JUPYTER_TOKEN"))],
}))
"""


def test_student_processes_die_with_the_grader(isolation, mini_release, tmp_path):
    marker = f"600.{uuid.uuid4().int % 10**8:08d}"
    code = f"import subprocess, time\nsubprocess.Popen(['sleep', '{marker}'], start_new_session=True)\ntime.sleep(120)"
    write(student_notebook(mini_release, "en", task1=code), tmp_path / "in" / "s1.ipynb")
    grader = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "grader",
            "grade",
            str(tmp_path / "in"),
            "--exercise",
            "mini",
            "--out",
            str(tmp_path / "out"),
            "--solutions",
            str(MINI),
            "--cell-timeout",
            "150",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not _alive(marker):
            time.sleep(0.5)
        assert _alive(marker), "the student's process never started"
        grader.send_signal(signal.SIGKILL)
        grader.wait()
        out = str(tmp_path / "out")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and (_alive(marker) or _alive_with(out)):
            time.sleep(0.5)
        assert not _alive(marker), "a student's process outlived the grader"
        assert not _alive_with(out), "a grading worker outlived the grader"
        left = [f for f in Path(tempfile.gettempdir()).glob(f"{WORK_PREFIX}*") if _owner(f) == grader.pid]
        assert left, "the killed grader's work folder (with the solutions) is still there"
        assert set(left) <= set(remove_stale_work_folders()), "the next batch removes it"
        assert not any(f.exists() for f in left)
    finally:
        if grader.poll() is None:
            grader.kill()
        subprocess.run(["pkill", "-f", f"sleep {marker}"], check=False)


def _owner(folder: Path) -> int | None:
    try:
        return int((folder / "owner").read_text())
    except (OSError, ValueError):
        return None


def _alive(marker: str) -> bool:
    return _alive_with(f"sleep {marker}")


def _alive_with(command_line: str) -> bool:
    return subprocess.run(["pgrep", "-f", command_line], capture_output=True).returncode == 0


def test_a_notebook_is_not_blamed_when_the_warm_kernel_process_dies(isolation, mini_release, tmp_path):
    write(student_notebook(mini_release, "en", task1="import time\ntime.sleep(20)\ntotal = 15"), tmp_path / "s.ipynb")
    submission = Submission("s", tmp_path / "s.ipynb", "s.ipynb", "en", "", "0")
    with grading_session(load_exercise("mini", MINI), {"en"}, Limits(cell_timeout_s=60), True) as session:
        job = session.job(submission, 0)
        with ThreadPoolExecutor(1) as pool:
            graded = pool.submit(grade_submission, job)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not list((job.folder / "run").glob(".k-*")):
                time.sleep(0.2)
            time.sleep(1)
            subprocess.run(["pkill", "-9", "-f", session.zygote], check=True)  # bwrap and the zygote
            result = graded.result(timeout=60)
    assert result.status == "failed" and result.message == GRADER_STOPPED

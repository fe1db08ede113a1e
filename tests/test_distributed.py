"""Grading on a Dask cluster (grader/grading/distributed.py): a real `dask scheduler` and two `dask worker`
processes on 127.0.0.1, started here and stopped at the end. A batch graded there gives exactly the
results and files of a local batch, even when a worker is killed mid-batch, and the cluster leaves
no process and no work folder behind."""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from notebooks import MINI, blank_notebook, in_language, student_notebook, write

from grader.exercises import EXERCISES, load_exercise
from grader.pipeline import WORK_PREFIX, grade_batch, remove_stale_work_folders
from grader.results import Status

distributed = pytest.importorskip("distributed", reason="the `cluster` extra (Dask) is not installed")
psutil = pytest.importorskip("psutil")

pytestmark = pytest.mark.nbgrader
DASK = Path(sys.executable).parent / "dask"
SLOW = "import time\ntime.sleep(2)\ntotal = sum(NUMBERS)"
TIMING = ("duration_s",)
FILES = ("grades.csv", "moodle-grades.csv", "canvas-grades.csv", "tasks.csv", "similar.csv")


@dataclass
class Cluster:
    address: str
    client: distributed.Client
    folder: Path
    processes: list[subprocess.Popen] = field(default_factory=list)
    stopped: bool = False

    def worker_pids(self) -> dict[str, int]:
        return self.client.run(os.getpid)

    def stop(self) -> list[psutil.Process]:
        """Stop the workers, then the scheduler, as an operator would (SIGTERM); returns the
        processes of theirs still alive 30 s later (killed then, so that nothing outlives the tests)."""
        if self.stopped:
            return []
        self.stopped = True
        self.client.close()
        ours = []
        for process in self.processes:
            try:
                ours += [psutil.Process(process.pid), *psutil.Process(process.pid).children(recursive=True)]
            except psutil.NoSuchProcess:
                continue
        # The workers first (each closes its grading sessions), then the scheduler: a scheduler
        # that closes first closes its workers in a hurry, and their nannies may kill them before
        # they clean up (what they leave then goes with the next batch on the machine).
        workers, scheduler = self.processes[1:], self.processes[0]
        for group in (workers, [scheduler]):
            for process in group:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in group:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        _, alive = psutil.wait_procs(ours, timeout=15)
        alive = [p for p in alive if _running(p)]
        for process in alive:
            with contextlib.suppress(psutil.Error):
                process.kill()
        return alive


def _running(process: psutil.Process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _start(folder: Path, name: str, *args: str) -> subprocess.Popen:
    log = (folder / f"{name}.log").open("wb")
    return subprocess.Popen([str(DASK), *args], stdout=log, stderr=subprocess.STDOUT, cwd=folder)


@pytest.fixture(scope="module")
def cluster(isolation, tmp_path_factory):
    folder = tmp_path_factory.mktemp("dask")
    address_file = folder / "scheduler.json"
    scheduler = _start(
        folder,
        "scheduler",
        "scheduler",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--no-dashboard",
        "--scheduler-file",
        str(address_file),
    )
    processes = [scheduler]
    try:
        deadline = time.monotonic() + 120
        while not address_file.is_file() and time.monotonic() < deadline and scheduler.poll() is None:
            time.sleep(0.2)
        address = json.loads(address_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        for number in (1, 2):
            processes.append(
                _start(
                    folder,
                    f"worker{number}",
                    "worker",
                    address,
                    "--name",
                    f"w{number}",
                    "--nworkers",
                    "1",
                    "--nthreads",
                    "2",
                    "--host",
                    "127.0.0.1",
                    "--no-dashboard",
                    "--local-directory",
                    str(folder / f"w{number}"),
                )
            )
        client = distributed.Client(address, timeout=60, set_as_default=False)
        client.wait_for_workers(2, timeout=180)
    except BaseException:
        for process in processes:
            process.kill()
            process.wait()
        raise
    running = Cluster(address, client, folder, processes)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def batch(mini_release, tmp_path_factory):
    """A mini batch with something of everything (languages, right, wrong, errors, blank, a kernel
    that dies, slow notebooks, two notebooks from one student, a name with accents) and its local
    grading, the reference."""
    folder = tmp_path_factory.mktemp("batch")
    source = folder / "in"
    for number, lang in enumerate(("ca", "es", "en")):
        write(student_notebook(mini_release, lang), source / f"ok_{lang}.ipynb")
        write(student_notebook(mini_release, lang, task1=SLOW), source / f"slow{number}.ipynb")
        write(student_notebook(mini_release, lang, task1=SLOW), source / f"slow{number + 3}.ipynb")
    write(student_notebook(mini_release, "en", task3="half = 0"), source / "wrong.ipynb")
    write(student_notebook(mini_release, "es", task2="shout = undefined_name"), source / "error.ipynb")
    write(blank_notebook(mini_release, "ca"), source / "blank.ipynb")
    write(student_notebook(mini_release, "en", task1="import os\nos._exit(3)"), source / "dies.ipynb")
    write(student_notebook(mini_release, "en"), source / "twice" / "mini.en.ipynb")
    write(student_notebook(mini_release, "en", task3="half = 1"), source / "twice" / "Untitled.ipynb")
    write(student_notebook(mini_release, "ca"), source / "Josè Güell.ipynb")
    local = grade_batch(source, "mini", folder / "local", solutions=MINI, progress=False)
    statuses = {r.student_id: r.status for r in local.results}
    assert statuses["dies"] == Status.FAILED and sum(s == Status.GRADED for s in statuses.values()) == len(statuses) - 1
    return source, folder / "local"


def _outputs(out: Path) -> dict[str, object]:
    """What a batch wrote that must not depend on where it was graded: the results (but their
    timing), the CSV files, the feedback."""
    found: dict[str, object] = {}
    for path in sorted((out / "results").glob("*.json")):
        result = json.loads(path.read_text(encoding="utf-8"))
        found[f"results/{path.name}"] = {k: v for k, v in result.items() if k not in TIMING}
    for name in FILES:
        found[name] = (out / name).read_text(encoding="utf-8")
    for path in sorted((out / "feedback").iterdir()):
        found[f"feedback/{path.name}"] = path.read_text(encoding="utf-8")
    return found


def _same_outputs(cluster_out: Path, local_out: Path) -> None:
    here, there = _outputs(local_out), _outputs(cluster_out)
    assert sorted(there) == sorted(here)
    for name in here:
        assert there[name] == here[name], name


def test_a_job_carries_the_notebook_and_the_release_never_a_path_of_this_machine(mini_release, tmp_path):
    from grader.grading.distributed import WorkerUnfit, pack_release, remote_job, unpack_release
    from grader.intake.collect import collect
    from grader.kernels.sandbox import Limits

    exercise = load_exercise("mini", MINI)
    packed = pack_release(exercise)
    assert pack_release(exercise) == packed, "the same files give the same bytes"
    unpacked = unpack_release(packed, "mini", exercise.fingerprint(), tmp_path / "cache")
    assert unpacked.source == tmp_path / "cache" / exercise.fingerprint() / "mini"
    assert unpacked.fingerprint() == exercise.fingerprint() and unpacked.languages == exercise.languages
    assert unpack_release(packed, "mini", exercise.fingerprint(), tmp_path / "cache") == unpacked, "unpacked once"
    with pytest.raises(WorkerUnfit, match="arrived changed"):
        unpack_release(packed, "mini", "0123456789abcdef", tmp_path / "other")
    with pytest.raises(WorkerUnfit):
        unpack_release(packed, "../mini", exercise.fingerprint(), tmp_path / "other")

    write(student_notebook(mini_release, "en"), tmp_path / "in" / "s1.ipynb")
    [submission] = collect(tmp_path / "in", exercise, tmp_path / "collected").submissions
    job = remote_job(submission, exercise.id, exercise.fingerprint(), ("en",), Limits(), True, "x")
    assert job.notebook == submission.path.read_bytes()
    sent = pickle.dumps(job) + packed
    for path in (tmp_path, MINI.resolve(), Path.cwd()):
        assert str(path).encode() not in sent


def test_on_a_worker_a_grading_process_or_a_warm_kernel_process_that_dies_blames_no_notebook(
    isolation, mini_release, tmp_path
):
    """The worker's side alone (no Dask): its session grades again, in a process of its own, a
    notebook whose grading process was killed, and starts again a warm-kernel process that died."""
    from grader.grading.distributed import _WorkerState, pack_release, remote_job
    from grader.intake.collect import collect
    from grader.kernels.sandbox import Limits
    from grader.pipeline import grading_setup

    exercise = load_exercise("mini", MINI)
    for student in ("a", "b"):
        write(student_notebook(mini_release, "en", task1=SLOW.replace("2", "4")), tmp_path / "in" / f"{student}.ipynb")
    submissions = collect(tmp_path / "in", exercise, tmp_path / "collected").submissions
    jobs = [
        remote_job(s, "mini", exercise.fingerprint(), ("en",), Limits(), True, grading_setup(Limits(), True))
        for s in submissions
    ]
    state = _WorkerState(2)
    try:
        session = state.session(jobs[0], pack_release(exercise))
        first_zygote = session.session.warm.process.pid
        for job, kill in zip(jobs, ("grading processes", "warm-kernel process"), strict=True):
            with ThreadPoolExecutor(1) as pool:
                graded = pool.submit(session.grade, job)
                deadline = time.monotonic() + 120
                while time.monotonic() < deadline and not list(session.session.jobs.glob("*/run/.k-*")):
                    time.sleep(0.1)
                if kill == "grading processes":
                    for process in session.pool.processes():
                        os.kill(process.pid, signal.SIGKILL)
                else:
                    session.session.warm.process.kill()  # bubblewrap: the zygote dies with it
                result = graded.result(timeout=300)
            assert (result.status, result.score) == (Status.GRADED, 6.0), (kill, result.message)
        assert session.session.warm.alive() and session.session.warm.process.pid != first_zygote
    finally:
        state.close()
    assert not state.folder.exists() and not session.session.jobs.exists()


def test_a_batch_on_the_cluster_gives_the_local_results_and_files(cluster, batch, tmp_path):
    source, local = batch
    command = [sys.executable, "-m", "grader", "grade", str(source), "--exercise", "mini", "--out", str(tmp_path)]
    command += ["--solutions", str(MINI), "--scheduler", cluster.address]
    graded = subprocess.run(command, capture_output=True, text=True, timeout=900)
    assert graded.returncode == 1, graded.stderr  # `dies` failed, as in the local batch
    _same_outputs(tmp_path, local)
    used = json.loads((tmp_path / "batch.json").read_text())["workers_used"]
    assert used and set(used) <= set(cluster.worker_pids())
    report = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert all(address in report for address in used)
    local_report = (local / "report.html").read_text(encoding="utf-8")
    assert "Dask workers" in report and "Dask workers" not in local_report


def test_a_worker_killed_mid_batch_costs_no_student_anything(cluster, batch, tmp_path):
    source, local = batch
    out = tmp_path / "out"
    outcome: dict[str, object] = {}

    def grade() -> None:
        try:
            outcome["batch"] = grade_batch(
                source, "mini", out, solutions=MINI, scheduler=cluster.address, progress=False
            )
        except BaseException as error:  # reported by the assertion below
            outcome["error"] = error

    grading = threading.Thread(target=grade)
    grading.start()
    victim, deadline = None, time.monotonic() + 600
    while victim is None and time.monotonic() < deadline and grading.is_alive():
        busy = {w: keys for w, keys in cluster.client.processing().items() if any("cx-grade" in str(k) for k in keys)}
        if busy and len(list((out / "results").glob("*.json"))) >= 2:
            victim = sorted(busy, key=lambda w: len(busy[w]))[-1]
        else:
            time.sleep(0.2)
    assert victim, "the batch ended before a worker could be killed in its middle"
    pid = cluster.worker_pids()[victim]
    children = psutil.Process(pid).children(recursive=True)
    assert any("grader.kernels.zygote" in " ".join(c.cmdline()) for c in children if _running(c))
    os.kill(pid, signal.SIGKILL)
    grading.join(timeout=900)
    assert "error" not in outcome, outcome.get("error")
    assert len(list((out / "results").glob("*.json"))) == len(list((local / "results").glob("*.json")))
    _same_outputs(out, local)
    used = json.loads((out / "batch.json").read_text())["workers_used"]
    assert victim in used and len(used) >= 2, "the killed worker's notebooks were graded elsewhere"
    # What the killed worker had started died with it: its grading processes, the warm-kernel
    # process and the kernels; its work folder (with the solutions) goes with the next batch here.
    _, alive = psutil.wait_procs(children, timeout=20)
    assert not [p for p in alive if _running(p)], "a process outlived its killed worker"
    left = [f for f in Path(tempfile.gettempdir()).glob(f"{WORK_PREFIX}*") if _owner(f) == pid]
    assert set(left) <= set(remove_stale_work_folders())
    assert not any(f.exists() for f in left)


def test_a_course_exercise_gets_its_expected_scores_on_the_cluster(cluster, tmp_path):
    fixtures = Path(__file__).parent / "fixtures" / "kpis"
    expected = json.loads((fixtures / "expected.json").read_text(encoding="utf-8"))
    for number, name in enumerate(sorted(expected)):
        lang = ("ca", "es", "en")[number % 3]
        notebook = in_language(fixtures / name, EXERCISES / "kpis", "kpis", lang)
        write(notebook, tmp_path / "in" / f"{name.removesuffix('.ipynb')}.ipynb")
    graded = grade_batch(tmp_path / "in", "kpis", tmp_path / "out", scheduler=cluster.address, progress=False)
    assert {f"{r.student_id}.ipynb": r.score for r in graded.results} == {k: float(v) for k, v in expected.items()}
    assert all(r.status == Status.GRADED and not r.review for r in graded.results)
    assert {r.language for r in graded.results} == {"ca", "es", "en"}


def test_a_scheduler_that_does_not_answer_stops_the_batch_before_grading(mini_release, tmp_path):
    write(student_notebook(mini_release, "en"), tmp_path / "in" / "s1.ipynb")
    command = [sys.executable, "-m", "grader", "grade", str(tmp_path / "in"), "--exercise", "mini"]
    command += ["--out", str(tmp_path / "out"), "--solutions", str(MINI), "--scheduler", "tcp://127.0.0.1:9"]
    refused = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert refused.returncode == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in refused.stderr
    assert not (tmp_path / "out" / "results").exists()


def test_stopping_the_cluster_leaves_no_process_and_no_work_folder(cluster):
    pids = set(cluster.worker_pids().values())
    alive = cluster.stop()
    assert not alive, f"left running: {[' '.join(p.cmdline())[:120] for p in alive]}"
    left = [f for f in Path(tempfile.gettempdir()).glob(f"{WORK_PREFIX}*") if _owner(f) in pids]
    assert not left, "a worker that closed left its work folder"
    shutil.rmtree(cluster.folder, ignore_errors=True)


def _owner(folder: Path) -> int | None:
    try:
        return int((folder / "owner").read_text())
    except (OSError, ValueError):
        return None

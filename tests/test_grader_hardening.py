"""Batches that never blame or lose a student: crashes charged to the right notebook, a warm-kernel
process that dies and comes back, re-runs that reuse only what was graded, student ids that never
collide, one run per output folder, and the words an instructor and a student each get."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tracemalloc
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from notebooks import MINI, as_bytes, student_notebook, write

from grader.course import course_root
from grader.exercises import load_exercise
from grader.grading.autograde import LocalExecutor, grade_submission
from grader.intake.collect import collect
from grader.intake.student_ids import SAFE, distinct_ids, student_id
from grader.kernels.sandbox import Limits
from grader.pipeline import grade_batch, grade_jobs, grading_session, output_lock
from grader.results import Status

pytestmark = pytest.mark.nbgrader
EXERCISE = load_exercise("mini", MINI)


def cli(*args, env=None, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "grader", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=600
    )


def _crash_on_purpose(job):
    """A worker that dies (as one killed by the out-of-memory killer would) on one notebook."""
    if job.submission.student_id == "crash":
        time.sleep(1.5)  # the other notebooks are in flight by now
        os.kill(os.getpid(), signal.SIGKILL)
    return grade_submission(job)


def _submissions(mini_release, folder, **code_by_student):
    paths = {}
    for student, code in code_by_student.items():
        paths[student] = write(student_notebook(mini_release, "en", **code), folder / f"{student}.ipynb")
    return collect(folder, EXERCISE, folder.parent / "collected").submissions


def test_a_dead_worker_is_charged_only_to_the_notebook_that_killed_it(mini_release, tmp_path):
    slow = "import time\ntime.sleep(3)\ntotal = sum(NUMBERS)"
    submissions = _submissions(mini_release, tmp_path / "in", a={"task1": slow}, crash={}, b={"task1": slow})
    with grading_session(EXERCISE, {"en"}, Limits(), True) as session:
        jobs = [session.job(s, n) for n, s in enumerate(submissions)]
        results = {r.student_id: r for r in LocalExecutor(3).map(_crash_on_purpose, jobs)}
    assert results["crash"].status == Status.FAILED and "crashed on this submission" in results["crash"].message
    for student in ("a", "b"):
        assert (results[student].status, results[student].score) == (Status.GRADED, 6.0), results[student].message


def test_the_batch_restarts_a_warm_kernel_process_that_dies_and_grades_its_notebooks(mini_release, tmp_path):
    slow = "import time\ntime.sleep(4)\ntotal = sum(NUMBERS)"
    submissions = _submissions(mini_release, tmp_path / "in", a={"task1": slow}, b={}, c={"task2": 'shout = "x"'})
    with grading_session(EXERCISE, {"en"}, Limits(), True) as session:
        jobs = [session.job(s, n) for n, s in enumerate(submissions)]
        first = session.warm.process.pid

        def grade() -> tuple[list, bool, int]:
            # The new zygote dies with the thread that started it (Linux's parent-death signal
            # follows threads), as it should: look at it before this thread ends.
            results = list(grade_jobs(session, jobs, LocalExecutor(3)))
            return results, session.warm.alive(), session.warm.process.pid

        with ThreadPoolExecutor(1) as pool:
            graded = pool.submit(grade)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not list((jobs[0].folder / "run").glob(".k-*")):
                time.sleep(0.1)
            subprocess.run(["pkill", "-9", "-f", session.zygote], check=True)
            found, alive, pid = graded.result(timeout=300)
        results = {r.student_id: r for r in found}
        assert alive and pid != first, "a new warm-kernel process serves the rest of the batch"
    assert {s: (r.status, r.score) for s, r in results.items()} == {
        "a": (Status.GRADED, 6.0),
        "b": (Status.GRADED, 6.0),
        "c": (Status.GRADED, 4.0),
    }


def test_a_batch_leaves_nothing_in_the_temporary_folder(mini_release, tmp_path):
    temporary = Path(tempfile.mkdtemp(prefix="cx-t", dir="/tmp"))  # short: kernels' socket paths
    try:
        write(student_notebook(mini_release, "en"), tmp_path / "in" / "s1.ipynb")
        args = ["grade", str(tmp_path / "in"), "--exercise", "mini", "--out", str(tmp_path / "out")]
        args += ["--solutions", str(MINI)]
        result = cli(*args, env={**os.environ, "TMPDIR": str(temporary)})
        assert result.returncode == 0, result.stderr
        assert list(temporary.iterdir()) == []
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def test_a_failed_result_is_graded_again_and_a_change_of_limits_grades_everything_again(mini_release, tmp_path):
    write(student_notebook(mini_release, "en"), tmp_path / "in" / "ok.ipynb")
    write(student_notebook(mini_release, "en", task1="import os\nos._exit(3)"), tmp_path / "in" / "dies.ipynb")
    options = {"solutions": MINI}
    first = grade_batch(tmp_path / "in", "mini", tmp_path / "out", **options)
    assert {r.student_id: r.status for r in first.results} == {"ok": Status.GRADED, "dies": Status.FAILED}
    again = grade_batch(tmp_path / "in", "mini", tmp_path / "out", **options)
    assert (again.info.graded_now, again.info.reused) == (1, 1), "only the failed notebook is graded again"
    longer = grade_batch(tmp_path / "in", "mini", tmp_path / "out", limits=Limits(cell_timeout_s=45), **options)
    assert (longer.info.graded_now, longer.info.reused) == (2, 0), "other limits, other grades"


NAMES = [
    "José",
    "Josè",
    "Jose\u0301",
    "李雷",
    "韩梅梅",
    "😀",
    "😃",
    "O'Brien",
    'say "hi"',
    "a=b",
    "a_b",
    "a b",
    "Anna",
    "anna",
]


def test_student_ids_are_safe_stable_and_never_merge_two_students():
    ids = distinct_ids(NAMES)
    assert all(SAFE.fullmatch(i) for i in ids.values()), ids
    # José typed with a composed and with a decomposed accent is one student; everything else differs.
    assert ids["José"] == ids["Jose\u0301"]
    assert len({ids[n] for n in NAMES}) == len(NAMES) - 1
    assert ids["José"].startswith("Jose-") and ids["李雷"].startswith("id-"), "readable where possible"
    assert distinct_ids(reversed(NAMES)) == ids, "stable: the same raw id always gets the same safe id"
    assert student_id("12345") == "12345" and student_id("anna.puig") == "anna.puig"


def test_every_entry_ends_graded_refused_or_noted_and_raw_names_are_kept(mini_release, tmp_path):
    source = tmp_path / "in.zip"
    notebook = as_bytes(student_notebook(mini_release, "en"))
    with zipfile.ZipFile(source, "w") as archive:
        for name in ("José", "Josè", "李雷", "韩梅梅", "😀", "O'Brien", "a=b"):
            archive.writestr(f"{name}.ipynb", notebook)
        archive.writestr("Anna/mini.en.ipynb", notebook)
        archive.writestr("Anna/notes.txt", b"hello")
        archive.writestr("__MACOSX/._José.ipynb", b"\x00\x05")
        archive.writestr("stray.txt", b"?")
    collected = collect(source, EXERCISE, tmp_path / "out")
    raw = {s.raw_id: s.student_id for s in collected.submissions}
    assert set(raw) == {"José", "Josè", "李雷", "韩梅梅", "😀", "O'Brien", "a=b", "Anna"}
    assert len(set(raw.values())) == 8 and all((tmp_path / "out" / f"{i}.ipynb").is_file() for i in raw.values())
    assert {(r.source, r.student_id) for r in collected.rejected} == {("Anna/notes.txt", "Anna"), ("stray.txt", None)}
    assert [r.source for r in collected.ignored] == ["__MACOSX/._José.ipynb"]
    assert sorted(os.listdir(tmp_path / "out")) == sorted(f"{i}.ipynb" for i in raw.values())


def test_results_keep_the_raw_name(mini_release, tmp_path):
    write(student_notebook(mini_release, "en"), tmp_path / "in" / "Josè Güell.ipynb")
    batch = grade_batch(tmp_path / "in", "mini", tmp_path / "out", solutions=MINI)
    [result] = batch.results
    assert result.raw_id == "Josè Güell" and result.student_id.startswith("Jose_Guell-")
    saved = json.loads((tmp_path / "out" / "results" / f"{result.student_id}.json").read_text(encoding="utf-8"))
    assert saved["raw_id"] == "Josè Güell"


def test_the_notebook_named_for_the_exercise_wins_over_a_later_untitled(mini_release, tmp_path):
    named = write(student_notebook(mini_release, "en"), tmp_path / "in" / "s1" / "mini.en.ipynb")
    stray = write(student_notebook(mini_release, "en", task3="half = 0"), tmp_path / "in" / "s1" / "Untitled.ipynb")
    os.utime(named, (1_700_000_000, 1_700_000_000))
    os.utime(stray, (1_800_000_000, 1_800_000_000))
    [submission] = collect(tmp_path / "in", EXERCISE, tmp_path / "out").submissions
    assert submission.source.endswith("mini.en.ipynb")
    assert "named for the exercise" in submission.notes[0] and "Untitled.ipynb" in submission.notes[0]
    os.utime(stray, (1_600_000_000, 1_600_000_000))
    [again] = collect(tmp_path / "in", EXERCISE, tmp_path / "out").submissions
    assert again.source.endswith("mini.en.ipynb")


def test_a_cell_stopped_at_its_time_limit_is_named_in_its_tasks_message(mini_release, tmp_path):
    notebook = student_notebook(mini_release, "en")
    where = next(i for i, c in enumerate(notebook.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == "task2")
    notebook.cells.insert(where + 1, nbformat.v4.new_code_cell("import time\nwhile True:\n    time.sleep(0.1)"))
    write(notebook, tmp_path / "in" / "s.ipynb")
    batch = grade_batch(
        tmp_path / "in",
        "mini",
        tmp_path / "out",
        solutions=MINI,
        limits=Limits(cell_timeout_s=3),
    )
    [result] = batch.results
    messages = {task.task: task.message for task in result.tasks}
    assert "reached the 3 s limit" in messages["2"] and "while True: time.sleep(0.1)" in messages["2"]
    assert messages["1"] == "" and messages["3"] == ""


def test_two_runs_on_one_output_folder_cannot_interleave(mini_release, tmp_path):
    write(student_notebook(mini_release, "en"), tmp_path / "in" / "s.ipynb")
    (tmp_path / "out").mkdir()
    with output_lock(tmp_path / "out"):
        result = cli(
            "grade",
            str(tmp_path / "in"),
            "--exercise",
            "mini",
            "--out",
            str(tmp_path / "out"),
            "--solutions",
            str(MINI),
        )
    assert result.returncode == 2
    assert f"another cx-grader run (process {os.getpid()}) is writing to this folder" in result.stderr
    assert not (tmp_path / "out" / "results").exists()


def test_collecting_a_large_zip_does_not_hold_its_notebooks_in_memory(mini_release, tmp_path):
    notebook = student_notebook(mini_release, "en")
    notebook.cells.append(nbformat.v4.new_markdown_cell("x" * 400_000))
    data = as_bytes(notebook)
    source = tmp_path / "big.zip"
    with zipfile.ZipFile(source, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for number in range(150):
            archive.writestr(f"s{number}.ipynb", data)
    tracemalloc.start()
    collected = collect(source, EXERCISE, tmp_path / "out")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(collected.submissions) == 150
    assert peak < 10 * len(data) < 150 * len(data) / 10, f"peak {peak} bytes for {150 * len(data)} bytes of notebooks"


def test_release_of_an_unknown_exercise_is_an_error():
    result = cli("release", "UNKNOWN", "--solutions", str(MINI))
    assert result.returncode == 2 and "unknown exercise 'UNKNOWN' (known: mini)" in result.stderr


def test_the_cpu_limit_follows_the_notebook_time_limit():
    assert Limits(notebook_timeout_s=900).cpu_seconds == 900
    assert Limits(notebook_timeout_s=900, cpu_s=60).cpu_seconds == 60


def test_help_does_not_import_nbgrader():
    code = "import sys\nfrom grader.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
    code += "print(sorted(m for m in sys.modules if m.split('.')[0] in {'nbgrader', 'nbclient', 'pandas'}))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_the_grader_works_on_a_course_outside_this_checkout(mini_release, tmp_path):
    course = tmp_path / "my course"
    shutil.copytree(MINI / "mini", course / "solutions" / "mini", symlinks=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    released = cli("release", "--course", str(course), cwd=elsewhere)
    assert released.returncode == 0, released.stderr
    assert (course / "exercises" / "mini" / "mini.en.ipynb").is_file()
    write(student_notebook(course / "exercises" / "mini", "en"), tmp_path / "in" / "s.ipynb")
    # From inside the course, the course is found without --course.
    graded = cli(
        "grade", str(tmp_path / "in"), "--exercise", "mini", "--out", str(tmp_path / "out"), cwd=course / "exercises"
    )
    assert graded.returncode == 0, graded.stderr
    assert json.loads((tmp_path / "out" / "results" / "s.json").read_text())["score"] == 6.0
    assert course_root(course) == course.resolve()
    wrong = cli(
        "grade", str(tmp_path / "in"), "--exercise", "mini", "--out", str(tmp_path / "o2"), "--course", str(elsewhere)
    )
    assert wrong.returncode == 2 and "not a course folder (no solutions/ folder inside)" in wrong.stderr


def test_the_warm_kernel_process_ends_with_a_killed_grader_even_without_isolation(mini_release, tmp_path):
    write(student_notebook(mini_release, "en", task1="import time\ntime.sleep(120)"), tmp_path / "in" / "s.ipynb")
    args = ["grade", str(tmp_path / "in"), "--exercise", "mini", "--out", str(tmp_path / "out")]
    command = [sys.executable, "-m", "grader", *args, "--solutions", str(MINI), "--no-isolation"]
    grader = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def zygotes() -> list[str]:
        found = subprocess.run(
            ["pgrep", "-P", str(grader.pid), "-f", "grader.kernels.zygote"], capture_output=True, text=True
        )
        return found.stdout.split()

    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not (zygotes() and list((tmp_path / "out").glob("submissions/*"))):
            time.sleep(0.3)
        [zygote] = zygotes()
        time.sleep(2)  # grading is under way
        grader.send_signal(signal.SIGKILL)
        grader.wait()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and _running(zygote):
            time.sleep(0.2)
        assert not _running(zygote), "the warm-kernel process outlived the grader"
    finally:
        if grader.poll() is None:
            grader.kill()


def _running(pid: str) -> bool:
    """Alive and not a zombie waiting for a parent that is gone."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"

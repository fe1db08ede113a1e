"""Serial `nbgrader autograde` against `cx-grader grade` on the same batch, in one run.

The batch: N submissions (default 60) of one exercise in the three languages, made from the
exercise's fixture submissions (reference, alternative, typical mistakes, blank): each fixture's
code is put into the released student notebook of the target language, as a student would have
written it there.

    .venv/bin/python benchmarks/grading.py [--exercise kpis] [-n 60] [--workers N] [--isolation-cost]
    .venv/bin/python benchmarks/grading.py --scheduler tcp://127.0.0.1:8786 [--exercise kpis] [-n 60]

Prints both wall-clock times, their ratio and whether every student's score is identical. With
`--isolation-cost`, also grades the batch with `--no-isolation` (same two runs, no namespaces) to
show what the kernels' isolation costs.

With `--scheduler`, no serial nbgrader: the batch is graded here (`cx-grader grade`), then twice on
that Dask cluster (the first batch starts each worker's grading session: templates, warm-kernel
process, grading processes; the second finds them warm), and the figures give the throughput per
core here and per core of the workers' machines. Two workers on this machine, for instance:

    .venv/bin/dask scheduler --host 127.0.0.1 --port 8786 --no-dashboard &
    .venv/bin/dask worker tcp://127.0.0.1:8786 --host 127.0.0.1 --nworkers 2 --nthreads 2 --no-dashboard &
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from notebooks import in_language  # noqa: E402

from grader.exercises import EXERCISES, load_exercise  # noqa: E402
from grader.grading.nbgrader_driver import COURSE_ID, course_scores  # noqa: E402
from grader.pipeline import grade_batch  # noqa: E402

LANGUAGES = ("ca", "es", "en")


def make_batch(exercise_id: str, size: int, folder: Path) -> dict[str, str]:
    """Write `size` submissions to folder/<student>.ipynb; returns each student's language."""
    fixtures = sorted((ROOT / "tests" / "fixtures" / exercise_id).glob("*.ipynb"))
    languages = {}
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(size):
        lang = LANGUAGES[index % 3]
        notebook = in_language(fixtures[index % len(fixtures)], EXERCISES / exercise_id, exercise_id, lang)
        student = f"s{index:03d}"
        nbformat.write(notebook, folder / f"{student}.ipynb")
        languages[student] = lang
    return languages


def _nbgrader(course: Path, *args: str) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "nbgrader",
            *args,
            "--force",
            f"--CourseDirectory.root={course}",
            f"--CourseDirectory.course_id={COURSE_ID}",
            "--CourseDirectory.ignore=['generate_data.py','__pycache__']",
            "--log-level=ERROR",
        ],
        check=True,
        capture_output=True,
        # nbgrader runs the `alembic` command beside this Python when it creates the gradebook.
        env={**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"},
    )


def serial_nbgrader(exercise_id: str, batch: Path, languages: dict[str, str], course: Path) -> tuple[dict, float]:
    """An instructor's plain nbgrader course with the three notebooks, graded by `nbgrader autograde`."""
    exercise = load_exercise(exercise_id)
    source = course / "source" / exercise_id
    for path in [*(exercise.notebook(lang) for lang in LANGUAGES), *exercise.shared_files()]:
        target = source / path.relative_to(exercise.source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    _nbgrader(course, "generate_assignment", exercise_id)
    for student, lang in languages.items():
        target = course / "submitted" / student / exercise_id
        target.mkdir(parents=True)
        shutil.copyfile(batch / f"{student}.ipynb", target / exercise.notebook_name(lang))
    started = time.perf_counter()
    _nbgrader(course, "autograde", exercise_id)
    return course_scores(course, exercise_id), time.perf_counter() - started


def _timed(**options) -> tuple[dict[str, float], float, object]:
    started = time.perf_counter()
    batch = grade_batch(progress=False, **options)
    return {r.student_id: r.score for r in batch.results}, time.perf_counter() - started, batch


def cluster_figures(exercise_id: str, size: int, workers: int | None, scheduler: str, work: Path) -> dict:
    """The same batch here and on the cluster at `scheduler` (cold, then warm)."""
    from distributed import Client

    make_batch(exercise_id, size, work / "batch")
    local, local_time, local_batch = _timed(
        submissions=work / "batch", exercise_id=exercise_id, out=work / "local", workers=workers
    )
    on_cluster = {"submissions": work / "batch", "exercise_id": exercise_id, "scheduler": scheduler}
    cold, cold_time, _ = _timed(out=work / "cold", **on_cluster)
    warm, warm_time, warm_batch = _timed(out=work / "warm", force=True, **on_cluster)
    with Client(scheduler, set_as_default=False) as client:
        cores_by_host = {client.scheduler_info()["workers"][w]["host"]: n for w, n in client.run(os.cpu_count).items()}
    worker_cores = sum(cores_by_host.values())
    return {
        "exercise": exercise_id,
        "submissions": size,
        "cores_here": os.cpu_count(),
        "local_workers": local_batch.info.workers,
        "cx_grader_local_s": round(local_time, 1),
        "cluster_hosts": len(cores_by_host),
        "cluster_worker_cores": worker_cores,
        "cluster_threads": warm_batch.info.workers,
        "workers_used": warm_batch.info.workers_used,
        "cluster_first_batch_s": round(cold_time, 1),
        "cluster_warm_batch_s": round(warm_time, 1),
        "local_notebooks_per_min_per_core": round(60 * size / local_time / (os.cpu_count() or 1), 1),
        "cluster_notebooks_per_min_per_worker_core": round(60 * size / warm_time / worker_cores, 1),
        "identical_scores": local == cold == warm,
        "score_levels": sorted(set(local.values())),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--exercise", default="kpis")
    parser.add_argument("-n", type=int, default=60)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--isolation-cost", action="store_true", help="also grade without isolation")
    parser.add_argument("--scheduler", metavar="URL", help="compare this machine with that Dask cluster")
    args = parser.parse_args()
    if args.scheduler:
        with tempfile.TemporaryDirectory(prefix="cx-bench-") as work:
            print(
                json.dumps(cluster_figures(args.exercise, args.n, args.workers, args.scheduler, Path(work)), indent=2)
            )
        return

    with tempfile.TemporaryDirectory(prefix="cx-bench-") as work:
        work = Path(work)
        languages = make_batch(args.exercise, args.n, work / "batch")
        serial, serial_time = serial_nbgrader(args.exercise, work / "batch", languages, work / "course")

        started = time.perf_counter()
        batch = grade_batch(work / "batch", args.exercise, work / "out", workers=args.workers, progress=False)
        parallel_time = time.perf_counter() - started
        parallel = {r.student_id: r.score for r in batch.results}
        figures = {
            "exercise": args.exercise,
            "submissions": args.n,
            "cores": os.cpu_count(),
            "workers": batch.info.workers,
            "serial_nbgrader_s": round(serial_time, 1),
            "cx_grader_s": round(parallel_time, 1),
            "speedup": round(serial_time / parallel_time, 2),
        }
        if args.isolation_cost:
            started = time.perf_counter()
            open_batch = grade_batch(
                work / "batch", args.exercise, work / "open", workers=args.workers, isolate=False, progress=False
            )
            open_time = time.perf_counter() - started
            figures["cx_grader_without_isolation_s"] = round(open_time, 1)
            figures["isolation_cost_pct"] = round(100 * (parallel_time - open_time) / open_time, 1)
            figures["identical_without_isolation"] = {r.student_id: r.score for r in open_batch.results} == parallel

    identical = parallel == serial
    figures |= {"identical_scores": identical, "score_levels": sorted(set(parallel.values()))}
    print(json.dumps(figures, indent=2))
    if not identical:
        for student in sorted(set(serial) | set(parallel)):
            if serial.get(student) != parallel.get(student):
                print(f"  {student}: serial {serial.get(student)} vs cx-grader {parallel.get(student)}")


if __name__ == "__main__":
    main()

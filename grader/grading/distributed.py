"""Grading on a Dask cluster: `cx-grader grade ... --scheduler tcp://HOST:8786`.

The instructor's machine (the client) collects, writes the results, exports and reports as in a
local batch; only the grading of each notebook goes to the cluster's workers. What travels:

- once per batch, **the release**: the exercise's notebooks and released files (exactly what
  `Exercise.fingerprint` covers; never `lessons.json` nor the data generator), packed in one
  gzip'd tar held by a Dask task whose key is the fingerprint. Each worker fetches it once and
  unpacks it into a cache folder named by the fingerprint, whose files must give that fingerprint
  again;
- per notebook, **a job as plain data** (`RemoteJob`): the notebook's bytes, the student's id,
  language and hash, the release's fingerprint, the limits and the setup; never a path of the
  instructor's machine;
- back, **the result as a dict** (`Result.to_json`), and the address of the worker that graded it.

On each worker, `GradingPlugin` keeps, for each (fingerprint, setup), a grading session built by the
same code as a local batch (`pipeline.grading_session`: nbgrader's templates, the warm-kernel process
under bubblewrap; `require_isolation()` first unless `--no-isolation`) and a small pool of grading
processes, one per thread of the worker, for the worker's lifetime; all of it goes when the worker
closes. nbclient and nbgrader never run in a Dask thread (they want the main thread's signals and an
event loop of their own): each job runs `autograde.grade_submission` in a process of that pool, as a
local batch does. What a local batch guarantees holds on every worker: a grading process that dies
is charged only to the notebook that kills a process of its own again; a warm-kernel process that
dies is started again and its notebooks graded again.

A worker that dies or leaves mid-batch takes nothing with it: the scheduler keeps every job and
gives the ones that worker held to another. A job the cluster cannot grade at all (its workers kept
dying, or a worker that joined later cannot isolate kernels) comes back as a failed result that does
not blame the notebook and is graded again on the next run.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import gzip
import io
import itertools
import json
import logging
import multiprocessing
import os
import re
import select
import shutil
import socket
import tarfile
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from distributed import Client, Reschedule, WorkerPlugin, as_completed, get_worker

from grader.exercises import Exercise
from grader.intake.collect import Submission, UnusableInput
from grader.kernels.isolation import IsolationUnavailable, probe, require_isolation
from grader.kernels.sandbox import Limits
from grader.messages import bounded
from grader.results import Result, Status

# grader.grading.autograde and grader.pipeline import nbgrader (seconds): a worker imports them in a task's
# thread, never in its event loop, which must keep answering the scheduler.
if TYPE_CHECKING:
    from grader.pipeline import Session

PLUGIN_NAME = "cx-grader"
CONNECT_TIMEOUT_S = 20
WAIT_FOR_WORKERS_S = 60
NOT_GRADED = (
    "the cluster could not grade this notebook (not the notebook's fault: {why}): it is graded again on the next run"
)
VERSIONED = ("cx-course", "nbgrader", "nbclient", "ipykernel")
SAFE_ID = re.compile(r"[a-z0-9][a-z0-9\-]*")
SAFE_FINGERPRINT = re.compile(r"[0-9a-f]{8,64}")
# Under Dask's own logger, which a worker writes at INFO level: the operator sees each session start.
log = logging.getLogger("distributed.cx_grader")

T = TypeVar("T")


class ClusterUnavailable(UnusableInput):
    """The scheduler cannot be reached, has no worker, or a worker cannot grade (the message says
    which and why)."""


class WorkerUnfit(RuntimeError):
    """This worker cannot grade the job (another version of the grader, no isolation, a release
    that arrived changed); raised in the task, turned into a result that blames nobody."""


@dataclass(frozen=True)
class RemoteJob:
    """One notebook to grade, as data: what a worker needs and nothing of the instructor's disk."""

    student_id: str
    source: str
    language: str
    sha256: str
    raw_id: str
    notes: tuple[str, ...]
    notebook: bytes
    exercise: str
    release: str
    """The exercise's fingerprint: the worker grades against the release with exactly these files."""
    languages: tuple[str, ...]
    """The batch's languages: a worker builds nbgrader's templates for all of them at once."""
    limits: Limits
    isolate: bool
    setup: str
    """pipeline.grading_setup on the instructor's machine: a worker with other versions refuses."""


def remote_job(
    submission: Submission,
    exercise: str,
    release: str,
    languages: tuple[str, ...],
    limits: Limits,
    isolate: bool,
    setup: str,
) -> RemoteJob:
    """The job for `submission`: its notebook read now, as bytes."""
    return RemoteJob(
        student_id=submission.student_id,
        source=submission.source,
        language=submission.language,
        sha256=submission.sha256,
        raw_id=submission.raw_id,
        notes=tuple(submission.notes),
        notebook=submission.path.read_bytes(),
        exercise=exercise,
        release=release,
        languages=languages,
        limits=limits,
        isolate=isolate,
        setup=setup,
    )


# --- the release, packed once ------------------------------------------------------------------------


def release_files(exercise: Exercise) -> list[Path]:
    """What the fingerprint covers: each language's notebook and the released files."""
    return [*(exercise.notebook(lang) for lang in exercise.languages), *exercise.shared_files()]


def pack_release(exercise: Exercise) -> bytes:
    """The release's files as a gzip'd tar; the same files give the same bytes (links followed:
    `cxcheck.py` is a link to the course's shared copy)."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as zipped, tarfile.open(fileobj=zipped, mode="w") as tar:
        for path in release_files(exercise):
            data = path.read_bytes()
            info = tarfile.TarInfo(path.relative_to(exercise.source).as_posix())
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def unpack_release(packed: bytes, exercise_id: str, fingerprint: str, cache: Path) -> Exercise:
    """The release in `cache/<fingerprint>/<exercise id>/`, unpacked once; raises WorkerUnfit when
    its files do not give the fingerprint they were sent with."""
    if not SAFE_ID.fullmatch(exercise_id) or not SAFE_FINGERPRINT.fullmatch(fingerprint):
        raise WorkerUnfit(f"not an exercise id and fingerprint: {exercise_id!r}, {fingerprint!r}")
    folder = cache / fingerprint
    if not folder.is_dir():
        partial = cache / f".{fingerprint}-{uuid.uuid4().hex[:8]}"
        with tarfile.open(fileobj=io.BytesIO(packed), mode="r:gz") as tar:
            tar.extractall(partial / exercise_id, filter="data")  # plain files inside the folder only
        partial.rename(folder)
    exercise = Exercise(exercise_id, folder / exercise_id)
    if exercise.fingerprint() != fingerprint:
        shutil.rmtree(folder, ignore_errors=True)
        raise WorkerUnfit(f"the release arrived changed (fingerprint {exercise.fingerprint()}, not {fingerprint})")
    return exercise


def _release(packed: bytes) -> bytes:
    """The Dask task that holds the packed release: computed once, fetched once by each worker
    that grades, and computed again by the scheduler if every worker holding it dies."""
    return packed


# --- on a worker ---------------------------------------------------------------------------------------


def _warm_up() -> None:
    """In a new grading process: import what grading needs, if the fork server has not already."""
    import grader.grading.autograde  # noqa: F401
    import grader.grading.nbgrader_driver  # noqa: F401


def _fork_server() -> multiprocessing.context.ForkServerContext:
    """Grading processes are forked by multiprocessing's fork server, not by the worker: a Dask
    worker has threads (one may hold a lock a forked child would wait for), sockets and an event
    loop that a grading process must not inherit. The server imports the grader once (nbgrader
    and nbformat's validators cost seconds of CPU), so a new grading process costs milliseconds."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["grader.grading.autograde"])
    return context


def _start_grading_process(worker: int) -> None:
    """In each grading process (autograde._start_worker, then): end with the worker. A process
    forked by the fork server holds pipes that keep the server and its siblings alive after the
    worker is killed, so it watches the worker itself (a pidfd becomes readable when it ends)."""
    from grader.grading.autograde import _start_worker

    _start_worker()
    try:
        watched = os.pidfd_open(worker)
    except ProcessLookupError:
        os._exit(70)

    def watch() -> None:
        select.select([watched], [], [])
        os._exit(70)

    threading.Thread(target=watch, name="cx-grader-watch", daemon=True).start()


class _Pool:
    """A few grading processes, started together."""

    def __init__(self, size: int) -> None:
        self.executor = ProcessPoolExecutor(
            size, mp_context=_fork_server(), initializer=_start_grading_process, initargs=(os.getpid(),)
        )
        # Each submit starts a process while none is idle: `size` submits start them all now.
        self.warming = [self.executor.submit(_warm_up) for _ in range(size)]

    def wait(self) -> _Pool:
        """Wait until the processes are ready (they start side by side with whatever the worker
        does meanwhile: nbgrader's templates, the warm-kernel process)."""
        for future in self.warming:
            future.result()
        return self

    def processes(self) -> list[multiprocessing.process.BaseProcess]:
        # concurrent.futures keeps its processes there; it has no public way to end them at once.
        return list(getattr(self.executor, "_processes", {}).values())

    def close(self) -> None:
        """Kill the processes (a job in flight is given up) and let the executor go."""
        for process in self.processes():
            with contextlib.suppress(Exception):
                process.kill()
        self.executor.shutdown(wait=False, cancel_futures=True)


def _versions() -> dict[str, str]:
    found = {}
    for package in VERSIONED:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "none"
    return found


def _other_setup(limits: Limits, isolate: bool, setup: str) -> str | None:
    """Why this worker's setup is not the instructor's (a score depends on the versions), or None."""
    from grader.pipeline import grading_setup

    if grading_setup(limits, isolate) == setup:
        return None
    described = ", ".join(f"{k} {v}" for k, v in _versions().items())
    return f"other versions of the grader than the instructor's machine ({described})"


def worker_problem(limits: Limits, isolate: bool, setup: str) -> str | None:
    """Why this machine cannot grade the batch (other versions of the grader, no isolation), or
    None. Run on every worker before a batch starts."""
    return _other_setup(limits, isolate, setup) or (probe() if isolate else None)


async def _worker_problem(limits: Limits, isolate: bool, setup: str) -> str | None:
    """worker_problem in a thread of the worker: Client.run calls a function in the worker's event
    loop, and this one imports nbgrader and runs bubblewrap."""
    return await asyncio.get_running_loop().run_in_executor(None, worker_problem, limits, isolate, setup)


@dataclass
class _WorkerSession:
    """One (release, setup) on one worker: the grading session and its process pool."""

    state: _WorkerState
    stack: ExitStack
    session: Session
    pool: _Pool
    restarts_left: int
    """Restarts of the warm-kernel process left (pipeline.ZYGOTE_RESTARTS for the session's lifetime)."""
    numbers: Iterator[int] = field(default_factory=itertools.count)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add_languages(self, languages: Iterable[str]) -> None:
        with self.lock:
            missing = set(languages) - set(self.session.templates)
            if missing:
                from grader.pipeline import prepare_templates

                work = self.session.jobs.parent
                self.session.templates.update(prepare_templates(self.session.exercise, missing, work))

    def grade(self, job: RemoteJob) -> Result:
        from grader.grading.autograde import GRADER_STOPPED
        from grader.pipeline import TRIES

        path = self.state.incoming / f"{next(self.numbers)}.ipynb"
        path.write_bytes(job.notebook)
        submission = Submission(
            student_id=job.student_id,
            path=path,
            source=job.source,
            language=job.language,
            submitted_at="",
            sha256=job.sha256,
            notes=list(job.notes),
            raw_id=job.raw_id,
        )
        try:
            # As pipeline.grade_jobs: a warm-kernel process that died is started again, and the
            # notebooks it took down are graded again (not their fault).
            for attempt in range(1, TRIES + 1):
                result = self._run(submission)
                if result.message != GRADER_STOPPED or attempt == TRIES or not self._zygote_back():
                    return result
            return result
        finally:
            path.unlink(missing_ok=True)

    def _zygote_back(self) -> bool:
        with self.lock:
            warm = self.session.warm
            if warm.alive():
                return True  # another thread started it again already
            if self.restarts_left <= 0:
                return False
            self.restarts_left -= 1
            try:
                self.state.in_owner(warm.restart)
            except (IsolationUnavailable, RuntimeError, OSError):
                self.restarts_left = 0
                return False
            return True

    def _run(self, submission: Submission) -> Result:
        from grader.grading.autograde import _worker_crash, grade_submission

        job = self.session.job(submission, next(self.numbers))
        pool = self.pool
        try:
            return pool.executor.submit(grade_submission, job).result()
        except BrokenProcessPool:
            if self.state.closing:
                raise Reschedule() from None
            self._replace(pool)
            return self._alone(submission)
        except Exception as error:  # noqa: BLE001 - as LocalExecutor: charged to this notebook alone
            return _worker_crash(job, error)
        finally:
            shutil.rmtree(job.folder, ignore_errors=True)

    def _replace(self, broken: _Pool) -> None:
        with self.lock:
            if self.pool is broken:
                self.pool = _Pool(self.state.slots).wait()
        broken.close()

    def _alone(self, submission: Submission) -> Result:
        """As LocalExecutor: a notebook whose grading process died with others is graded again in a
        process of its own; only if it breaks that one too is the crash its own."""
        from grader.grading.autograde import _worker_crash, grade_submission

        job = self.session.job(submission, next(self.numbers))
        pool = _Pool(1).wait()
        try:
            return pool.executor.submit(grade_submission, job).result()
        except BrokenProcessPool:
            return _worker_crash(job)
        finally:
            pool.close()
            shutil.rmtree(job.folder, ignore_errors=True)

    def close(self) -> None:
        """Quickly (a closing worker is given a few seconds): the grading processes and the
        warm-kernel process are killed (its kernels die with it), then the folders go."""
        self.pool.close()
        process = self.session.warm.process
        if process is not None:
            process.kill()
        self.stack.close()


class _WorkerState:
    """What the plugin keeps on one worker: a work folder (the releases' cache, incoming notebooks),
    the grading sessions, and the owner thread.

    The warm-kernel process is started, and started again, from the owner thread: Linux's
    parent-death signal, which makes it die with the worker, follows the thread that started it,
    and the threads Dask runs tasks in are Dask's to end."""

    def __init__(self, slots: int) -> None:
        from grader.pipeline import WORK_PREFIX

        # A Dask nanny starts its worker as a daemonic process, and multiprocessing refuses children
        # to one (they would outlive it): ours die with the worker or in teardown.
        if multiprocessing.current_process().daemon:
            multiprocessing.current_process().daemon = False
        self.slots = max(1, slots)
        # The folder's name and `owner` file let pipeline.remove_stale_work_folders clean up after a
        # worker that was killed: it holds solutions.
        self.folder = Path(tempfile.mkdtemp(prefix=WORK_PREFIX))
        (self.folder / "owner").write_text(str(os.getpid()))
        self.releases = self.folder / "releases"
        self.incoming = self.folder / "incoming"
        self.releases.mkdir()
        self.incoming.mkdir()
        self.owner = ThreadPoolExecutor(1, thread_name_prefix="cx-grader-owner")
        self.sessions: dict[tuple[str, str], _WorkerSession] = {}
        self.lock = threading.Lock()
        self.closing = False
        atexit.register(self.close)

    def in_owner(self, function: Callable[..., T], *args: Any) -> T:
        return self.owner.submit(function, *args).result()

    def session(self, job: RemoteJob, packed: bytes) -> _WorkerSession:
        with self.lock:
            if self.closing:
                raise Reschedule()
            key = (job.release, job.setup)
            found = self.sessions.get(key)
            if found is None:
                found = self._open(job, packed)
                self.sessions[key] = found
        found.add_languages(job.languages)
        return found

    def _open(self, job: RemoteJob, packed: bytes) -> _WorkerSession:
        problem = _other_setup(job.limits, job.isolate, job.setup)
        if problem:
            raise WorkerUnfit(problem)
        if job.isolate:
            try:
                require_isolation()
            except IsolationUnavailable as error:
                raise WorkerUnfit(str(error)) from None
        started = time.monotonic()
        exercise = unpack_release(packed, job.exercise, job.release, self.releases)
        from grader.pipeline import ZYGOTE_RESTARTS, grading_session

        stack = ExitStack()

        def start() -> Session:
            # The session's folder, templates and warm-kernel process, as in a local batch.
            languages = set(job.languages)
            return stack.enter_context(grading_session(exercise, languages, job.limits, job.isolate, (self.folder,)))

        pool = _Pool(self.slots)
        try:
            session = self.in_owner(start)
            pool.wait()
        except IsolationUnavailable as error:
            pool.close()
            stack.close()
            raise WorkerUnfit(str(error)) from None
        except BaseException:
            pool.close()
            stack.close()
            raise
        log.info(
            "cx-grader: grading session for %s (release %s, setup %s) ready in %.1f s",
            job.exercise,
            job.release,
            job.setup,
            time.monotonic() - started,
        )
        return _WorkerSession(self, stack, session, pool, ZYGOTE_RESTARTS)

    def close(self) -> None:
        with self.lock:
            if self.closing:
                return
            self.closing = True
            sessions = list(self.sessions.values())
            self.sessions.clear()
        for session in sessions:
            with contextlib.suppress(Exception):
                session.close()
        shutil.rmtree(self.folder, ignore_errors=True)
        self.owner.shutdown(wait=False)


class GradingPlugin(WorkerPlugin):
    """Registered once on the cluster by the first batch (and on every worker that joins later):
    keeps the worker's grading sessions for its lifetime and removes them when it closes."""

    idempotent = True
    name = PLUGIN_NAME

    def setup(self, worker: Any) -> None:
        self.slots = worker.state.nthreads
        self.lock = threading.Lock()
        self.opened: _WorkerState | None = None
        self.closed = False

    def state(self) -> _WorkerState:
        """The worker's grading state, made by its first job (in a task's thread)."""
        with self.lock:
            if self.closed:
                raise Reschedule()
            if self.opened is None:
                self.opened = _WorkerState(self.slots)
            return self.opened

    async def teardown(self, worker: Any) -> None:
        with self.lock:
            self.closed = True
            opened, self.opened = self.opened, None
        if opened is not None:  # in a thread: the worker's event loop goes on while it closes
            await asyncio.get_running_loop().run_in_executor(None, opened.close)


def grade_remote(job: RemoteJob, packed: bytes) -> dict[str, Any]:
    """The Dask task: grade one notebook on this worker; the result as data."""
    worker = get_worker()
    plugin = worker.plugins.get(PLUGIN_NAME)
    if not isinstance(plugin, GradingPlugin):
        raise WorkerUnfit("the cx-grader plugin is not installed on this worker")
    result = plugin.state().session(job, packed).grade(job)
    return {"result": json.loads(result.to_json()), "worker": worker.address, "threads": worker.state.nthreads}


# --- on the instructor's machine ----------------------------------------------------------------------


def not_graded(submission: Submission, exercise: Exercise, setup: str, isolate: bool, why: str) -> Result:
    """A failed result for a notebook the cluster could not grade, with the fields a worker's
    failed result has (autograde._failed), and a message that does not blame the notebook."""
    return Result(
        student_id=submission.student_id,
        exercise=exercise.id,
        language=submission.language,
        score=0.0,
        max_score=exercise.max_score(submission.language),
        status=Status.FAILED,
        message=NOT_GRADED.format(why=bounded(why)),
        source=submission.source,
        sha256=submission.sha256,
        release=exercise.fingerprint(),
        notes=list(submission.notes),
        isolated=isolate,
        raw_id=submission.raw_id,
        setup=setup,
    )


def _reach(address: str) -> None:
    """Raises OSError at once when nothing listens at a tcp:// or tls:// address: Dask's client
    would retry a refused connection until its timeout before saying so."""
    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        return  # Dask names what is wrong with the address
    if parts.scheme in ("tcp", "tls") and host and port:
        socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S).close()


class DaskExecutor:
    """Grades a batch's submissions on a Dask cluster (use as a context manager: it connects on
    entry). The role LocalExecutor plays for a local batch; `workers_used` then maps the address
    of every worker that graded a notebook to its number of threads."""

    def __init__(self, scheduler: str) -> None:
        self.scheduler = scheduler
        self.client: Client | None = None
        self.workers_used: dict[str, int] = {}
        self._threads = 1

    def __enter__(self) -> DaskExecutor:
        try:
            _reach(self.scheduler)
            self.client = Client(self.scheduler, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as error:
            raise ClusterUnavailable(f"cannot reach the Dask scheduler at {self.scheduler}: {bounded(error)}") from None
        return self

    def __exit__(self, *exc: object) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None

    @property
    def threads(self) -> int:
        """The cluster's threads now (notebooks graded side by side); the last count known while
        the scheduler does not answer (its futures then come back cancelled, as not graded)."""
        assert self.client is not None
        with contextlib.suppress(Exception):
            self._threads = sum(self.client.nthreads().values()) or self._threads
        return self._threads

    def _prepare(self, limits: Limits, isolate: bool, setup: str) -> None:
        """Workers that can grade this batch, each with the plugin; else ClusterUnavailable."""
        client = self.client
        assert client is not None
        try:
            client.wait_for_workers(1, timeout=WAIT_FOR_WORKERS_S)
        except TimeoutError:
            raise ClusterUnavailable(
                f"no Dask worker joined the scheduler at {self.scheduler} within {WAIT_FOR_WORKERS_S} s"
            ) from None
        answers = client.run(_worker_problem, limits, isolate, setup, on_error="return")
        problems = [
            f"{address}: {bounded(answer)}"
            for address, answer in sorted(answers.items())
            if isinstance(answer, BaseException) or answer
        ]
        if problems:
            raise ClusterUnavailable(
                "these Dask workers cannot grade this batch (each needs cx-course[grader,cluster] in the same "
                "versions as here, and, unless --no-isolation, root and bubblewrap): " + "; ".join(problems)
            )
        try:
            client.register_plugin(GradingPlugin(), name=PLUGIN_NAME)
        except Exception as error:  # noqa: BLE001 - whatever a worker raised while setting it up
            raise ClusterUnavailable(f"the Dask workers could not set up grading: {bounded(error)}") from None

    def grade(
        self, submissions: list[Submission], exercise: Exercise, limits: Limits, isolate: bool, setup: str
    ) -> Iterator[Result]:
        """Grade `submissions` on the cluster; yields each result as it comes back. A few jobs per
        thread of the cluster are in flight at a time, so that the notebooks of a large batch are
        never all in memory at once (here or on the scheduler)."""
        client = self.client
        assert client is not None
        self._prepare(limits, isolate, setup)
        fingerprint = exercise.fingerprint()
        release = client.submit(_release, pack_release(exercise), key=f"cx-release-{fingerprint}", pure=False)
        languages = tuple(sorted({s.language for s in submissions}))
        batch = uuid.uuid4().hex[:8]
        pending = list(reversed(list(enumerate(submissions))))
        in_flight: dict[Any, Submission] = {}
        completed = as_completed(loop=client.loop)

        def submit_next() -> None:
            number, submission = pending.pop()
            job = remote_job(submission, exercise.id, fingerprint, languages, limits, isolate, setup)
            future = client.submit(grade_remote, job, release, key=f"cx-grade-{exercise.id}-{batch}-{number}")
            in_flight[future] = submission
            completed.add(future)

        def refill() -> None:
            window = max(2, 2 * self.threads)
            while pending and len(in_flight) < window:
                submit_next()

        refill()
        for future in completed:
            submission = in_flight.pop(future)
            try:
                answer = future.result()
                result = Result.from_dict(answer["result"])
                self.workers_used[answer["worker"]] = answer["threads"]
            except Exception as error:  # noqa: BLE001 - a worker's trouble, never the student's
                why = str(error) if isinstance(error, WorkerUnfit) else f"{type(error).__name__}: {error}"
                result = not_graded(submission, exercise, setup, isolate, why)
            future.release()
            refill()
            yield result
        release.release()

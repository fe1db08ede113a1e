"""Warm kernels: a "zygote" process that has already imported ipykernel, pandas and numpy forks
one kernel per notebook, so no notebook pays ~1 s of CPU for those imports again; each fork is
then isolated (grader/kernels/isolation.py) before it runs anything of the student's.

`python -m grader.kernels.zygote SOCKET JOBS [--isolate] [limits]` is the zygote. Single-threaded (fork
and threads do not mix): one select loop reads launch requests on a Unix socket (from
grader/kernels/launcher.py), forks a kernel for each, reports its exit status, and enforces the
notebook's wall-clock limit. A request names the kernel's role (student or check), its folder,
which must be a job folder, and its connection details (IPC transport, sockets in that folder).
A request that is malformed, too large or slow is answered with an error and closed; nothing a
client sends can stop the loop.

With `--isolate` the zygote runs inside bubblewrap (see `Zygote`), and checks at start that it
can build a kernel's namespaces; it prints `ready` or `error: <reason>`.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from grader.kernels.isolation import (
    IsolationUnavailable,
    SandboxPaths,
    bwrap_command,
    confine,
    die_with_parent,
    inside,
    kernel_uid,
)
from grader.kernels.sandbox import (
    KERNEL_OPTIONS,
    ROLES,
    Limits,
    apply_limits,
    base_environment,
    kernel_environment,
    limits_from,
    limits_parser,
    write_kernelspecs,
)

PRELOAD = ("ipykernel.kernelapp", "ipykernel.ipkernel", "IPython", "numpy", "pandas", "grader.grading.answers")
# Run in a throw-away kernel at start, so that the modules a kernel imports to start and to run a
# cell are imported once, here, rather than in every kernel (about 0.3 s of CPU each).
WARM_UP_CELL = "import pandas as pd\n_ = pd.DataFrame({'a': [1.5]}).groupby('a').size().to_dict()\n1/0"
REQUEST_BYTES = 64 * 1024
REQUEST_SECONDS = 5.0


@dataclass
class _Client:
    connection: socket.socket
    opened: float
    buffer: bytes = b""
    pid: int = 0
    started: float = 0.0
    uid: int = 0


@dataclass
class _Settings:
    jobs: Path
    isolate: bool
    limits: Limits
    base_environment: dict[str, str] = field(default_factory=dict)


def _send(connection: socket.socket, message: dict) -> None:
    with contextlib.suppress(OSError):
        connection.sendall(json.dumps(message).encode() + b"\n")


def validate(request: object, settings: _Settings) -> str | None:
    """Why a launch request cannot be served, or None."""
    if not isinstance(request, dict):
        return "not a request"
    if request.get("role") not in ROLES.values():
        return "unknown role"
    cwd = request.get("cwd")
    folder = Path(os.path.normpath(cwd)) if isinstance(cwd, str) else settings.jobs
    if folder == settings.jobs or not inside(folder, settings.jobs):
        return "the kernel's folder is not a job folder"
    info = request.get("connection")
    if not isinstance(info, dict) or not isinstance(info.get("key"), str):
        return "no connection details"
    if settings.isolate:
        ip = info.get("ip")
        if info.get("transport") != "ipc" or not isinstance(ip, str):
            return "an isolated kernel needs the IPC transport"
        sockets = Path(os.path.normpath(ip))
        if sockets == folder or not inside(sockets, folder):
            return "the kernel's sockets must be in its folder"
    return None


def _kernel(request: dict, settings: _Settings, uid: int) -> None:
    """In the forked child: become a kernel for `request`. Never returns."""
    try:
        signal.set_wakeup_fd(-1)
        for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, signal.SIG_DFL)
        os.closerange(3, 65536)  # the zygote's sockets are not the kernel's business
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        os.close(devnull)
        os.setsid()
        die_with_parent()
        cwd = Path(os.path.normpath(request["cwd"]))
        limits = settings.limits
        if settings.isolate:
            confine(cwd, settings.jobs, uid, limits.file_mb)  # returns in the kernel, as `uid`
            home = Path("/tmp/home")
        else:
            home = cwd.parent / f".home-{cwd.name}"
        home.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.environ.clear()
        os.environ.update(kernel_environment(settings.base_environment, home, request["role"]))
        os.chdir(cwd)
        connection_file = home / "kernel.json"
        connection_file.write_text(json.dumps(request["connection"]), encoding="utf-8")
        apply_limits(limits, own_user=settings.isolate)
        import random

        import numpy

        # A fork copies the zygote's random state: give every kernel its own, as a fresh one has.
        random.seed()
        numpy.random.seed(None)
        from ipykernel.kernelapp import IPKernelApp

        IPKernelApp.launch_instance(argv=["-f", str(connection_file), *KERNEL_OPTIONS])
        os._exit(0)
    except SystemExit as exit_:
        os._exit(exit_.code if isinstance(exit_.code, int) else 0)
    except BaseException:
        os._exit(70)


def self_test(settings: _Settings) -> str | None:
    """Build one kernel's namespaces (without a kernel) and see that it holds: None when it does."""
    probe = settings.jobs / ".probe"
    probe.mkdir(exist_ok=True)
    (settings.jobs / ".other").mkdir(exist_ok=True)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            confine(probe, settings.jobs, kernel_uid(0), 1)
            others = sorted(os.listdir(settings.jobs))
            problem = "" if others == [".probe"] and os.getuid() == kernel_uid(0) else f"sees {others}"
        except BaseException as error:  # noqa: BLE001 - reported to the grader, which refuses to grade
            problem = f"{type(error).__name__}: {error}"
        os.write(write, problem.encode()[:500])
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as stream:
        problem = stream.read().decode()
    os.waitpid(pid, 0)
    shutil.rmtree(probe, ignore_errors=True)
    shutil.rmtree(settings.jobs / ".other", ignore_errors=True)
    return problem or None


class _Server:
    def __init__(self, socket_path: str, settings: _Settings) -> None:
        self.settings = settings
        self.selector = selectors.DefaultSelector()
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(socket_path)
        os.chmod(socket_path, 0o600)
        self.listener.listen(64)
        self.listener.setblocking(False)
        self.selector.register(self.listener, selectors.EVENT_READ)
        self.clients: dict[socket.socket, _Client] = {}
        self.by_pid: dict[int, _Client] = {}
        self.next_slot = 0
        # A signal must wake the select loop (children exiting), without a thread.
        self.wake_read, wake_write = os.pipe()
        os.set_blocking(wake_write, False)
        os.set_blocking(self.wake_read, False)
        signal.set_wakeup_fd(wake_write)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        self.selector.register(self.wake_read, selectors.EVENT_READ)

    def _uid(self) -> int:
        used = {client.uid for client in self.by_pid.values()}
        while True:
            uid = kernel_uid(self.next_slot)
            self.next_slot += 1
            if uid not in used:
                return uid

    def _close(self, client: _Client) -> None:
        with contextlib.suppress(KeyError, ValueError):
            self.selector.unregister(client.connection)
        self.clients.pop(client.connection, None)
        if client.pid:
            self.by_pid.pop(client.pid, None)
            _kill(client.pid)
        client.connection.close()

    def _accept(self) -> None:
        with contextlib.suppress(BlockingIOError, InterruptedError):
            while True:
                connection, _ = self.listener.accept()
                connection.setblocking(False)
                self.clients[connection] = _Client(connection, time.monotonic())
                self.selector.register(connection, selectors.EVENT_READ)

    def _read(self, client: _Client) -> None:
        try:
            chunk = client.connection.recv(4096)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            chunk = b""
        if not chunk:  # the launcher is gone (killed, or never finished its request)
            self._close(client)
            return
        if client.pid:
            return  # nothing more is expected from a launcher once its kernel runs
        client.buffer += chunk
        if b"\n" not in client.buffer:
            if len(client.buffer) > REQUEST_BYTES:
                self._refuse(client, "request too large")
            return
        line = client.buffer.split(b"\n", 1)[0]
        try:
            request = json.loads(line)
        except ValueError:
            self._refuse(client, "not JSON")
            return
        problem = validate(request, self.settings)
        if problem:
            self._refuse(client, problem)
            return
        self._start(client, request)

    def _refuse(self, client: _Client, reason: str) -> None:
        _send(client.connection, {"error": reason})
        self._close(client)

    def _start(self, client: _Client, request: dict) -> None:
        uid = self._uid()
        pid = os.fork()
        if pid == 0:
            _kernel(request, self.settings, uid)
        client.pid, client.started, client.uid = pid, time.monotonic(), uid
        self.by_pid[pid] = client
        _send(client.connection, {"pid": pid})

    def _reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            client = self.by_pid.pop(pid, None)
            if client is None:
                continue
            client.pid = 0
            _send(client.connection, {"exit": os.waitstatus_to_exitcode(status)})
            self._close(client)

    def _enforce_deadlines(self) -> None:
        now = time.monotonic()
        wall_s = self.settings.limits.notebook_timeout_s
        for client in list(self.clients.values()):
            if client.pid and now - client.started > wall_s:
                _kill(client.pid)  # reaped (and reported to its launcher) on the next turn
            elif not client.pid and now - client.opened > REQUEST_SECONDS:
                self._refuse(client, "no request in time")

    def serve(self) -> None:
        try:
            while True:
                for key, _ in self.selector.select(timeout=0.5):
                    if key.fileobj is self.listener:
                        self._accept()
                    elif key.fileobj == self.wake_read:
                        with contextlib.suppress(BlockingIOError):
                            os.read(self.wake_read, 4096)
                    else:
                        client = self.clients.get(key.fileobj)  # type: ignore[call-overload]
                        if client:
                            self._read(client)
                self._reap()
                self._enforce_deadlines()
        finally:
            for pid in list(self.by_pid):
                _kill(pid)


def _stop(_signum, _frame) -> None:
    raise SystemExit(0)


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _modules_a_kernel_imports(settings: _Settings) -> list[str]:
    """The modules a kernel imports as it starts and runs a cell, found in a forked child."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read)
            devnull = os.open(os.devnull, os.O_RDWR)
            for fd in (1, 2):
                os.dup2(devnull, fd)
            folder = Path(tempfile.mkdtemp(prefix="cx-warm-"))
            os.environ.update(HOME=str(folder), IPYTHONDIR=str(folder / ".ipython"))
            info: dict[str, str | int] = {
                "transport": "ipc",
                "ip": str(folder / "k"),
                "key": "warm-up",
                "signature_scheme": "hmac-sha256",
            }
            info.update({f"{name}_port": n for n, name in enumerate(("shell", "iopub", "stdin", "control", "hb"), 1)})
            (folder / "kernel.json").write_text(json.dumps(info))
            before = set(sys.modules)
            from ipykernel.kernelapp import IPKernelApp

            app = IPKernelApp.instance()
            app.initialize(argv=["-f", str(folder / "kernel.json"), *KERNEL_OPTIONS])
            app.shell.run_cell(WARM_UP_CELL, store_history=False)  # type: ignore[union-attr]
            os.write(write, "\n".join(sorted(set(sys.modules) - before)).encode())
            shutil.rmtree(folder, ignore_errors=True)
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as stream:
        names = stream.read().decode().split()
    os.waitpid(pid, 0)
    return names


def serve(socket_path: str, settings: _Settings) -> None:
    for module in PRELOAD:
        __import__(module)
    for module in _modules_a_kernel_imports(settings):
        with contextlib.suppress(Exception):
            __import__(module)
    signal.signal(signal.SIGTERM, _stop)
    if settings.isolate:
        problem = self_test(settings)
        if problem:
            print(f"error: a kernel's namespaces could not be built: {problem}", flush=True)
            return
    server = _Server(socket_path, settings)
    print("ready", flush=True)
    server.serve()


class Zygote:
    """A running zygote for one batch (use as a context manager): inside bubblewrap when
    `isolate`, else a plain process with the same limits. Its `folder` holds its socket, its log
    and the grading kernelspecs (put `folder` on JUPYTER_PATH)."""

    def __init__(
        self, folder: Path, jobs: Path, limits: Limits, isolate: bool, protected: tuple[Path, ...] = ()
    ) -> None:
        self.folder = folder
        self.jobs = jobs
        self.limits = limits
        self.isolate = isolate
        self.protected = protected
        self.socket_path = str(folder / "socket")
        self.process: subprocess.Popen | None = None

    def command(self) -> tuple[list[str], dict[str, str]]:
        environment = base_environment()
        # Inside the sandbox the folder above `grader` holds only `grader` (see isolation.py).
        environment["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)
        command = [
            sys.executable,
            "-m",
            "grader.kernels.zygote",
            self.socket_path,
            str(self.jobs),
            *self.limits.arguments(),
        ]
        if not self.isolate:
            return command, environment
        sandbox = bwrap_command(SandboxPaths(self.jobs, self.folder, self.protected), environment)
        return [*sandbox, *command, "--isolate"], {}

    def start(self) -> Zygote:
        """Start the zygote without waiting for it (it takes a second to warm up): see `wait`."""
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.jobs.mkdir(parents=True, exist_ok=True)
        command, environment = self.command()
        with (self.folder / "zygote.log").open("wb") as errors:
            self.process = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=errors, env=environment, start_new_session=True
            )
        return self

    def wait(self) -> Zygote:
        """Wait until the zygote serves kernels; raise IsolationUnavailable (or RuntimeError without
        isolation) with its reason when it cannot."""
        process = self.process
        if process is None or process.stdout is None:
            raise RuntimeError("the warm-kernel process was not started")
        ready = process.stdout.readline().decode(errors="replace").strip()
        if ready != "ready":
            process.kill()
            process.wait()
            log = (self.folder / "zygote.log").read_text(errors="replace").strip()
            detail = ready.removeprefix("error: ") or log[-500:] or "no message"
            self._clean()
            if self.isolate:
                raise IsolationUnavailable(f"student kernels cannot be isolated here: {detail}")
            raise RuntimeError(f"the warm-kernel process did not start: {detail}")
        write_kernelspecs(self.folder, self.socket_path)
        return self

    def __enter__(self) -> Zygote:
        if self.process is None:
            self.start()
        return self

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def _clean(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def _stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def restart(self) -> None:
        """Start again after the zygote died, at the same socket: the batch goes on. Raises as
        `wait` does when it cannot."""
        self._stop()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.socket_path)
        self.start().wait()

    def __exit__(self, *exc) -> None:
        self._stop()
        self._clean()


def answers(socket_path: str) -> bool:
    """Whether the zygote at `socket_path` still takes requests (a kernel that died with it is
    not the notebook's fault)."""
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(socket_path)
    except OSError:
        return False
    finally:
        connection.close()
    return True


def main(argv: list[str] | None = None) -> None:
    parser = limits_parser("Serve warm grading kernels.")
    parser.add_argument("socket")
    parser.add_argument("jobs", type=Path)
    parser.add_argument("--isolate", action="store_true")
    args = parser.parse_args(argv)
    die_with_parent()  # with the grader (or bubblewrap, which dies with the grader)
    settings = _Settings(Path(os.path.normpath(args.jobs)), args.isolate, limits_from(args), base_environment())
    serve(args.socket, settings)


if __name__ == "__main__":
    main()

"""Warm kernels: a "zygote" process that has already imported ipykernel, pandas and numpy forks
one kernel per notebook, so no notebook pays ~1 s of CPU for those imports again.

Most of a notebook's grading cost is not the student's code but starting Python, IPython and
pandas in a fresh kernel. On a 2-core machine that start-up caps what running notebooks side by
side can gain; forking from a warm process removes it.

Two roles:
- `python -m grader.zygote serve SOCKET [limits]`: the zygote. Single-threaded (fork and threads
  do not mix): one select loop accepts launch requests on a Unix socket, forks a kernel for each,
  reports its pid and, later, its exit status, and enforces the notebook's wall-clock limit.
- `python -m grader.zygote launch SOCKET -f CONNECTION_FILE`: what the kernelspec runs. Jupyter
  sees it as the kernel process: it asks the zygote for a kernel, forwards interrupts to it, and
  exits with the kernel's exit status. If it is killed, the zygote kills its kernel.
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
from pathlib import Path

PRELOAD = ("ipykernel.kernelapp", "ipykernel.ipkernel", "IPython", "numpy", "pandas")


# --- launcher ------------------------------------------------------------------------------------


def _send(connection: socket.socket, message: dict) -> None:
    connection.sendall(json.dumps(message).encode() + b"\n")


def _lines(connection: socket.socket):
    buffer = b""
    while True:
        chunk = connection.recv(4096)
        if not chunk:
            return
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            yield json.loads(line)


def launch(socket_path: str, connection_file: str) -> int:
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.connect(socket_path)
    _send(
        connection,
        {"connection_file": os.path.abspath(connection_file), "cwd": os.getcwd(), "env": dict(os.environ)},
    )
    messages = _lines(connection)
    kernel_pid = next(messages)["pid"]

    def forward(signum, _frame):
        with contextlib.suppress(ProcessLookupError):
            os.kill(kernel_pid, signum)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(signum, forward)
    for message in messages:
        if "exit" in message:
            return int(message["exit"])
    return 1  # the zygote went away


# --- zygote --------------------------------------------------------------------------------------


def _kernel_child(request: dict, limits, inherited: list) -> None:
    """In the forked child: become a sandboxed kernel. Never returns."""
    from grader.sandbox import KERNEL_OPTIONS, apply_limits, kernel_environment, quiet_stderr

    try:
        signal.set_wakeup_fd(-1)
        for handle in inherited:  # the zygote's sockets and pipe are not the kernel's business
            if isinstance(handle, int):
                os.close(handle)
            else:
                handle.close()
        os.setsid()
        for signum in (signal.SIGCHLD, signal.SIGTERM):
            signal.signal(signum, signal.SIG_DFL)
        devnull = os.open(os.devnull, os.O_RDWR)
        os.dup2(devnull, 0)
        os.dup2(devnull, 1)  # nobody reads the zygote's stdout after "ready"
        os.close(devnull)
        home = Path(tempfile.mkdtemp(prefix="cx-kernel-"))
        os.environ.clear()
        os.environ.update(kernel_environment(request["env"], home))
        os.chdir(request["cwd"])
        apply_limits(limits)
        quiet_stderr(home)
        import random

        import numpy

        # A fork copies the zygote's random state: give every kernel its own, as a fresh one has.
        random.seed()
        numpy.random.seed(None)
        from ipykernel.kernelapp import IPKernelApp

        IPKernelApp.launch_instance(argv=["-f", request["connection_file"], *KERNEL_OPTIONS])
        os._exit(0)
    except SystemExit as exit_:
        os._exit(exit_.code if isinstance(exit_.code, int) else 0)
    except BaseException:
        os._exit(70)


def serve(socket_path: str, limits) -> None:
    for module in PRELOAD:
        __import__(module)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(socket_path)
    listener.listen(64)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    kernels: dict[socket.socket, tuple[int, float]] = {}  # launcher connection -> (kernel pid, start)
    by_pid: dict[int, socket.socket] = {}
    # A signal must wake the select loop (children exiting), without a thread.
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    selector.register(wake_read, selectors.EVENT_READ)
    signal.signal(signal.SIGTERM, _stop)
    print("ready", flush=True)
    try:
        while True:
            for key, _ in selector.select(timeout=0.5):
                if key.fileobj is listener:
                    connection, _ = listener.accept()
                    request = next(_lines(connection))
                    pid = os.fork()
                    if pid == 0:
                        _kernel_child(request, limits, [listener, connection, wake_read, wake_write, *kernels])
                    _send(connection, {"pid": pid})
                    kernels[connection] = (pid, time.monotonic())
                    by_pid[pid] = connection
                    selector.register(connection, selectors.EVENT_READ)
                elif key.fileobj == wake_read:
                    os.read(wake_read, 4096)
                else:  # a launcher closed its end: it was killed, so its kernel goes too
                    connection = key.fileobj
                    selector.unregister(connection)
                    pid, _ = kernels.pop(connection)
                    by_pid.pop(pid, None)
                    _kill(pid)
                    connection.close()
            _reap(kernels, by_pid, selector)
            _enforce_wall_clock(kernels, limits.notebook_timeout_s)
    finally:
        for pid, _ in kernels.values():
            _kill(pid)


def _stop(_signum, _frame) -> None:
    raise SystemExit(0)


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _reap(kernels: dict, by_pid: dict, selector: selectors.BaseSelector) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        connection = by_pid.pop(pid, None)
        if connection is None:
            continue
        kernels.pop(connection, None)
        selector.unregister(connection)
        with contextlib.suppress(OSError):
            _send(connection, {"exit": os.waitstatus_to_exitcode(status)})
        connection.close()


def _enforce_wall_clock(kernels: dict, wall_s: int) -> None:
    now = time.monotonic()
    for pid, started in list(kernels.values()):
        if now - started > wall_s:
            _kill(pid)  # reaped (and reported to its launcher) on the next turn of the loop


class Zygote:
    """A running zygote for one batch; use as a context manager."""

    def __init__(self, folder: Path, limits) -> None:
        self.folder = folder
        self.limits = limits
        # Unix socket paths are limited to about 100 bytes: keep it short, outside the output folder.
        self.socket_path = str(Path(tempfile.mkdtemp(prefix="cxz-")) / "socket")
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Zygote:
        from grader.sandbox import kernel_environment

        self.folder.mkdir(parents=True, exist_ok=True)
        home = Path(tempfile.mkdtemp(prefix="cx-zygote-"))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "grader.zygote", "serve", self.socket_path, *self.limits.arguments()],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=kernel_environment(dict(os.environ), home),
            start_new_session=True,
        )
        ready = self.process.stdout.readline().strip()
        if ready != b"ready":
            self.process.kill()
            raise RuntimeError("the warm-kernel process did not start")
        return self

    def kernelspec(self) -> Path:
        from grader.sandbox import kernelspec

        return kernelspec(self.folder, [sys.executable, "-m", "grader.zygote", "launch", self.socket_path])

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(Path(self.socket_path).parent, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    role = argv.pop(0) if argv else ""
    if role == "launch" and len(argv) >= 3 and argv[1] == "-f":
        sys.exit(launch(argv[0], argv[2]))
    if role == "serve" and argv:
        from grader.sandbox import limits_from, limits_parser

        parser = limits_parser("Serve warm kernels.")
        parser.add_argument("socket")
        serve_args = parser.parse_args(argv[1:] + [argv[0]])
        serve(serve_args.socket, limits_from(serve_args))
        return
    sys.exit("usage: python -m grader.zygote serve SOCKET [limits] | launch SOCKET -f CONNECTION_FILE")


if __name__ == "__main__":
    main()

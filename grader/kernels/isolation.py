"""Where student code runs: namespaces that show a kernel its own folder and nothing else.

Two layers, so that one mistake in either still leaves the other:

1. **The sandbox** (bubblewrap): the warm-kernel process (grader/kernels/zygote.py) runs under `bwrap`
   with its own PID, network, IPC and UTS namespaces and a mount namespace that holds the
   interpreter read-only (`/usr`, Python's prefix, the virtual environment, the `grader` package),
   a minimal `/dev`, a private `/tmp`, the batch's job folders and the zygote's socket folder, and
   nothing else: no `solutions/`, no output folder, no home folder, no host `/proc`, no network.
2. **The kernel's own cell** (`confine`, run in each forked kernel before any student code): new
   mount, PID, network, IPC and UTS namespaces again, in which the job folders are replaced by an
   empty tmpfs holding only this kernel's folder (same path as on the host, so Jupyter's IPC
   sockets work on both sides), a private `/tmp` and `/dev/shm`, a `/proc` that shows only its
   own processes; then the kernel drops to a user id of its own (so the process limit counts its
   processes alone, and it cannot touch another kernel's files), with no capabilities, no way to
   gain privileges, and the resource limits. The kernel is PID 1 of its namespace: when it ends,
   every process it started ends too.

Root is needed for layer 2 (user ids of its own, new namespaces inside the sandbox); `probe()`
says why isolation is unavailable, and the grader refuses to run unless the instructor chose
`--no-isolation`.
"""

from __future__ import annotations

import ctypes
import os
import select
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_NOEXEC = 0x8
MS_BIND = 0x1000
MS_REC = 0x4000
MS_PRIVATE = 0x40000
MNT_DETACH = 0x2
PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS = 38

# Where a kernel's own folder waits while the job folders are hidden (created by bwrap).
STASH = "/.cx-own"
# Kernels run as user ids of their own, from this range (far above any real account).
FIRST_KERNEL_UID = 610_000
KERNEL_UIDS = 4096
# What the zygote needs, on top of a process that has none: namespaces and mounts (SYS_ADMIN),
# giving a kernel its own user id (SETUID, SETGID) and its folder (CHOWN).
CAPABILITIES = ("CAP_SYS_ADMIN", "CAP_SETUID", "CAP_SETGID", "CAP_CHOWN")
# Files of /etc that Python, numpy and pandas read; nothing else of /etc is visible.
ETC_FILES = ("ld.so.cache", "localtime", "timezone", "passwd", "group", "nsswitch.conf", "mime.types")

_libc = ctypes.CDLL(None, use_errno=True)


class IsolationUnavailable(RuntimeError):
    """Namespaces cannot be created here; the message says how to fix it."""


def _check(result: int, what: str) -> None:
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    _check(
        _libc.mount(
            source.encode() if source else None,
            target.encode(),
            fstype.encode() if fstype else None,
            ctypes.c_ulong(flags),
            data.encode() if data else None,
        ),
        f"mount {target}",
    )


def _unshare(flags: int) -> None:
    _check(_libc.unshare(ctypes.c_int(flags)), "unshare")


def _prctl(option: int, value: int) -> None:
    _check(_libc.prctl(ctypes.c_int(option), ctypes.c_ulong(value), 0, 0, 0), "prctl")


# --- layer 1: the bubblewrap sandbox ---------------------------------------------------------------


@dataclass(frozen=True)
class SandboxPaths:
    """What the sandbox shows besides the interpreter."""

    jobs: Path
    """The batch's job folders (read-write): each kernel will see only its own."""
    sockets: Path
    """The zygote's socket folder (read-write)."""
    protected: tuple[Path, ...] = ()
    """Folders that must not be visible even if the interpreter's search path names them
    (solutions, the output folder)."""


def inside(path: Path, folder: Path) -> bool:
    """Whether `path` is `folder` or lies in it."""
    return path == folder or folder in path.parents


def interpreter_paths(protected: tuple[Path, ...] = ()) -> list[Path]:
    """The folders a kernel needs to read to start Python, ipykernel, pandas and `grader`: Python's
    prefixes (the installation, the virtual environment, their site-packages) and the `grader`
    package. Nothing else of the interpreter's search path: it may name the folder the grader was
    started from, which can hold submissions, tests or the course."""
    import site

    import grader

    roots = {Path(p).resolve() for p in (sys.base_prefix, sys.prefix, sys.exec_prefix)}
    roots |= {Path(p).resolve() for p in site.getsitepackages() if Path(p).is_dir()}
    if site.ENABLE_USER_SITE and Path(site.getusersitepackages()).is_dir():
        roots.add(Path(site.getusersitepackages()).resolve())
    roots.add(Path(grader.__file__).resolve().parent)
    for root in roots:
        for path in protected:
            if inside(path.resolve(), root):
                raise IsolationUnavailable(
                    f"{root} holds {path}: kernels would see it; keep the Python environment out of the course "
                    "and output folders"
                )
    # Keep only the outermost of nested folders.
    return sorted(p for p in roots if not any(q != p and inside(p, q) for q in roots))


def bwrap_command(paths: SandboxPaths, environment: dict[str, str]) -> list[str]:
    """The `bwrap` arguments (up to `--`) of the sandbox that the zygote runs in."""
    bwrap = shutil.which("bwrap")
    if not bwrap:
        raise IsolationUnavailable(
            "bubblewrap (bwrap) is not installed: install it (Debian/Ubuntu: `sudo apt-get install bubblewrap`), "
            "or pass --no-isolation to run student code with the grader's own rights"
        )
    command = [
        bwrap,
        "--die-with-parent",
        "--new-session",
        "--unshare-pid",
        "--unshare-net",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--hostname",
        "cx-sandbox",
        "--ro-bind",
        "/usr",
        "/usr",
    ]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        host = Path("/") / name
        if host.is_symlink():
            command += ["--symlink", os.readlink(host), str(host)]
        elif host.is_dir():
            command += ["--ro-bind", str(host), str(host)]
    for name in ETC_FILES:
        command += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    readable = interpreter_paths(paths.protected)
    writable = [paths.jobs, paths.sockets]
    # bwrap makes missing parent folders private to root (0700); a kernel's own user must be
    # able to walk through them.
    parents = sorted({p for path in [*readable, *writable] for p in path.parents if p != Path("/")})
    for parent in parents:
        command += ["--perms", "0755", "--dir", str(parent)]
    for path in readable:
        command += ["--ro-bind", str(path), str(path)]
    command += ["--dev", "/dev", "--proc", "/proc", "--perms", "1777", "--tmpfs", "/tmp", "--dir", STASH]
    for folder in writable:
        command += ["--bind", str(folder), str(folder)]
    for capability in CAPABILITIES:
        command += ["--cap-add", capability]
    command += ["--chdir", "/", "--clearenv"]
    for key, value in sorted(environment.items()):
        command += ["--setenv", key, value]
    return command + ["--"]


def probe() -> str | None:
    """Why kernels cannot be isolated on this machine, or None when they can. (The zygote checks
    the second layer itself when it starts.)"""
    if not sys.platform.startswith("linux"):
        return f"kernel isolation needs Linux namespaces; this is {sys.platform}"
    if os.geteuid() != 0:
        return (
            "kernel isolation gives every kernel a user id of its own, which needs root: run `cx-grader` as root "
            "(for example in a virtual machine or container kept for grading)"
        )
    if not shutil.which("bwrap"):
        return "bubblewrap (bwrap) is not installed: `sudo apt-get install bubblewrap`"
    result = subprocess.run(
        ["bwrap", "--unshare-all", "--ro-bind", "/", "/", "--cap-add", "CAP_SYS_ADMIN", "--", "true"],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["no message"])[-1]
        return (
            f"bubblewrap cannot create namespaces here ({detail}); in a container, allow it "
            "(for example `docker run --privileged` or a seccomp profile that permits unshare and mount)"
        )
    return None


def require_isolation() -> None:
    reason = probe()
    if reason:
        raise IsolationUnavailable(f"{reason}; or pass --no-isolation to run student code with the grader's rights")


# --- layer 2: one kernel's own namespaces -------------------------------------------------------------


def _hide_jobs(own: Path, jobs: Path, tmp_mb: int) -> None:
    """In a new mount namespace: the job folders become an empty tmpfs holding only `own`, and
    /tmp and /dev/shm become private."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mount(str(own), STASH, None, MS_BIND | MS_REC)
    tmpfs = MS_NOSUID | MS_NODEV
    _mount("tmpfs", "/tmp", "tmpfs", tmpfs, f"size={tmp_mb}m,mode=1777")
    if not inside(jobs, Path("/tmp")):
        _mount("tmpfs", str(jobs), "tmpfs", tmpfs, "size=1m,mode=755")
    if os.path.isdir("/dev/shm"):
        _mount("tmpfs", "/dev/shm", "tmpfs", tmpfs | MS_NOEXEC, f"size={tmp_mb}m,mode=1777")
    own.mkdir(parents=True, exist_ok=True)
    _mount(STASH, str(own), None, MS_BIND | MS_REC)
    _check(_libc.umount2(STASH.encode(), ctypes.c_int(MNT_DETACH)), f"umount {STASH}")


def _chown_tree(folder: Path, uid: int) -> None:
    os.chown(folder, uid, uid, follow_symlinks=False)
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            os.chown(os.path.join(root, name), uid, uid, follow_symlinks=False)


def _drop_privileges(uid: int) -> None:
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)  # a non-root user: every capability is gone with it
    _prctl(PR_SET_NO_NEW_PRIVS, 1)


def confine(own: Path, jobs: Path, uid: int, tmp_mb: int) -> None:
    """Put the calling process's future kernel in namespaces of its own (see the module's
    docstring). Forks: returns in the kernel (PID 1 of its namespace, already running as `uid`)
    and never returns in the parent, which waits for the kernel and exits with its status.
    Raises OSError in the caller when a namespace or mount cannot be made."""
    own, jobs = Path(own), Path(jobs)
    if not inside(own, jobs) or own == jobs:
        raise OSError(f"{own} is not a job folder under {jobs}")
    _unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS)
    _hide_jobs(own, jobs, tmp_mb)
    _chown_tree(own, uid)
    alive_read, alive_write = os.pipe()
    pid = os.fork()
    if pid:
        os.close(alive_read)
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        _, status = os.waitpid(pid, 0)
        os._exit(os.waitstatus_to_exitcode(status) & 0xFF if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))
    os.close(alive_write)
    _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    _drop_privileges(uid)
    # Set after the user id changes (a change of credentials clears it): the kernel dies with its
    # parent, and the parent dies with the zygote.
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if select.select([alive_read], [], [], 0)[0]:  # the parent is already gone
        os._exit(70)
    os.close(alive_read)


def die_with_parent() -> None:
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def kernel_uid(slot: int) -> int:
    return FIRST_KERNEL_UID + slot % KERNEL_UIDS

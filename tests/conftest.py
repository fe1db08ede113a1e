"""Shared fixtures: the built site, a local server for it, and Debian's Chromium through Playwright;
and grading tests skipped, with the hint, where student kernels cannot be isolated (not under CI)."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A grading test on a machine without bubblewrap or root is skipped with the way to fix it,
    except under CI, where it fails."""
    outcome = yield
    report = outcome.get_result()
    from grader.kernels.isolation import IsolationUnavailable

    if call.excinfo and call.excinfo.errisinstance(IsolationUnavailable) and os.environ.get("CI") != "true":
        report.outcome = "skipped"
        reason = f"student kernels cannot be isolated here: {call.excinfo.value}"
        report.longrepr = (str(item.path), item.location[1] or 0, f"Skipped: {reason}")


@dataclass(frozen=True)
class SiteBuild:
    site: Path
    temporary: Path
    """The build's own temporary folder (TMPDIR): whatever the build leaves there."""


@pytest.fixture(scope="session")
def site_build(tmp_path_factory) -> SiteBuild:
    """The site, built once per test run with `mkdocs build --strict` (warnings are errors)."""
    build = SiteBuild(tmp_path_factory.mktemp("site"), tmp_path_factory.mktemp("site-tmp"))
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(build.site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "TMPDIR": str(build.temporary)},
    )
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stderr[-6000:]}"
    return build


@pytest.fixture(scope="session")
def site_dir(site_build) -> Path:
    return site_build.site


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send_error(self, code, message=None, explain=None):
        # Serve the site's own not-found page, as a static host does.
        if code == 404:
            root = Path(self.directory)
            first = self.path.lstrip("/").split("/", 1)[0]
            page = root / first / "404.html" if (root / first / "404.html").is_file() else root / "404.html"
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().send_error(code, message, explain)


@pytest.fixture(scope="session")
def site_url(site_dir):
    """The built site served on 127.0.0.1 (a free port)."""
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; skipped with instructions where it is missing,
    except under CI, where a missing browser is a failure."""
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        message = f"Chromium not found at {CHROMIUM}: install it with `sudo apt-get install chromium`"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="ca-ES")
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture(scope="session")
def isolation():
    """Student kernels can be isolated here (bubblewrap, root); skipped with the reason where they
    cannot, except under CI, where that is a failure."""
    from grader.kernels.isolation import probe

    problem = probe()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"kernel isolation is unavailable under CI: {problem}")
        pytest.skip(f"kernel isolation is unavailable here: {problem}")


@pytest.fixture(scope="session")
def mini_release(tmp_path_factory) -> Path:
    """The student version of the tiny `mini` exercise, made by the release step (nbgrader)."""
    from notebooks import MINI

    from grader.exercises import load_exercise
    from grader.release import release_exercise

    return release_exercise(load_exercise("mini", MINI), tmp_path_factory.mktemp("release"))

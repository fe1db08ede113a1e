"""The site's performance budget: build time, then Lighthouse scores and bytes per page type and
language, against the built site served on 127.0.0.1.

    .venv/bin/python benchmarks/site.py

Needs Node.js with npm (Lighthouse is installed on first use into benchmarks/.lighthouse/, from
the npm registry) and Debian's Chromium (/usr/bin/chromium, or CHROME_PATH).
Budget: performance >= 95, accessibility 100, best practices 100, <= 300 KiB per page; the full
three-language build under 15 s.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLS = Path(__file__).resolve().parent / ".lighthouse"
LIGHTHOUSE = TOOLS / "node_modules" / ".bin" / "lighthouse"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
PAGES = {
    "home": "",
    "module": "module-4/",
    "lesson": "module-4/kpis/",
    "glossary": "glossary/",
    "exercise": "exercises/kpis/",
}
PREFIX = {"ca": "", "es": "es/", "en": "en/"}
BUDGET = {"performance": 95, "accessibility": 100, "best-practices": 100, "kib": 300, "build_s": 15}


def build(target: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(target)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    return time.perf_counter() - started


COMPRESSIBLE = {".html", ".css", ".js", ".json", ".svg", ".xml"}


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """The site as a static host serves it: text files gzip-compressed when the browser asks."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def send_head(self):
            path = Path(self.translate_path(self.path))
            if path.is_dir():
                path = path / "index.html"
            if path.suffix not in COMPRESSIBLE or "gzip" not in self.headers.get("Accept-Encoding", ""):
                return super().send_head()
            if not path.is_file():
                return super().send_head()
            body = gzip.compress(path.read_bytes())
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return io.BytesIO(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def lighthouse(url: str) -> dict:
    if not LIGHTHOUSE.exists():
        TOOLS.mkdir(exist_ok=True)
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(TOOLS), "lighthouse@12"],
            check=True,
            capture_output=True,
        )
    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run(
            [
                str(LIGHTHOUSE),
                url,
                "--output=json",
                "--quiet",
                "--preset=desktop",
                "--only-categories=performance,accessibility,best-practices",
                f"--chrome-flags=--headless=new --no-sandbox --disable-gpu "
                f"--disable-background-networking --disable-component-update --disable-sync --no-first-run "
                f"--user-data-dir={profile}",
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "CHROME_PATH": CHROME},
            check=True,
        )
    report = json.loads(result.stdout)
    categories = report["categories"]
    return {
        "performance": round(categories["performance"]["score"] * 100),
        "accessibility": round(categories["accessibility"]["score"] * 100),
        "best-practices": round(categories["best-practices"]["score"] * 100),
        "kib": round(report["audits"]["total-byte-weight"]["numericValue"] / 1024),
        "failed": sorted(
            audit_id
            for category in categories.values()
            for ref in category["auditRefs"]
            if ref["weight"]
            and (audit_id := ref["id"])
            and (report["audits"][audit_id].get("score") is not None and report["audits"][audit_id]["score"] < 1)
        ),
    }


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="cx-site-") as folder:
        site = Path(folder)
        seconds = build(site)
        print(f"build: {seconds:.1f} s (budget {BUDGET['build_s']} s)")
        server, base = serve(site)
        rows = []
        try:
            for kind, path in PAGES.items():
                for lang, prefix in PREFIX.items():
                    scores = lighthouse(base + prefix + path)
                    rows.append({"page": kind, "lang": lang, **scores})
                    within = (
                        scores["performance"] >= BUDGET["performance"]
                        and scores["accessibility"] >= BUDGET["accessibility"]
                        and scores["best-practices"] >= BUDGET["best-practices"]
                        and scores["kib"] <= BUDGET["kib"]
                    )
                    print(
                        f"{kind:9} {lang}  perf {scores['performance']:3}  a11y {scores['accessibility']:3}  "
                        f"best {scores['best-practices']:3}  {scores['kib']:4} KiB  {'ok' if within else 'OVER BUDGET'}"
                        + (f"  ({', '.join(scores['failed'])})" if scores["failed"] and not within else "")
                    )
        finally:
            server.shutdown()
        print(json.dumps({"build_s": round(seconds, 1), "pages": rows}))


if __name__ == "__main__":
    main()

"""A link check over the built site: every internal link and anchor resolves, and no page loads
anything (script, style sheet, font, image) from another host."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlsplit


@dataclass
class _Page:
    links: list[str] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = _Page()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.page.ids.add(attributes["id"])
        if tag == "a" and attributes.get("name"):
            self.page.ids.add(attributes["name"])
        if tag == "a" and attributes.get("href"):
            self.page.links.append(attributes["href"])
        if tag in {"script", "img", "iframe", "source"} and attributes.get("src"):
            self.page.resources.append(attributes["src"])
        if tag == "link" and attributes.get("href") and attributes.get("rel") in {"stylesheet", "icon", "preload"}:
            self.page.resources.append(attributes["href"])


def _parse(path: Path) -> _Page:
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8"))
    return collector.page


def _target(site: Path, url_path: str) -> Path:
    path = site / unquote(url_path).lstrip("/")
    return path / "index.html" if url_path.endswith("/") or path.is_dir() else path


def check_site(site: Path, base: str = "http://site.invalid/") -> list[str]:
    """Problems found: broken links, missing anchors, resources loaded from other hosts."""
    pages = {path: _parse(path) for path in sorted(site.rglob("*.html"))}
    problems = []
    host = urlsplit(base).netloc
    for path, page in pages.items():
        page_url = urljoin(base, path.relative_to(site).as_posix())
        for resource in page.resources:
            absolute = urlsplit(urljoin(page_url, resource))
            if absolute.netloc != host and absolute.scheme in {"http", "https", ""}:
                problems.append(f"{path.relative_to(site)}: loads {resource} from another host")
        for link in page.links:
            if link.startswith(("mailto:", "tel:", "javascript:")):
                continue
            address, fragment = urldefrag(urljoin(page_url, link))
            parts = urlsplit(address)
            if parts.netloc != host:
                continue  # external links are allowed; they are not fetched (no internet here)
            target = _target(site, parts.path)
            if not target.is_file():
                problems.append(f"{path.relative_to(site)}: broken link {link}")
                continue
            if fragment and target.suffix == ".html":
                target_page = pages.get(target) or _parse(target)
                if unquote(fragment) not in target_page.ids:
                    problems.append(f"{path.relative_to(site)}: link {link} points to a missing anchor")
    return problems

"""The theme is Material as installed: the course changes its output (cxsite/theme.py), never
copies its templates, so nothing drifts when Material moves on."""

from __future__ import annotations

import json
import re
from pathlib import Path

import material
import pytest

from cxsite.theme import ThemeChanged, adapt

ROOT = Path(__file__).resolve().parent.parent
THEME = Path(material.__file__).parent / "templates"
CONFIG = re.compile(r'<script id="__config" type="application/json">(.*?)</script>', re.DOTALL)


def test_overrides_copy_nothing_version_bound_from_the_theme():
    for path in (ROOT / "overrides").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\.[0-9a-f]{8}\.min\.(js|css)", text), f"{path}: a hashed asset name of the theme"
        assert "mkdocs-material-" not in text, f"{path}: the theme's version"
        if path.name != "404.html":  # the course's own not-found page, on the theme's main.html
            assert not (THEME / path.relative_to(ROOT / "overrides")).exists(), f"{path}: replaces a theme template"


@pytest.mark.parametrize("lang,prefix", [("ca", ""), ("es", "es/"), ("en", "en/")])
def test_built_pages_search_their_own_language_with_the_installed_theme(site_dir, lang, prefix):
    for page in (site_dir / prefix / "index.html", site_dir / prefix / "module-1" / "what-is-cx" / "index.html"):
        html = page.read_text(encoding="utf-8")
        assert not re.search(r"<link rel=\"alternate\"[^>]*hreflang", html)
        config = json.loads(CONFIG.search(html).group(1))
        assert config["base"].endswith(f"/{prefix}") or (not prefix and config["base"].endswith("/"))
        assert (page.parent / config["base"] / "search" / "search_index.json").resolve().is_file()
        assert (page.parent / config["search"]).resolve().is_file(), "the theme's search worker, as installed"
        assert re.search(r'<div class="md-search" [^>]*role="dialog" aria-label="[^"]+"', html)


def test_a_theme_that_changed_its_output_is_reported_not_served_half_changed():
    with pytest.raises(ThemeChanged):
        adapt("<html><body>no config here</body></html>", "en/", "Search")

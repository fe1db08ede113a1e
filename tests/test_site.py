"""The built site: strict build, links, one search index per language, 404 pages, no CDN."""

from __future__ import annotations

import json
import re

import pytest

from cxsite.course import load_course
from cxsite.linkcheck import check_site

LANGS = {"ca": "", "es": "es/", "en": "en/"}


def test_every_internal_link_and_anchor_resolves_and_nothing_loads_from_the_internet(site_dir):
    assert check_site(site_dir) == []


def test_the_link_check_can_fail(tmp_path):
    (tmp_path / "index.html").write_text(
        '<a href="missing/">x</a><a href="#nowhere">y</a><script src="https://cdn.example.com/x.js"></script>'
    )
    problems = check_site(tmp_path)
    assert len(problems) == 3


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_is_built_in_every_language_with_its_lang_attribute(site_dir, lang):
    for page in load_course().pages:
        path = site_dir / LANGS[lang] / page.replace("index.md", "").replace(".md", "/") / "index.html"
        html = path.read_text(encoding="utf-8")
        assert f'<html lang="{lang}"' in html, f"{path} does not say lang={lang}"


@pytest.mark.parametrize("lang", LANGS)
def test_each_language_has_its_own_search_index(site_dir, lang):
    index = json.loads((site_dir / LANGS[lang] / "search" / "search_index.json").read_text(encoding="utf-8"))
    locations = [doc["location"] for doc in index["docs"]]
    assert locations, "the search index is empty"
    assert not any(loc.startswith(("es/", "en/")) for loc in locations), "another language's pages are indexed"
    titles = {doc["title"] for doc in index["docs"] if doc["location"] == "glossary/"}
    expected = {"ca": "Glossari", "es": "Glosario", "en": "Glossary"}[lang]
    assert titles == {expected}


@pytest.mark.parametrize("lang", LANGS)
def test_each_language_has_its_own_404_page(site_dir, lang):
    html = (site_dir / LANGS[lang] / "404.html").read_text(encoding="utf-8")
    assert f'<html lang="{lang}"' in html
    home = "/" + LANGS[lang]
    assert re.search(rf'href="{home}"', html), "the 404 page does not link to its language's home"


def test_no_web_fonts_or_cdn(site_dir):
    html = (site_dir / "index.html").read_text(encoding="utf-8")
    assert "fonts.googleapis" not in html and "fonts.gstatic" not in html


@pytest.mark.parametrize(
    "lang, site_name, section",
    [
        ("ca", "Experiència del client", "1. Introducció"),
        ("es", "Experiencia del cliente", "1. Introducción"),
        ("en", "Customer experience", "1. Introduction"),
    ],
)
def test_site_name_and_navigation_are_translated(site_dir, lang, site_name, section):
    html = (site_dir / LANGS[lang] / "module-2" / "index.html").read_text(encoding="utf-8")
    assert f"- {site_name}</title>" in html
    assert re.search(rf">\s*{re.escape(section)}\s*<", html), f"no nav section {section!r}"


def test_a_build_leaves_nothing_in_the_temporary_folder(site_build):
    assert sorted(p.name for p in site_build.temporary.iterdir()) == []

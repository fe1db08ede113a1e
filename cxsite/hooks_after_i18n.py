"""MkDocs hook that runs once mkdocs-static-i18n has built every language (see cxsite.postbuild)."""

from __future__ import annotations

from pathlib import Path

from mkdocs.plugins import event_priority

from cxsite.languages import DEFAULT_LANGUAGE, LANGUAGES
from cxsite.postbuild import place_404_pages, split_search_index


@event_priority(-200)  # after mkdocs-static-i18n's own post-build step (-100)
def on_post_build(config):
    if config.plugins["i18n"].building:
        return  # a nested language build: the outer build finishes the site
    site = Path(config.site_dir)
    split_search_index(site, list(LANGUAGES), DEFAULT_LANGUAGE)
    place_404_pages(site, list(LANGUAGES), DEFAULT_LANGUAGE)

"""Three changes to the HTML that Material writes, made on its output instead of by copying its
templates (a copy carries the theme's hashed asset names and version, and drifts from the
installed theme at its next release):

- no `<link rel="alternate" hreflang>` per language: the theme fetches a sitemap.xml beside each,
  which it expects at a language's root; here they point to the same page in the other languages
  (the language switcher keeps the page), so every page logged three 404s;
- the search `base` points at the language's own folder, where cxsite/postbuild.py writes each
  language's own search index;
- the search dialog has a name (Lighthouse and axe flag an unnamed dialog).
"""

from __future__ import annotations

import json
import re
from html import escape

ALTERNATE = re.compile(r'\s*<link rel="alternate" href="[^"]*" hreflang="[^"]*">')
CONFIG = re.compile(r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.DOTALL)
SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'


class ThemeChanged(RuntimeError):
    """Material's output no longer has what these changes expect: update this module."""


def adapt(html: str, search_base: str, search_label: str) -> str:
    """The page as the course serves it. `search_base` is the language's folder (`en/`, or `` for
    the default language); `search_label` names the search dialog in the page's language."""
    html = ALTERNATE.sub("", html)
    match = CONFIG.search(html)
    if not match:
        raise ThemeChanged('no <script id="__config"> in the page')
    config = json.loads(match.group(2))
    config["base"] = f"{config['base'].rstrip('/')}/{search_base}"
    html = html[: match.start(2)] + json.dumps(config) + html[match.end(2) :]
    if SEARCH_DIALOG not in html:
        raise ThemeChanged("no search dialog in the page")
    named = SEARCH_DIALOG.replace('role="dialog"', f'role="dialog" aria-label="{escape(search_label)}"')
    return html.replace(SEARCH_DIALOG, named, 1)

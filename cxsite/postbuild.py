"""Fixes applied to the built site after mkdocs-static-i18n has built every language.

- Search: the i18n plugin writes one index with every language in it (#129 upstream), so a search
  in Spanish returns Catalan and English pages too. We split it into one index per language,
  each in that language's folder (`es/search/search_index.json`); the theme override points each
  page's search at its own language's folder.
- 404: each language build writes the theme's `404.html` to the site root, so the last language
  wins. We keep each language's copy in its folder and the default language's at the root.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

# lunr.js ships stemmers for Spanish and English but not Catalan. Material's search worker never
# finished building an index with the stemmer kept (seen with mkdocs-material 9.8 on this content),
# so every language is indexed without stemming or stop words; the theme already matches query
# words as prefixes ("promot" finds "promoters").
LUNR_LANGUAGE = {"es": ["es"], "en": ["en"]}
PIPELINE = ["trimmer"]


def split_search_index(site_dir: Path, languages: list[str], default: str) -> dict[str, int]:
    """Write one search index per language; returns the number of entries in each."""
    combined_path = site_dir / "search" / "search_index.json"
    combined = json.loads(combined_path.read_text(encoding="utf-8"))
    prefixes = {lang: f"{lang}/" for lang in languages if lang != default}
    counts = {}
    for lang in languages:
        if lang == default:
            docs = [d for d in combined["docs"] if not d["location"].startswith(tuple(prefixes.values()))]
            target = combined_path
        else:
            prefix = prefixes[lang]
            docs = [
                {**d, "location": d["location"][len(prefix) :]}
                for d in combined["docs"]
                if d["location"].startswith(prefix)
            ]
            target = site_dir / lang / "search" / "search_index.json"
        config = {**combined["config"], "lang": LUNR_LANGUAGE.get(lang, ["en"]), "pipeline": PIPELINE}
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps({"config": config, "docs": docs}, ensure_ascii=False), encoding="utf-8")
        counts[lang] = len(docs)
    return counts


def keep_404(site_dir: Path, lang: str) -> None:
    """Move the 404 page a language build just wrote to where that language's readers get it."""
    written = site_dir / "404.html"
    if not written.exists():
        return
    stash = site_dir / f".404.{lang}.html"
    shutil.move(written, stash)


def place_404_pages(site_dir: Path, languages: list[str], default: str) -> None:
    for lang in languages:
        stash = site_dir / f".404.{lang}.html"
        if not stash.exists():
            continue
        target = site_dir / "404.html" if lang == default else site_dir / lang / "404.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(stash, target)

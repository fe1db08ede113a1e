"""MkDocs hooks: the thin layer that connects the build to cxsite's functions."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from mkdocs.plugins import event_priority

from cxsite.course import load_course
from cxsite.exercises import add_downloads
from cxsite.glossary import GLOSSARY_FILE, abbreviations_markdown
from cxsite.languages import DEFAULT_LANGUAGE, UI
from cxsite.pages import render_glossary, render_home, render_lesson, render_module
from cxsite.postbuild import keep_404
from cxsite.theme import adapt


def _i18n(config):
    return config.plugins["i18n"]


def _language(config) -> str:
    return _i18n(config).current_language or DEFAULT_LANGUAGE


def on_config(config):
    lang = _language(config)
    # Templates (404, overrides) read the interface strings of the language being built.
    config.extra["cx"] = UI[lang]
    config.extra["cx_lang"] = lang
    prefix = "" if lang == DEFAULT_LANGUAGE else f"{lang}/"
    config.extra["cx_search_base"] = prefix
    # The 404 page is served at any address, so its link home must be absolute.
    config.extra["cx_home"] = urlsplit(config.site_url or "/").path.rstrip("/") + "/" + prefix
    return config


def on_files(files, config):
    return add_downloads(files, config)


def on_page_markdown(markdown, page, config, files):
    lang = getattr(page.file, "locale", None) or _language(config)
    src = page.file.src_uri
    name = src[: -len(f".{lang}.md")] + ".md" if src.endswith(f".{lang}.md") else src
    docs = Path(config.docs_dir)
    where = str(docs / src)
    course = load_course(Path(config.config_file_path))
    module = course.module_of(name)
    if module and name in module.lessons:
        markdown = render_lesson(markdown, page.meta, lang, name, where)
    elif module:
        markdown = render_module(markdown, page.meta, lang, module, docs)
    elif name == "index.md":
        markdown = render_home(markdown, lang, course, docs)
    elif name == "glossary.md":
        markdown = render_glossary(markdown, lang, docs)
    return markdown + "\n\n" + abbreviations_markdown(lang, docs / GLOSSARY_FILE) + "\n"


def on_page_content(html, page, config, files):
    # Checklists ("- [ ] item") are for reading, not filling in: their disabled checkboxes carry no
    # label, which screen readers announce as an unnamed form field. Hide the decoration; the
    # item's text is what is read.
    return html.replace('<input type="checkbox" disabled/>', '<input type="checkbox" disabled aria-hidden="true"/>')


def on_post_page(output, page, config):
    return adapt(output, config.extra["cx_search_base"], config.extra["cx"]["search_dialog"])


def on_post_template(output_content, template_name, config):
    if template_name == "404.html":
        return adapt(output_content, config.extra["cx_search_base"], config.extra["cx"]["search_dialog"])
    return output_content


@event_priority(-50)  # before mkdocs-static-i18n (-100) starts the next language's build
def on_post_build(config):
    keep_404(Path(config.site_dir), _language(config))

"""The MkDocs adapter: publishes what the pipeline generated, and nothing else.

``handbook build`` and ``handbook serve`` render the pages and printables into the
build cache (:func:`generator.outputs.generate`), then run MkDocs with this plugin's
options saying where they are. The plugin adds those files to MkDocs' (a
hand-written page at the same path wins), keeps role YAML out of the site, and
prepares each page for the search that indexes it. It holds no state between builds.
"""

from __future__ import annotations

import logging
from typing import Any

import jinja2
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from generator.site.search import for_index

#: Where the plugin reports how many pages MkDocs has built (``progress`` option):
#: ``extra={"done": n, "total": t}``; the build turns these into its progress display.
PROGRESS_LOG = logging.getLogger("handbook.progress")
PROGRESS_LOG.propagate = False  # for the build's progress display only, never printed as is
PROGRESS_LOG.setLevel(logging.INFO)
PAGES_STAGE = "pages"
DATA_SUFFIXES = (".yaml", ".yml")


class HandbookPluginConfig(base.Config):  # type: ignore[no-untyped-call]
    #: Folder of the generated Markdown pages, and their site paths.
    pages_dir = c.Type(str, default="")
    pages = c.ListOfItems(c.Type(str), default=[])
    #: Folder of the printable sheets, and their site paths (empty: printing is off).
    downloads_dir = c.Type(str, default="")
    downloads = c.ListOfItems(c.Type(str), default=[])
    #: Pagefind indexes the built site: pages stay out of Material's index and carry
    #: their headings' words for Pagefind.
    pagefind = c.Type(bool, default=True)
    #: Report page progress to PROGRESS_LOG.
    progress = c.Type(bool, default=False)
    #: The words that mark every page confidential (the hr audience's site): shown in the
    #: theme's announcement bar above each page, hand-written ones and the 404 page too.
    confidential = c.Type(str, default="")


class HandbookPlugin(BasePlugin[HandbookPluginConfig]):  # type: ignore[no-untyped-call]
    _pages_total = 0
    _pages_done = 0

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        require_jieba()
        if not self.config.pages_dir:
            raise PluginError(
                "the handbook plugin publishes what `handbook build` or `handbook serve`"
                " generated: run one of those rather than mkdocs itself"
            )
        return config

    def on_env(
        self, env: jinja2.Environment, *, config: MkDocsConfig, files: Files
    ) -> jinja2.Environment:
        if self.config.confidential:
            env.loader = confidential_theme(env.loader)
            env.globals["handbook_confidential"] = self.config.confidential
        return env

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        for file in list(files):
            if file.src_uri.lower().endswith(DATA_SUFFIXES):
                files.remove(file)
        written = set(files.src_uris)  # hand-written pages, which win
        generated = [(uri, self.config.pages_dir) for uri in self.config.pages]
        generated += [(uri, self.config.downloads_dir) for uri in self.config.downloads]
        for src_uri, folder in generated:
            if src_uri not in written:
                files.append(File(src_uri, folder, config.site_dir, config.use_directory_urls))
        self._pages_total = len(files.documentation_pages())
        self._pages_done = 0
        return files

    @event_priority(50)  # before Material's search plugin indexes the page
    def on_page_context(
        self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        if self.config.pagefind:  # Pagefind indexes the built pages; Material's index stays empty
            page.meta["search"] = {**(page.meta.get("search") or {}), "exclude": True}
        self._pages_done += 1
        if self.config.progress:
            extra: dict[str, Any] = {"done": self._pages_done, "total": self._pages_total}
            PROGRESS_LOG.info(PAGES_STAGE, extra=extra)
        return context

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        if not self.config.pagefind:
            return html
        keywords = page.meta.get("keywords")
        generated = page.file.src_dir == self.config.pages_dir  # (not a hand-written page)
        return for_index(html, keywords if isinstance(keywords, str) else None, generated=generated)


#: The theme's page template with the confidential mark in its announcement block (the
#: theme's own ``main.html``, or the project's override of it, is extended); the words
#: are HTML-escaped.
CONFIDENTIAL_MAIN = (
    '{% extends "theme/main.html" %}\n{% block announce %}'
    '<strong class="handbook-confidential">{{ handbook_confidential | e }}</strong>'
    "{% endblock %}\n"
)


def confidential_theme(loader: jinja2.BaseLoader | None) -> jinja2.BaseLoader:
    """The theme's templates with every page marked confidential: ``main.html``, which
    every page and the 404 page extend, is replaced by one that extends it and fills the
    announcement block."""
    assert loader is not None
    return jinja2.ChoiceLoader(
        [
            jinja2.DictLoader({"main.html": CONFIDENTIAL_MAIN}),
            jinja2.PrefixLoader({"theme": loader}),
            loader,
        ]
    )


def require_jieba() -> None:
    """Chinese search needs jieba: without it, words inside sentences are never found."""
    try:
        import jieba
    except ImportError:
        raise PluginError(
            "jieba is not installed, so Chinese search would not find words inside sentences:"
            " pip install jieba"
        ) from None
    jieba.setLogLevel(logging.WARNING)

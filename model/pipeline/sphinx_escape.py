"""A Sphinx extension that the build adds to every book: the page titles that sphinx-book-theme puts
into its templates as plain text (`pagetitle`, the print heading; `root_title`, the sidebar's site
title) are HTML-escaped before the templates see them. The theme takes them from the title node's
text and writes them unescaped, so a title from a params file such as `<img onerror=...>` would
otherwise become an element in every page."""

from __future__ import annotations

import html

#: After sphinx-book-theme's own handler (the default priority, 500) has set the two titles.
PRIORITY = 900


def escape_titles(app, pagename, templatename, context, doctree) -> None:
    for key in ("pagetitle", "root_title"):
        value = context.get(key)
        if isinstance(value, str) and not getattr(value, "__html__", None):
            context[key] = html.escape(value)


def setup(app):
    app.connect("html-page-context", escape_titles, priority=PRIORITY)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

"""The whole book as one PDF, offline: Sphinx's ``singlehtml`` builder, then Debian's chromium prints it.

Jupyter Book 1's own ``pdfhtml`` builder downloads a Chromium at build time (pyppeteer), and a LaTeX
PDF needs TeX and a picture of every chart. Instead the staged book is built once more as a single HTML
page, with the HTML build's Sphinx environment (model.pipeline.sphinx_html: no page is read again, only
the single page is written), and chromium, driven by Playwright, prints it once every chart has drawn. Charts are SVG (model.report.charts), so they stay vector graphics.

What the printed book changes before printing: the CSV download lines go (the files are not in the
PDF); a title page with the project version and the inputs digest comes before the theme's printed
contents (parts and chapters, as links, with their page numbers read back from a first print's
outline with pypdf; the PDF's outline has every heading); each chapter starts a page; a note under the
what-if chart says that the HTML has its sliders; a scenario page's table of its parameters, which
repeats rows of the assumptions register, gives way to a note linking to the register (so the register
prints once, not once per scenario). The print
stylesheet (_static/casebook.css, packaged in model/pipeline/data/book/) drops the navigation. Nothing in the PDF depends on the date or
the machine, so two builds from the same inputs give the same text page for page. A table too wide
for the printed page prints as records, one paragraph a row with each cell after its column's heading
(_static/casebook.js measures the tables once the page is in print media).
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path
from typing import Any

from ..core.errors import CasebookError

CHROMIUM = Path(os.environ.get("CASEBOOK_CHROMIUM", "/usr/bin/chromium"))
PDF_DIR = Path("book/_build/pdf")
#: A4 at 96 px per inch less the side margins: the width the page is laid out (and the charts drawn) at
PRINT_WIDTH_PX = 718
CHART_TIMEOUT_MS = 60_000
#: the assumptions register's page, the scenario pages' folder and the heading of a scenario page's
#: parameter table (notebooks/scenario.ipynb): in print the table is the register's, printed once
REGISTER_DOC = "appendix_register"
SCENARIO_DIR = "scenarios"
PARAMETERS_HEADING = "Parameters and their provenance"


class PdfError(CasebookError):
    exit_code = 1


def slug(title: str) -> str:
    """'Riverside: the business case, reproduced' -> 'riverside-the-business-case-reproduced'."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "book"


def title_page_html(title: str, info: dict[str, Any]) -> str:
    """The title page: the book's title, what it is, the version and the full inputs digest."""
    e = html.escape
    return (
        '<section id="casebook-title-page" class="casebook-title-page" aria-label="Title page">'
        f'<p class="casebook-title">{e(title)}</p>'
        '<p class="casebook-subtitle">A business case in the Five Case Model, reproduced from its published '
        'documents by a literate financial model. Every figure in the text is computed from the params files.</p>'
        '<dl class="casebook-stamp-list">'
        f'<dt>casebook version</dt><dd>{e(str(info["casebook_version"]))}</dd>'
        f'<dt>Inputs digest (SHA-256)</dt><dd><code>{e(info["inputs_sha256"])}</code></dd>'
        f'<dt>Inputs digest, short form (page footers of the HTML book)</dt>'
        f'<dd><code>{e(info["inputs_sha256"][:16])}</code></dd>'
        '</dl>'
        '<p class="casebook-note"><code>casebook build --manifest</code> lists every input file with its digest. '
        'The HTML edition of this book has the same text, with interactive charts and CSV downloads.</p>'
        '</section>'
    )


#: Runs in the page before printing: title page, contents, chapter breaks, the what-if note, and
#: the build-specific "changes" page taken out (it compares two builds, not the case).
PREPARE_JS = r"""
([titleHtml, changesDoc, registerDoc, scenarioDir, parametersHeading]) => {
  const article = document.querySelector('article.bd-article');
  // the page that compares two builds is about the build, not the case: not in the PDF
  const marker = document.getElementById('document-' + changesDoc);
  if (marker) {
    if (marker.nextElementSibling && marker.nextElementSibling.matches('section')) marker.nextElementSibling.remove();
    marker.remove();
  }
  document.querySelectorAll('a[href="#document-' + changesDoc + '"]').forEach(a => (a.closest('li') || a).remove());
  // the theme's printed contents (parts and chapters, as links) follow the title page
  const printToc = document.getElementById('jb-print-docs-body');
  const holder = document.createElement('div');
  holder.innerHTML = titleHtml;
  if (printToc) {
    printToc.querySelectorAll(':scope > h1').forEach(h => h.remove());
    printToc.style.breakAfter = 'page';
    printToc.before(holder.firstElementChild);
  } else {
    article.prepend(holder.firstElementChild);
  }
  // the CSV download lines under tables point at files the PDF does not carry
  document.querySelectorAll('div.cell_output p').forEach(p => {
    if (/^Download( this table)?:/.test(p.textContent.trim())) p.remove();
  });
  // a scenario's parameters print once for the whole book, in the assumptions register (every
  // parameter where its params file sets it): each scenario page's own copy of those rows gives way to
  // a note that links there (the HTML edition keeps the table on the page)
  const registerMarker = document.getElementById('document-' + registerDoc);
  const registerChapter = registerMarker && registerMarker.nextElementSibling;
  // (the single page nests each document's headings under the contents': its levels are not h1, h2)
  const headings = ':scope > :is(h1, h2, h3, h4, h5, h6)';
  const registerHeading = registerChapter && registerChapter.querySelector(headings);
  let registerTitle = '';
  if (registerHeading) {
    const copy = registerHeading.cloneNode(true);
    copy.querySelectorAll('.headerlink').forEach(a => a.remove());
    registerTitle = copy.textContent.trim();
  }
  let parametersReferred = 0;
  if (registerTitle) {
    document.querySelectorAll('span[id^="document-' + scenarioDir + '/"] + section').forEach(chapter => {
      chapter.querySelectorAll('section').forEach(section => {
        const h = section.querySelector(headings);
        if (!h || !h.textContent.trim().startsWith(parametersHeading)) return;
        const cells = [...section.querySelectorAll(':scope > div.cell')].filter(c => c.querySelector('table'));
        if (!cells.length) return;
        const note = document.createElement('p');
        note.className = 'casebook-print-note';
        const link = document.createElement('a');
        link.href = '#document-' + registerDoc;
        link.textContent = registerTitle;
        note.append('In print this table is not repeated for each scenario: every parameter that this '
          + 'scenario uses is in ', link, ', with its value, unit and source, under the params file that '
          + 'sets it (this scenario\'s own or one that it extends). The HTML edition shows the table here.');
        cells[0].before(note);
        cells.forEach(c => c.remove());
        parametersReferred += 1;
      });
    });
  }
  // each chapter starts a page
  const chapters = [...document.querySelectorAll('span[id^="document-"] + section')];
  chapters.forEach(s => { s.style.breakBefore = 'page'; });
  // the what-if chart prints at its base values; say where its sliders are
  document.querySelectorAll('.vega-embed').forEach(embed => {
    if (!embed.querySelector('.vega-bindings input')) return;
    const note = document.createElement('p');
    note.className = 'casebook-print-note';
    note.textContent = 'Printed at the base values of its inputs. The HTML edition of this book has '
      + 'sliders for the discount rate, the benefit level and the optimism bias on capital and on operating '
      + 'costs, and recomputes the NPV as they move.';
    embed.after(note);
  });
  return [chapters.length + 1, parametersReferred];
}
"""

PRINT_CSS = """
#casebook-title-page { break-after: page; padding-top: 30%; }
.casebook-title { font-size: 26pt; font-weight: 700; line-height: 1.2; margin-bottom: 1.5rem; }
.casebook-subtitle { font-size: 13pt; margin-bottom: 2.5rem; }
.casebook-stamp-list dt { font-weight: 600; margin-top: 0.8rem; }
.casebook-stamp-list dd { margin-left: 0; word-break: break-all; }
#jb-print-docs-body .caption { font-weight: 600; margin: 0.8rem 0 0.2rem; }
#jb-print-docs-body ul { list-style: none !important; padding-left: 1.2rem !important; }
#jb-print-docs-body li::marker { content: ""; }
#jb-print-docs-body li::before { content: none !important; display: none !important; }
#jb-print-docs-body li { display: flow-root !important; padding: 0 !important; margin: 0.1rem 0 !important; }
#jb-print-docs-body li > a { display: inline !important; padding: 0 !important; }
.casebook-toc-page { float: right; min-width: 2.5rem; text-align: right; }
.casebook-print-note { font-style: italic; }
"""

FOOTER = ('<div style="font-size:8px;width:100%;text-align:center;color:#444;">'
          '<span class="title"></span> · page <span class="pageNumber"></span> of <span class="totalPages"></span>'
          '</div>')
HEADER = '<div style="font-size:8px;width:100%;"></div>'


FIT_TABLES_JS = "() => window.casebookFitTablesToPrint ? window.casebookFitTablesToPrint() : 0"

NUMBER_CONTENTS_JS = r"""
(pages) => {
  const norm = t => t.replace(/\s+/g, '');
  let numbered = 0;
  document.querySelectorAll('#jb-print-docs-body a[href^="#document-"]').forEach(a => {
    let span = a.parentElement.querySelector(':scope > .casebook-toc-page');
    if (!span) {
      span = document.createElement('span');
      span.className = 'casebook-toc-page';
      a.after(span);
    }
    const page = pages[norm(a.textContent)];
    span.textContent = page ? String(page) : '';
    if (page) numbered += 1;
  });
  return numbered;
}
"""


def heading_pages(pdf: Path) -> dict[str, int]:
    """The page of each heading, from the PDF's outline (chromium writes one from the headings); the
    keys are the titles without white space (the outline loses the spaces at line breaks)."""
    from pypdf import PdfReader

    reader = PdfReader(str(pdf))
    pages: dict[str, int] = {}

    def walk(items) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                pages.setdefault("".join(str(item.title).split()), reader.get_destination_page_number(item) + 1)

    walk(reader.outline)
    return pages


def print_pdf(page_html: Path, out_pdf: Path, title: str, info: dict[str, Any],
              changes_doc: str = "changes") -> int:
    """Print the single page to out_pdf with chromium; returns the number of chapters.

    Printed twice: the first print gives each chapter's page (from the PDF's outline), which the
    contents then show; the second print is the book. Numbers in the contents do not move anything
    (the contents stay on their page), and a third print is made if they did."""
    if not CHROMIUM.exists():
        raise PdfError(f"chromium is needed for --pdf and {CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    out_pdf.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_pdf.with_name(f".{out_pdf.name}.{os.getpid()}")
    options = dict(format="A4", print_background=True, display_header_footer=True, header_template=HEADER,
                   footer_template=FOOTER, outline=True, tagged=True,  # chromium's outline needs the tags
                   margin={"top": "16mm", "bottom": "16mm", "left": "14mm", "right": "14mm"})
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM),
                                        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            try:
                page = browser.new_page(viewport={"width": PRINT_WIDTH_PX, "height": 1000})
                page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://")
                           else route.abort())
                page.goto(page_html.as_uri(), wait_until="load")
                charts = page.locator("[id^='altair-viz']").count()
                if charts:
                    page.wait_for_function("n => document.querySelectorAll('.vega-embed svg').length >= n",
                                           arg=charts, timeout=CHART_TIMEOUT_MS)
                page.evaluate("() => document.fonts.ready")
                page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")
                page.add_style_tag(content=PRINT_CSS)
                chapters, _ = page.evaluate(PREPARE_JS, [title_page_html(title, info), changes_doc, REGISTER_DOC,
                                                         SCENARIO_DIR, PARAMETERS_HEADING])
                page.emulate_media(media="print")
                page.wait_for_timeout(300)  # charts sized to their container settle
                # a table too wide for the page prints as records (book/_static/casebook.js does it on
                # the switch to print media; called again so that it has run on the settled layout)
                page.evaluate(FIT_TABLES_JS)
                pages: dict[str, int] = {}
                for _ in range(3):
                    page.evaluate(NUMBER_CONTENTS_JS, pages)
                    page.pdf(path=str(tmp), **options)
                    found = heading_pages(tmp)
                    if found == pages:
                        break
                    pages = found
            finally:
                browser.close()
        os.replace(tmp, out_pdf)
    except PlaywrightError as exc:
        raise PdfError(f"chromium could not print the book: {' '.join(str(exc).split())[:300]}") from None
    finally:
        tmp.unlink(missing_ok=True)
    return chapters


def write_pdf(page_html: Path, title: str, out_pdf: Path, info: dict[str, Any]) -> Path:
    """The PDF at out_pdf (written atomically), printed from the single page."""
    print_pdf(page_html, out_pdf, title, info)
    return out_pdf

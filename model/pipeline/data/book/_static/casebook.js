// casebook: accessibility repairs to the theme's and the charts' markup (WCAG 2.1 AA), and table cells
// of long text marked so that they wrap (casebook.css) while numbers and short words never break.
(function () {
  "use strict";

  // The theme's search buttons are labelled "Search" but show "Search Ctrl+K": let the visible text name
  // them (WCAG 2.5.3, label in name).
  function nameSearchButtons() {
    document.querySelectorAll("button.search-button-field[aria-label]").forEach(function (b) {
      if (b.textContent.trim()) { b.removeAttribute("aria-label"); }
    });
  }

  // A table that scrolls sideways takes keyboard focus and has a name (WCAG 2.1.1).
  function focusableScrollers() {
    document.querySelectorAll("div.cell_output, div.cell_output div.output, .register-wrap").forEach(function (box, i) {
      var style = getComputedStyle(box);
      var scrolls = box.scrollWidth > box.clientWidth + 1 && box.querySelector("table")
        && (style.overflowX === "auto" || style.overflowX === "scroll");
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", "Table " + (i + 1) + " (scrolls sideways)");
        box.classList.add("casebook-scroll");
      } else if (!scrolls && box.classList.contains("casebook-scroll")) {
        ["tabindex", "role", "aria-label"].forEach(function (a) { box.removeAttribute(a); });
        box.classList.remove("casebook-scroll");
      }
    });
  }

  // Every chart is described by its caption and its written description: the figure's caption and the
  // paragraph after it that starts "Text description", or (scenario pages) the paragraph after the chart.
  var counter = 0;
  function idFor(el) {
    if (!el.id) { counter += 1; el.id = "casebook-desc-" + counter; }
    return el.id;
  }
  function describeChart(embed) {
    var svg = embed.querySelector("svg");
    if (!svg || svg.hasAttribute("aria-describedby")) { return; }
    var ids = [];
    var figure = embed.closest("figure");
    if (figure) {
      var caption = figure.querySelector("figcaption");
      if (caption) { ids.push(idFor(caption)); }
      var next = figure.nextElementSibling;
      if (next && /^Text description/.test(next.textContent.trim())) { ids.push(idFor(next)); }
    } else {
      var cell = embed.closest(".cell");
      var after = cell ? cell.nextElementSibling : null;
      while (after && !after.textContent.trim()) { after = after.nextElementSibling; }
      var para = after ? (after.matches("p") ? after : after.querySelector("p")) : null;
      if (para) { ids.push(idFor(para)); }
    }
    if (ids.length) { svg.setAttribute("aria-describedby", ids.join(" ")); }
  }
  function describeCharts() { document.querySelectorAll(".vega-embed").forEach(describeChart); }

  // An icon inside a button that has its own label is decoration: its title ("Light") must not compete
  // with the label ("Color mode"), WCAG 2.5.3. Hidden, and its title (axe counts it as text) removed.
  function hideButtonIcons() {
    document.querySelectorAll("button[aria-label] svg").forEach(function (svg) {
      svg.setAttribute("aria-hidden", "true");
      svg.removeAttribute("aria-labelledby");
      svg.querySelectorAll("title").forEach(function (t) { t.remove(); });
    });
  }
  function onChange() { describeCharts(); hideButtonIcons(); }

  function markLongCells() {
    document.querySelectorAll("div.cell_output td, div.cell_output tbody th, table.register td")
      .forEach(function (td) {
        var text = td.textContent.trim();
        var longestWord = Math.max.apply(null, text.split(/\s+/).map(function (w) { return w.length; }));
        if (text.length > 24 || longestWord > 14) { td.classList.add("casebook-long"); }
      });
  }

  // A table too wide for the printed page prints as records, one paragraph a row, each cell after its
  // column's heading (casebook.css), so that no column is cut off. Measured when the page switches to
  // print media (the PDF build calls it again after switching).
  function headingText(th) {
    var copy = th.cloneNode(true);
    copy.querySelectorAll(".casebook-assumption, .visually-hidden").forEach(function (el) { el.remove(); });
    return copy.textContent.replace(/\s+/g, " ").trim();
  }
  function labelCells(table) {
    var row = table.querySelector("thead tr:last-child");
    if (!row) { return false; }
    var heads = Array.prototype.map.call(row.children, headingText);
    table.querySelectorAll("tbody tr").forEach(function (tr) {
      Array.prototype.forEach.call(tr.children, function (cell, i) {
        if (heads[i]) { cell.setAttribute("data-label", heads[i]); }
      });
    });
    return true;
  }
  function fitTablesToPrint() {
    document.querySelectorAll("table.casebook-records").forEach(function (t) { t.classList.remove("casebook-records"); });
    if (!window.matchMedia("print").matches) { return 0; }
    var page = document.documentElement.clientWidth;
    var wide = Array.prototype.filter.call(document.querySelectorAll("table"), function (t) {
      if (!t.offsetParent) { return false; }
      var box = t.parentElement;
      return t.getBoundingClientRect().right > page + 1 || box.scrollWidth > box.clientWidth + 1;
    });
    wide.forEach(function (t) { if (labelCells(t)) { t.classList.add("casebook-records"); } });
    return wide.length;
  }
  window.casebookFitTablesToPrint = fitTablesToPrint;

  function run() {
    markLongCells();
    nameSearchButtons();
    focusableScrollers();
    onChange();
    new MutationObserver(onChange).observe(document.body, { childList: true, subtree: true });
    window.addEventListener("resize", focusableScrollers);
    window.matchMedia("print").addEventListener("change", fitTablesToPrint);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", run); } else { run(); }
})();

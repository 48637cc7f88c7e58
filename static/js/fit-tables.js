// A wide table of figures (table.ka-stack) that would scroll sideways in its box, or fits only with its columns' names
// crushed, reads as cards instead, each figure beside its column's name (analytics/analysis.css, .ka-stacked): on a
// phone, on a tablet held upright, in a narrow window or with long English names and big figures alike, since it is
// the table's own width that decides. Checked again whenever its box changes width (a turned tablet, a <details>
// opened). Without this script the table scrolls inside its box.
(function () {
  "use strict";

  var widths = new WeakMap();
  var printing = false;

  // A column's name squeezed to a word or a character a line (more than three lines) says the table only fits crushed.
  function crushed(table) {
    return Array.prototype.some.call(table.querySelectorAll("thead th"), function (th) {
      var range = document.createRange();
      range.selectNodeContents(th);
      var line = parseFloat(window.getComputedStyle(th).lineHeight) || 24;
      return range.getBoundingClientRect().height > 3.5 * line;
    });
  }

  function fit(table) {
    if (printing) return;
    var box = table.closest(".table-responsive") || table.parentElement;
    var width = box.clientWidth;
    if (!width || widths.get(table) === width) return; // hidden (a closed <details>), or no change
    widths.set(table, width);
    table.classList.remove("ka-stacked");
    if (box.scrollWidth > width + 1 || crushed(table)) table.classList.add("ka-stacked");
  }

  function start() {
    var tables = document.querySelectorAll("table.ka-stack");
    tables.forEach(fit);
    if (!window.ResizeObserver) return;
    var observer = new ResizeObserver(function (entries) {
      entries.forEach(function (entry) {
        entry.target.querySelectorAll("table.ka-stack").forEach(fit);
      });
    });
    tables.forEach(function (table) {
      observer.observe(table.closest(".table-responsive") || table.parentElement);
    });
  }

  // Printed, a report is a table across the sheet (analysis.css prints it landscape) whatever the screen showed: the
  // cards are for a screen too narrow for it. After, it is what the screen needs again.
  window.addEventListener("beforeprint", function () {
    printing = true;
    document.querySelectorAll("table.ka-stack").forEach(function (table) {
      table.classList.remove("ka-stacked");
      widths.delete(table);
    });
  });
  window.addEventListener("afterprint", function () {
    printing = false;
    document.querySelectorAll("table.ka-stack").forEach(fit);
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

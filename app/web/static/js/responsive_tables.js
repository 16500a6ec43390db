// On narrow screens (phones) and in 长辈模式, tables are shown as one card per row (app.css): each
// cell is labelled with its column's heading so a card reads "heading: value" line by line.
(function () {
  "use strict";
  function label(table) {
    const heads = Array.from(table.querySelectorAll("thead th, tr:first-child > th")).map(function (th) {
      const named = th.querySelector("[aria-label]");
      return th.textContent.trim() || (named ? named.getAttribute("aria-label") : "");
    });
    if (!heads.length) { return; }
    table.classList.add("cards");
    table.querySelectorAll("tbody tr, tr").forEach(function (row) {
      Array.from(row.children).forEach(function (cell, i) {
        if (cell.tagName === "TD" && heads[i] && cell.colSpan === 1 && !cell.hasAttribute("data-label")) {
          cell.setAttribute("data-label", heads[i]);
        }
      });
    });
  }
  document.querySelectorAll("table").forEach(label);
})();

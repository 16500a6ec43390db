/* Adds and removes rows of a repeated group (household members …) without a round trip.
 *
 * The page works without this script: the same buttons submit the form, and the server redraws
 * it with one row more or less. Here they act in place instead. A new row is a copy of the last
 * one with its values cleared and its field names moved to an unused index; the server reads
 * rows whatever their indexes.
 */
(function () {
  function rowsOf(group) {
    return Array.prototype.filter.call(group.children, function (el) { return el.matches("fieldset.row"); });
  }

  function renumber(row, name, from, to) {
    const oldPrefix = name + "." + from + ".";
    const newPrefix = name + "." + to + ".";
    row.dataset.row = String(to);
    row.querySelectorAll("[name]").forEach(function (el) {
      if (el.name.indexOf(oldPrefix) === 0) { el.name = newPrefix + el.name.slice(oldPrefix.length); }
    });
    row.querySelectorAll("[data-error-for]").forEach(function (el) { el.remove(); });
    const remove = row.querySelector("[data-remove-row]");
    if (remove) { remove.value = "remove:" + name + "." + to; }
  }

  function clear(row) {
    row.querySelectorAll("input, select, textarea").forEach(function (el) {
      if (el.type === "hidden") { return; }
      if (el.type === "checkbox" || el.type === "radio") { el.checked = false; }
      else if (el.tagName === "SELECT") { el.selectedIndex = 0; }
      else { el.value = ""; }
    });
  }

  function relabel(group) {
    rowsOf(group).forEach(function (row, i) {
      const legend = row.querySelector("legend");
      if (legend) { legend.textContent = "#" + (i + 1); }
    });
  }

  function add(group, button) {
    const rows = rowsOf(group);
    const last = rows[rows.length - 1];
    if (!last) { return; }
    const name = group.dataset.rows;
    const next = 1 + Math.max.apply(null, rows.map(function (r) { return parseInt(r.dataset.row, 10) || 0; }));
    const copy = last.cloneNode(true);
    renumber(copy, name, last.dataset.row, next);
    clear(copy);
    group.insertBefore(copy, button);
    relabel(group);
    const first = copy.querySelector("input:not([type=hidden]), select, textarea");
    if (first) { first.focus(); }
  }

  function remove(group, row) {
    if (rowsOf(group).length > 1) { row.remove(); } else { clear(row); }
    relabel(group);
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-add-row], [data-remove-row]");
    if (!button) { return; }
    const group = button.closest("[data-rows]");
    if (!group) { return; }
    event.preventDefault();
    if (button.hasAttribute("data-add-row")) { add(group, button); }
    else { remove(group, button.closest("fieldset.row")); }
  });
})();

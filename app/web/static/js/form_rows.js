/* Adds and removes rows of a repeated group (household members …) without a round trip.
 *
 * The page works without this script: the same buttons submit the form, and the server redraws
 * it with one row more or less. Here they act in place instead. A new row is a copy of the
 * group's row template (names hold the index "__row__") moved to an unused index; the server
 * reads rows whatever their indexes. A group keeps at least data-min-rows rows: removing the
 * last one of a required list clears it; an optional list may be left with none.
 */
(function () {
  const PLACEHOLDER = "__row__";

  function rowsOf(group) {
    return Array.prototype.filter.call(group.children, function (el) { return el.matches("fieldset.row"); });
  }

  function clear(row) {
    row.querySelectorAll("input, select, textarea").forEach(function (el) {
      if (el.type === "hidden") { return; }
      if (el.type === "checkbox" || el.type === "radio") { el.checked = false; }
      else if (el.tagName === "SELECT") { el.selectedIndex = 0; }
      else { el.value = ""; }
    });
    row.querySelectorAll("[data-error-for]").forEach(function (el) { el.remove(); });
  }

  function relabel(group) {
    rowsOf(group).forEach(function (row, i) {
      const legend = row.querySelector("legend");
      if (legend) { legend.textContent = "#" + (i + 1); }
    });
  }

  function add(group, button) {
    const template = group.querySelector("template[data-row-template]");
    if (!template) { return; }
    const rows = rowsOf(group);
    const next = String(1 + Math.max.apply(null, [-1].concat(rows.map(function (r) {
      return parseInt(r.dataset.row, 10) || 0;
    }))));
    const row = template.content.firstElementChild.cloneNode(true);
    row.dataset.row = next;
    row.querySelectorAll("[name]").forEach(function (el) { el.name = el.name.split(PLACEHOLDER).join(next); });
    const remove = row.querySelector("[data-remove-row]");
    if (remove) { remove.value = remove.value.split(PLACEHOLDER).join(next); }
    group.insertBefore(row, template);
    relabel(group);
    const first = row.querySelector("input:not([type=hidden]), select, textarea");
    if (first) { first.focus(); }
  }

  function remove(group, row) {
    const min = parseInt(group.dataset.minRows, 10) || 0;
    if (rowsOf(group).length > min) { row.remove(); } else { clear(row); }
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

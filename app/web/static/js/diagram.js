/* Shows a BPMN diagram with the bpmn-js navigated viewer.
 * data-src: a URL answering {xml, current: [ids], done: [ids]} (a case: current step highlighted);
 * data-xml-from: the id of an element holding the XML (a process version). */
(function () {
  const el = document.getElementById("diagram");
  if (!el || !window.BpmnJS) { return; }
  function load() {
    if (el.dataset.xmlFrom) {
      const holder = document.getElementById(el.dataset.xmlFrom);
      return Promise.resolve({ xml: holder.value, current: [], done: [] });
    }
    return fetch(el.dataset.src, { credentials: "same-origin" }).then(function (r) { return r.json(); });
  }
  load()
    .then(function (info) {
      const viewer = new window.BpmnJS({ container: el });
      return viewer.importXML(info.xml).then(function () {
        const canvas = viewer.get("canvas");
        const registry = viewer.get("elementRegistry");
        info.done.forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, "done"); } });
        info.current.forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, "current"); } });
        canvas.zoom("fit-viewport");
        el.dataset.current = info.current.filter(function (id) { return registry.get(id); }).join(",");
        el.dataset.rendered = "1";
      });
    })
    .catch(function (err) { el.dataset.error = String(err); el.textContent = "流程图无法显示 / cannot show the diagram: " + err; });
})();

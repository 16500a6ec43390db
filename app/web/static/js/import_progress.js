/* Polls an import's progress and reloads the page once it is no longer running
   (finished, or interrupted by a server restart). */
(function () {
  const box = document.getElementById("progress");
  if (!box || box.dataset.state !== "running") { return; }
  const bar = box.querySelector("progress");
  function poll() {
    fetch(box.dataset.src, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        bar.max = Math.max(1, s.total);
        bar.value = s.done;
        if (s.state !== "running") { window.location.reload(); } else { setTimeout(poll, 700); }
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  poll();
})();

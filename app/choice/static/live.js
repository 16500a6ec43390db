// The live part of a choice page: fetched again every few seconds, so units others took
// disappear and the turn moves on without a reload. A failed fetch keeps what is shown.
(function () {
  document.querySelectorAll("[data-live-src]").forEach(function (box) {
    var seconds = parseInt(box.getAttribute("data-live-seconds") || "5", 10);
    var busy = false;
    box.addEventListener("submit", function () { busy = true; });
    setInterval(function () {
      if (busy) { return; }
      fetch(box.getAttribute("data-live-src"), { credentials: "same-origin" })
        .then(function (answer) { return answer.ok ? answer.text() : null; })
        .then(function (html) { if (html !== null && !busy) { box.innerHTML = html; } })
        .catch(function () {});
    }, seconds * 1000);
  });
})();

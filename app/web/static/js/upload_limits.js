/* Refuses a file over the size limits as soon as it is chosen, instead of after a long upload.
 *
 * The fieldset [data-uploads] carries the limits (one file, all files together, in MB) and the
 * messages in the page's language. A file input over a limit gets a custom validity message,
 * so the browser itself keeps the form from being sent; the server checks again regardless.
 */
(function () {
  const MB = 1024 * 1024;

  function check(box) {
    const inputs = box.querySelectorAll("input[type=file]");
    const each = Number(box.dataset.maxMb) * MB;
    const total = Number(box.dataset.totalMb) * MB;
    let sum = 0;
    inputs.forEach(function (input) {
      const file = input.files && input.files[0];
      sum += file ? file.size : 0;
      input.setCustomValidity(file && file.size > each ? box.dataset.tooBig.replace("{name}", file.name) : "");
    });
    if (total > 0 && sum > total) {
      const last = Array.prototype.filter.call(inputs, function (i) { return i.files && i.files.length; }).pop();
      if (last && !last.validationMessage) { last.setCustomValidity(box.dataset.tooMuch); }
    }
  }

  document.addEventListener("change", function (event) {
    const box = event.target.closest && event.target.closest("[data-uploads]");
    if (!box || event.target.type !== "file") { return; }
    check(box);
    if (!event.target.checkValidity()) { event.target.reportValidity(); }
  });
})();

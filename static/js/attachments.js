/* File inputs that list the chosen files' names beside them (the composer, the portal's reply).
   A delegated listener instead of inline handlers, which the Content Security Policy refuses. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[type=file][data-file-names]")) return;
    var names = input.closest("form") && input.closest("form").querySelector(".attach-names");
    if (names) names.textContent = Array.prototype.map.call(input.files, function (f) { return f.name; }).join(", ");
  });
})();

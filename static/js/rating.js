/* One click from the resolution email: the landing page records the score the link
   chose by posting it, as soon as a person's browser shows the page. Mail scanners
   fetch the link (GET or HEAD) without running scripts, so they record nothing; a
   prerendered page waits until it is really shown. Without scripts, the buttons stay. */
(function () {
  "use strict";
  function submitChosen() {
    var form = document.getElementById("rate-confirm");
    var chosen = form && form.querySelector(".rate-button.is-chosen");
    if (!chosen || form.dataset.sent) return;
    form.dataset.sent = "1";
    var note = document.getElementById("rate-recording");
    if (note) note.hidden = false;
    form.requestSubmit(chosen);
  }
  if (document.prerendering) {
    document.addEventListener("prerenderingchange", submitChosen, { once: true });
  } else if (document.visibilityState === "visible") {
    submitChosen();
  } else {
    document.addEventListener("visibilitychange", function once() {
      if (document.visibilityState !== "visible") return;
      document.removeEventListener("visibilitychange", once);
      submitChosen();
    });
  }
})();

// Deadline timers tick while the page stays open; the server renders the same text.
(function () {
  "use strict";
  function span(ms) {
    var minutes = Math.floor(Math.abs(ms) / 60000);
    var days = Math.floor(minutes / 1440), hours = Math.floor((minutes % 1440) / 60);
    if (days) return days + "d " + hours + "h";
    if (hours) return hours + "h " + (minutes % 60) + "m";
    return (minutes % 60) + "m";
  }
  function tick() {
    document.querySelectorAll(".deadline-timer[data-deadline]").forEach(function (el) {
      var left = new Date(el.dataset.deadline).getTime() - Date.now();
      var label = el.querySelector(".deadline-label");
      if (!label || isNaN(left)) return;
      el.classList.remove("is-running", "is-soon", "is-overdue");
      // The words come from the page (in the reader's language); only the span ticks here.
      var words = left < 0 ? el.dataset.overdueLabel || "Overdue %(span)s"
                           : el.dataset.leftLabel || "%(span)s left";
      el.classList.add(left < 0 ? "is-overdue" : left < 3600000 ? "is-soon" : "is-running");
      label.textContent = words.replace("%(span)s", span(left));
    });
  }
  setInterval(tick, 30000);
})();

// A chosen action opens in the action panel: close the Actions menu behind it.
document.addEventListener("click", function (event) {
  var item = event.target.closest(".actions-menu .menu-item");
  if (item) item.closest("details").removeAttribute("open");
});

// The contact's card opens above its name when there is no room for it below.
(function () {
  "use strict";
  function place(event) {
    var anchor = event.target.closest && event.target.closest(".contact-card-anchor");
    if (!anchor || anchor.contains(event.relatedTarget)) return;  // moving inside it
    var card = anchor.querySelector(".contact-card");
    anchor.classList.remove("opens-up");
    requestAnimationFrame(function () {
      var box = card.getBoundingClientRect(), name = anchor.getBoundingClientRect();
      if (box.bottom > window.innerHeight - 8 && name.top - box.height - 14 > 0) {
        anchor.classList.add("opens-up");
      }
    });
  }
  document.addEventListener("mouseover", place);
  document.addEventListener("focusin", place);
})();

// Deadline timers tick while the page stays open; the server renders the same text.
(function () {
  "use strict";
  // The page's language: "Overdue %(span)s|%(span)s left|%(d)sd %(h)sh|%(h)sh %(m)sm|%(m)sm".
  var words = (document.body.dataset.deadlineWords ||
    "Overdue %(span)s|%(span)s left|%(d)sd %(h)sh|%(h)sh %(m)sm|%(m)sm").split("|");
  function fill(pattern, values) {
    return pattern.replace(/%\((\w+)\)s/g, function (_, name) { return values[name]; });
  }
  function span(ms) {
    var minutes = Math.floor(Math.abs(ms) / 60000);
    var days = Math.floor(minutes / 1440), hours = Math.floor((minutes % 1440) / 60);
    if (days) return fill(words[2], { d: days, h: hours });
    if (hours) return fill(words[3], { h: hours, m: minutes % 60 });
    return fill(words[4], { m: minutes % 60 });
  }
  function tick() {
    document.querySelectorAll(".deadline-timer[data-deadline]").forEach(function (el) {
      var left = new Date(el.dataset.deadline).getTime() - Date.now();
      var label = el.querySelector(".deadline-label");
      if (!label || isNaN(left)) return;
      el.classList.remove("is-running", "is-soon", "is-overdue");
      if (left < 0) { el.classList.add("is-overdue"); label.textContent = fill(words[0], { span: span(left) }); }
      else { el.classList.add(left < 3600000 ? "is-soon" : "is-running"); label.textContent = fill(words[1], { span: span(left) }); }
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

// The top bar's search box, keyboard-first: "/" (on pages without a search box of
// their own) or Ctrl+K focuses it, arrow keys move through
// the results, Enter opens the chosen one (or the results page), Escape closes.
(function () {
  "use strict";
  function box() { return document.getElementById("search-q"); }
  function list() { return document.getElementById("search-results"); }
  function options() { return Array.prototype.slice.call(list().querySelectorAll('[role="option"]')); }
  function setOpen(open) {
    var l = list(), input = box();
    if (!l || !input) return;
    l.classList.toggle("is-open", open);
    input.setAttribute("aria-expanded", open ? "true" : "false");
    if (!open) { input.removeAttribute("aria-activedescendant"); }
  }
  function activate(index) {
    var all = options(), input = box();
    all.forEach(function (o, i) { o.classList.toggle("is-active", i === index); o.setAttribute("aria-selected", i === index ? "true" : "false"); });
    if (all[index]) { input.setAttribute("aria-activedescendant", all[index].id); all[index].scrollIntoView({ block: "nearest" }); }
  }
  function current() { return options().findIndex(function (o) { return o.classList.contains("is-active"); }); }

  document.addEventListener("keydown", function (event) {
    var input = box();
    if (!input) return;
    var target = event.target;
    var typing = target.closest && target.closest("input, textarea, select, [contenteditable='true']");
    // A list page's own search box takes "/" (flowdesk.js runs first and claims it);
    // Ctrl+K (or Cmd+K) reaches this one from anywhere.
    var slash = event.key === "/" && !typing && !event.defaultPrevented && !event.ctrlKey && !event.metaKey && !event.altKey;
    var commandK = (event.ctrlKey || event.metaKey) && !event.altKey && (event.key === "k" || event.key === "K");
    if (slash || commandK) {
      event.preventDefault();
      input.focus();
      input.select();
      return;
    }
    if (target !== input) return;
    var all = options(), index = current();
    if (event.key === "ArrowDown" && all.length) {
      event.preventDefault(); setOpen(true); activate(index + 1 < all.length ? index + 1 : 0);
    } else if (event.key === "ArrowUp" && all.length) {
      event.preventDefault(); setOpen(true); activate(index > 0 ? index - 1 : all.length - 1);
    } else if (event.key === "Enter" && index >= 0 && all[index]) {
      event.preventDefault(); window.location.assign(all[index].href);
    } else if (event.key === "Escape") {
      setOpen(false); input.blur();
    }
  });
  // The listbox is swapped whole (outerHTML): whichever element htmx names, look again.
  document.addEventListener("htmx:afterSettle", function () {
    if (list() && !list().classList.contains("is-open")) {
      setOpen(document.activeElement === box() && options().length + list().querySelectorAll(".search-empty").length > 0);
      if (options().length) activate(0);
    }
  });
  document.addEventListener("focusin", function (event) {
    var form = document.getElementById("topbar-search");
    if (form && !form.contains(event.target)) setOpen(false);
    else if (event.target === box() && list() && list().children.length) setOpen(true);
  });
  document.addEventListener("click", function (event) {
    var form = document.getElementById("topbar-search");
    if (form && !form.contains(event.target)) setOpen(false);
  });
})();

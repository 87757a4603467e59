/* Flowdesk page behaviour: the live connection, the communication panel, toasts
   and keyboard shortcuts. Everything else is htmx attributes in the templates. */
(function () {
  "use strict";

  var body = document.body;
  var root = document.documentElement;
  var AUTO_RECONNECT_CODES = [1006, 1011, 1012, 1013]; // the ws extension retries these itself
  var SIGNED_OUT_CODE = 4401;

  /* ---------- Live connection ---------- */

  var live = (window.flowdeskLive = {
    connected: false,
    state: "connecting",
    socket: null,
    leaving: false,
    wasDisconnected: false,
    retries: 0
  });

  function setLiveState(state) {
    live.state = state;
    live.connected = state === "connected";
    body.dataset.liveState = state;
    var label = document.querySelector("#live-status .live-label");
    if (label) {
      var text = state === "connected" ? label.dataset.live
        : state === "connecting" ? label.dataset.connecting
        : label.dataset.paused;
      if (label.textContent !== text) label.textContent = text;
    }
    var status = document.getElementById("live-status");
    if (status) status.dataset.state = state;
  }

  function pollPanelOnce() {
    var url = body.dataset.panelUrl;
    if (url && window.htmx) htmx.ajax("GET", url, { target: "#live-poll", swap: "none" });
  }

  // While the socket is down the page polls the panel every 3 s, so a step never
  // stays invisible. A timer here rather than an htmx trigger filter: filters are
  // evaluated as code, which the Content Security Policy refuses.
  setInterval(function () {
    var poll = document.getElementById("live-poll");
    if (!live.connected && poll && window.htmx) htmx.trigger(poll, "flowdesk:poll");
  }, 3000);

  if (window.htmx) {
    var originalCreate = htmx.createWebSocket;
    htmx.createWebSocket = function (url) {
      var socket = originalCreate ? originalCreate(url) : new WebSocket(url, []);
      live.socket = socket;
      return socket;
    };
  }

  window.addEventListener("pagehide", function () { live.leaving = true; });
  window.addEventListener("beforeunload", function () { live.leaving = true; });

  body.addEventListener("htmx:wsOpen", function () {
    live.retries = 0;
    setLiveState("connected");
    // Pushes sent while the socket was down are not replayed: read the panel once.
    if (live.wasDisconnected) pollPanelOnce();
    live.wasDisconnected = false;
  });

  body.addEventListener("htmx:wsClose", function (evt) {
    if (live.leaving) return;
    var code = evt.detail && evt.detail.event ? evt.detail.event.code : 1006;
    live.wasDisconnected = true;
    setLiveState("reconnecting");
    if (code === SIGNED_OUT_CODE) {
      // The session ended: the poll is answered with a redirect to sign in.
      pollPanelOnce();
      return;
    }
    if (AUTO_RECONNECT_CODES.indexOf(code) === -1 && evt.detail && evt.detail.socketWrapper) {
      // Closed cleanly (server restart, proxy, a closed tab handle): retry with backoff too.
      var wrapper = evt.detail.socketWrapper;
      var delay = Math.min(30000, 1000 * Math.pow(2, live.retries)) * (0.5 + Math.random() / 2);
      live.retries += 1;
      setTimeout(function () { if (!live.connected) wrapper.reconnect(); }, delay);
    }
  });

  body.addEventListener("htmx:wsError", function () {
    if (live.leaving) return;
    live.wasDisconnected = true;
    setLiveState("reconnecting");
  });

  /* ---------- Communication panel ---------- */

  var toggle = document.getElementById("panel-toggle");
  var panel = document.getElementById("comm-panel");

  function panelCollapsed() { return root.dataset.panel === "collapsed"; }

  function setPanelCollapsed(collapsed) {
    if (collapsed) root.dataset.panel = "collapsed"; else delete root.dataset.panel;
    if (toggle) toggle.setAttribute("aria-expanded", String(!collapsed));
    try { localStorage.setItem("flowdesk.panel", collapsed ? "collapsed" : "open"); } catch (e) { /* private mode */ }
  }

  if (toggle) {
    toggle.setAttribute("aria-expanded", String(!panelCollapsed()));
    toggle.addEventListener("click", function () { setPanelCollapsed(!panelCollapsed()); });
  }

  var tabs = panel ? Array.prototype.slice.call(panel.querySelectorAll('[role="tab"]')) : [];

  function selectTab(tab, focus) {
    tabs.forEach(function (other) {
      var selected = other === tab;
      other.setAttribute("aria-selected", String(selected));
      other.tabIndex = selected ? 0 : -1;
      var tabpanel = document.getElementById(other.getAttribute("aria-controls"));
      if (tabpanel) tabpanel.hidden = !selected;
    });
    if (focus) tab.focus();
    try { localStorage.setItem("flowdesk.panelTab", tab.dataset.tab); } catch (e) { /* private mode */ }
  }

  tabs.forEach(function (tab, index) {
    tab.addEventListener("click", function () {
      var wasSelected = tab.getAttribute("aria-selected") === "true";
      if (panelCollapsed()) setPanelCollapsed(false);
      else if (wasSelected) { setPanelCollapsed(true); return; }
      selectTab(tab, false);
    });
    tab.addEventListener("keydown", function (evt) {
      var next = null;
      if (evt.key === "ArrowDown" || evt.key === "ArrowRight") next = tabs[(index + 1) % tabs.length];
      else if (evt.key === "ArrowUp" || evt.key === "ArrowLeft") next = tabs[(index - 1 + tabs.length) % tabs.length];
      else if (evt.key === "Home") next = tabs[0];
      else if (evt.key === "End") next = tabs[tabs.length - 1];
      if (next) { evt.preventDefault(); selectTab(next, true); }
    });
  });

  try {
    var savedTab = localStorage.getItem("flowdesk.panelTab");
    var saved = tabs.filter(function (t) { return t.dataset.tab === savedTab; })[0];
    if (saved) selectTab(saved, false);
  } catch (e) { /* private mode */ }

  /* ---------- User menu ---------- */

  var userMenu = document.querySelector(".user-menu");
  if (userMenu) {
    document.addEventListener("click", function (evt) {
      if (userMenu.open && !userMenu.contains(evt.target)) userMenu.open = false;
    });
    userMenu.addEventListener("keydown", function (evt) {
      if (evt.key === "Escape" && userMenu.open) {
        userMenu.open = false;
        userMenu.querySelector("summary").focus();
      }
    });
  }

  /* ---------- Toasts ---------- */

  function armToasts(scope) {
    var toasts = (scope.matches && scope.matches(".toast") ? [scope] : [])
      .concat(Array.prototype.slice.call(scope.querySelectorAll ? scope.querySelectorAll(".toast[data-autodismiss]") : []));
    toasts.forEach(function (toast) {
      if (toast.dataset.armed) return;
      toast.dataset.armed = "1";
      var wait = parseInt(toast.dataset.autodismiss, 10) || 6000;
      var timer = setTimeout(function () { dismiss(toast); }, wait);
      toast.addEventListener("mouseenter", function () { clearTimeout(timer); });
      toast.addEventListener("focusin", function () { clearTimeout(timer); });
    });
  }

  function dismiss(toast) {
    toast.classList.add("is-leaving");
    setTimeout(function () { toast.remove(); }, 180);
  }

  document.addEventListener("click", function (evt) {
    var button = evt.target.closest("[data-dismiss]");
    if (button) { var toast = button.closest(".toast"); if (toast) dismiss(toast); }
  });

  if (window.htmx) {
    htmx.onLoad(function (elt) { armToasts(elt); });
  } else {
    armToasts(document);
  }
  var toastRoot = document.getElementById("toasts");
  if (toastRoot && window.MutationObserver) {
    new MutationObserver(function () { armToasts(toastRoot); }).observe(toastRoot, { childList: true });
  }

  body.addEventListener("htmx:sendError", function (evt) {
    if (evt.detail && evt.detail.elt && evt.detail.elt.id === "live-poll") return;
    showToast(body.dataset.sendError || "Couldn't reach Flowdesk. Check your connection and try again.");
  });

  function showToast(text) {
    if (!toastRoot) return;
    var toast = document.createElement("div");
    toast.className = "toast kind-error";
    toast.setAttribute("role", "alert");
    toast.dataset.autodismiss = "6000";
    var span = document.createElement("span");
    span.className = "toast-main";
    span.textContent = text;
    toast.appendChild(span);
    toastRoot.appendChild(toast);
  }

  /* ---------- Keyboard shortcuts ---------- */

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  document.addEventListener("keydown", function (evt) {
    if (evt.altKey && !evt.ctrlKey && !evt.metaKey && evt.code === "KeyP") {
      evt.preventDefault();
      setPanelCollapsed(!panelCollapsed());
      if (!panelCollapsed()) {
        var selected = tabs.filter(function (t) { return t.getAttribute("aria-selected") === "true"; })[0];
        if (selected) selected.focus();
      }
      return;
    }
    if (evt.ctrlKey || evt.metaKey || evt.altKey || typing(evt.target)) return;
    if (evt.key === "/") {
      var search = document.querySelector('#main input[type="search"]');
      if (search) { evt.preventDefault(); search.focus(); search.select(); }
    } else if (evt.key === "e" || evt.key === "E") {
      var edit = document.querySelector('#main [aria-keyshortcuts="E"]');
      if (edit) { evt.preventDefault(); edit.click(); }
    }
  });

  /* ---------- Step pages over the current page ----------
     A step page opens in a <dialog> in #modal-root, over whatever the user is doing;
     the page underneath is never touched, so unsaved input stays. Dialogs queue: one
     shows at a time, in arrival order, and the next opens when the current closes.
     A pushed dialog may arrive before the response that completed the previous
     step: it waits its turn instead of racing it. */

  var modalRoot = document.getElementById("modal-root");
  var stepState = (window.flowdeskSteps = { current: null, returnFocus: null });

  function stepDialogs() {
    return modalRoot ? Array.prototype.slice.call(modalRoot.querySelectorAll("dialog.step-dialog")) : [];
  }

  function loadDialog(dialog) {
    var target = dialog.querySelector(".step-dialog-body");
    if (target && target.hasAttribute("data-loaded")) return;  // the push carried the page
    if (window.htmx && target) {
      htmx.ajax("GET", dialog.dataset.stepUrl, { target: target, swap: "innerHTML" });
    }
  }

  function showNextStep() {
    var current = stepState.current;
    if (current && current.isConnected && current.open) return;
    stepState.current = null;
    var next = stepDialogs()[0];
    if (!next) {
      var back = stepState.returnFocus;
      stepState.returnFocus = null;
      if (back && back.isConnected && back.focus) back.focus();
      return;
    }
    if (!stepState.returnFocus) stepState.returnFocus = document.activeElement;
    stepState.current = next;
    try { next.showModal(); } catch (e) { next.setAttribute("open", ""); }
    loadDialog(next);
  }

  function closeStepDialog(dialog) {
    if (!dialog) return;
    var next = stepDialogs().filter(function (other) { return other !== dialog; })[0];
    if (next && dialog.open && stepState.current === dialog) {
      // The next page opens before this one closes: a modal stays open throughout, so
      // the page underneath is not made interactive and inert again in between (each
      // of which restyles the whole document).
      stepState.current = next;
      try { next.showModal(); } catch (e) { next.setAttribute("open", ""); }
      loadDialog(next);
      dialog.close();
      dialog.remove();
      return;
    }
    if (dialog.open) dialog.close();
    dialog.remove();
    if (stepState.current === dialog) stepState.current = null;
    showNextStep();
  }

  function queueArrivals() {
    var seen = {};
    stepDialogs().forEach(function (dialog) {
      var key = dialog.dataset.stepKey;
      if (key && seen[key]) { dialog.remove(); return; }  // the same step, already queued
      if (key) seen[key] = true;
      if (!dialog.dataset.armed) {
        dialog.dataset.armed = "1";
        dialog.addEventListener("cancel", function (evt) { evt.preventDefault(); closeStepDialog(dialog); });
      }
    });
    showNextStep();
  }

  function openStep(url, key, label) {
    if (!modalRoot || !url) { window.location.href = url; return; }
    var exists = stepDialogs().filter(function (d) { return key && d.dataset.stepKey === key; })[0];
    if (exists) { showNextStep(); return; }
    var dialog = document.createElement("dialog");
    dialog.className = "step-dialog";
    dialog.dataset.stepUrl = url;
    if (key) dialog.dataset.stepKey = key;
    // Named at once by what opened it, then by the page's own heading once it loads.
    if (label) dialog.setAttribute("aria-label", label);
    var inner = document.createElement("div");
    inner.className = "step-dialog-body";
    dialog.appendChild(inner);
    modalRoot.appendChild(dialog);
  }
  window.flowdeskSteps.open = openStep;

  if (modalRoot && window.MutationObserver) {
    new MutationObserver(queueArrivals).observe(modalRoot, { childList: true });
  }

  function successToast(text) {
    if (!toastRoot || !text) return;
    var toast = document.createElement("div");
    toast.className = "toast kind-success";
    toast.setAttribute("role", "status");
    toast.dataset.autodismiss = "4000";
    var span = document.createElement("span");
    span.className = "toast-main";
    span.textContent = text;
    toast.appendChild(span);
    toastRoot.appendChild(toast);
  }

  function stepDone(elt) {
    var done = elt.matches && elt.matches("[data-step-done]") ? elt : (elt.querySelector && elt.querySelector("[data-step-done]"));
    if (!done) return;
    var dialog = done.closest("dialog.step-dialog");
    if (!dialog) return;
    successToast(done.dataset.message);
    setTimeout(function () { closeStepDialog(dialog); }, 0);
  }

  if (window.htmx) htmx.onLoad(stepDone);

  // A dialog is named by the heading of the page it shows (whichever way it opened).
  function nameDialog(elt) {
    var dialog = elt.closest ? elt.closest("dialog.step-dialog") : null;
    if (!dialog) return;
    var heading = dialog.querySelector(".step-page h2[id]");
    if (heading) {
      dialog.setAttribute("aria-labelledby", heading.id);
      dialog.removeAttribute("aria-label");
    }
  }
  if (window.htmx) htmx.onLoad(nameDialog);

  // Refusals (not yours: 403, already done: 409, fix the form: 422) are pages people read.
  // A step page answered "done" closes its dialog at once: the next page may be waiting.
  body.addEventListener("htmx:beforeSwap", function (evt) {
    var status = evt.detail.xhr ? evt.detail.xhr.status : 200;
    var target = evt.detail.target;
    var trigger = evt.detail.xhr ? evt.detail.xhr.getResponseHeader("HX-Trigger") || "" : "";
    var dialog = target && target.closest ? target.closest("dialog.step-dialog") : null;
    if (dialog && status === 200 && trigger.indexOf("flowdesk:stepDone") !== -1) {
      var message = "";
      try { message = JSON.parse(trigger)["flowdesk:stepDone"].message; } catch (e) { /* plain */ }
      evt.detail.shouldSwap = false;
      successToast(message);
      closeStepDialog(dialog);
      return;
    }
    if ((status === 403 || status === 409 || status === 422) && target && target.closest &&
        target.closest(".step-page, .step-dialog, .step-page-frame")) {
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
    }
  });

  document.addEventListener("click", function (evt) {
    if (evt.defaultPrevented || evt.button !== 0 || evt.metaKey || evt.ctrlKey || evt.shiftKey || evt.altKey) return;
    var close = evt.target.closest("[data-step-close]");
    if (close) {
      var dialog = close.closest("dialog.step-dialog");
      if (dialog) { evt.preventDefault(); closeStepDialog(dialog); }
      else if (window.history.length > 1) { evt.preventDefault(); window.history.back(); }
      return;
    }
    var hint = evt.target.closest("[data-hint-toggle]");
    if (hint) {
      var box = document.getElementById(hint.getAttribute("aria-controls"));
      if (box) {
        box.hidden = !box.hidden;
        hint.setAttribute("aria-expanded", String(!box.hidden));
      }
      return;
    }
    var opener = evt.target.closest("a[data-step-dialog]");
    if (opener && !opener.closest("dialog")) {
      evt.preventDefault();
      openStep(opener.getAttribute("href"), opener.dataset.stepKey || "", opener.textContent.trim() || opener.title);
      return;
    }
    var move = evt.target.closest("[data-move-down]");
    if (move) {
      var selected = document.querySelector("#main input.row-select:checked");
      if (!selected) {
        successToast(move.title);
        return;
      }
      openStep(move.dataset.moveDown.replace("__pk__", encodeURIComponent(selected.value)), "", move.textContent.trim());
      return;
    }
    // Click a row to select it for the list's toolbar actions (the radio keeps keyboard use).
    var row = evt.target.closest("tr");
    if (row && !evt.target.closest("a, button, input, select, textarea, label")) {
      var radio = row.querySelector("input.row-select");
      if (radio && !radio.checked) {
        radio.checked = true;
        radio.dispatchEvent(new Event("change", { bubbles: true }));
      }
    }
  });

  function markSelection() {
    var rows = document.querySelectorAll("#main input.row-select");
    var any = false;
    Array.prototype.forEach.call(rows, function (radio) {
      var row = radio.closest("tr");
      if (row) row.classList.toggle("is-selected", radio.checked);
      any = any || radio.checked;
    });
    var move = document.getElementById("move-down-process");
    if (move) move.setAttribute("aria-disabled", String(!any));
  }
  document.addEventListener("change", function (evt) {
    if (evt.target.matches && evt.target.matches("input.row-select")) markSelection();
  });
  body.addEventListener("htmx:afterSettle", markSelection);

  // Calendar: the arrow keys page back and forth when nothing else takes them.
  document.addEventListener("keydown", function (evt) {
    if (evt.altKey || evt.ctrlKey || evt.metaKey || typing(evt.target) || document.querySelector("dialog[open]")) return;
    if (evt.key !== "ArrowLeft" && evt.key !== "ArrowRight") return;
    var link = document.querySelector('#main [aria-keyshortcuts="' + evt.key + '"]');
    if (link && !evt.target.closest('[role="tab"], [role="radiogroup"], input')) { evt.preventDefault(); link.click(); }
  });

  /* ---------- Steps done elsewhere, steps that arrive by polling ----------
     The Business process tasks list is brought up to date by a push or, with the
     socket down, by a poll. A step that leaves it was done (or given away) elsewhere:
     its dialog closes here too, unless this page is the one submitting it. A
     foreground step that arrives by polling opens its dialog, as a push would. */

  var knownTasks = taskKeys();
  var polled = false;

  function taskKeys() {
    var keys = {};
    var list = document.getElementById("process-task-list");
    if (!list) return keys;
    Array.prototype.forEach.call(list.querySelectorAll("li[data-step-key]"), function (entry) {
      keys[entry.dataset.stepKey] = entry;
    });
    return keys;
  }

  function followTasks() {
    var now = taskKeys();
    var fromPoll = polled;
    polled = false;
    stepDialogs().forEach(function (dialog) {
      var key = dialog.dataset.stepKey;
      if (!key || !knownTasks[key] || now[key]) return;
      if (dialog.querySelector(".htmx-request")) return;  // this page is answering it
      if (dialog === stepState.current) successToast(body.dataset.stepGone || "");
      closeStepDialog(dialog);
    });
    if (fromPoll) {
      Object.keys(now).forEach(function (key) {
        var entry = now[key];
        if (knownTasks[key] || !entry.hasAttribute("data-step-foreground")) return;
        var link = entry.querySelector("a[data-step-dialog]");
        if (link) openStep(link.getAttribute("href"), key, link.textContent.trim());
      });
    }
    knownTasks = now;
  }

  body.addEventListener("htmx:beforeRequest", function (evt) {
    var detail = evt.detail || {};
    if ((detail.elt && detail.elt.id === "live-poll") || (detail.target && detail.target.id === "live-poll")) polled = true;
  });
  var tasksPanel = document.getElementById("tabpanel-process-tasks");
  if (tasksPanel && window.MutationObserver) {
    new MutationObserver(followTasks).observe(tasksPanel, { childList: true });
  }

  queueArrivals();

  var formErrors = document.getElementById("form-errors");
  if (formErrors) {
    var firstInvalid = document.querySelector('#main [aria-invalid="true"]');
    (firstInvalid || formErrors).focus();
  }
})();

/* Process diagrams: bpmn-js NavigatedViewer from local static files, with the
   instance's element states (active, error, completed) drawn as markers. The
   Process log's live fragment carries the states as JSON; after each htmx swap
   the markers are drawn again, the diagram itself is never reloaded. */
(function () {
  "use strict";

  var STATES = ["active", "error", "completed"];
  var BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL";

  function readStates(container) {
    var id = container.dataset.states;
    var node = id && document.getElementById(id);
    if (!node) return {};
    try { return JSON.parse(node.textContent) || {}; } catch (e) { return {}; }
  }

  function applyMarkers(container) {
    var viewer = container._viewer;
    if (!viewer || !container.dataset.states) return;
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    var previous = container._marked || {};
    Object.keys(previous).forEach(function (id) {
      if (registry.get(id)) canvas.removeMarker(id, "state-" + previous[id]);
    });
    var states = readStates(container);
    var counts = { active: 0, error: 0, completed: 0 };
    Object.keys(states).forEach(function (id) {
      var state = states[id];
      if (STATES.indexOf(state) < 0 || !registry.get(id)) return;
      canvas.addMarker(id, "state-" + state);
      counts[state] += 1;
    });
    container._marked = states;
    container.dataset.activeCount = counts.active;
    container.dataset.errorCount = counts.error;
    container.dataset.completedCount = counts.completed;
  }

  function showMessage(container, text) {
    var message = container.querySelector("[data-diagram-message]");
    if (message) { message.textContent = text; message.hidden = false; }
  }

  function fit(container) {
    if (!container._viewer) return;
    var canvas = container._viewer.get("canvas");
    canvas.zoom("fit-viewport", "auto");
    // A little margin around the drawing, and never blown up past natural size.
    canvas.zoom(Math.min(canvas.zoom() * 0.9, 1), "auto");
  }

  /* A file without a layout for the process (hand-written BPMN) is laid out here by
     bpmn-auto-layout (static/vendor/esm, mapped in processes/includes/diagram.html).
     It lays out a file's first process: the wanted one is moved first. */
  function hasLayout(doc, processId) {
    var planes = doc.getElementsByTagNameNS("http://www.omg.org/spec/BPMN/20100524/DI", "BPMNPlane");
    return Array.prototype.some.call(planes, function (plane) {
      return !processId || plane.getAttribute("bpmnElement") === processId;
    });
  }

  // A node's missing <incoming>/<outgoing> (js/bpmn-links.js, loaded before this file).
  function linkFlows(doc, process) {
    return window.flowdeskBpmnLinks.linkFlows(doc, process);
  }

  async function laidOut(xml, processId) {
    var doc = new DOMParser().parseFromString(xml, "application/xml");
    if (doc.getElementsByTagName("parsererror").length || hasLayout(doc, processId)) return xml;
    var processes = doc.getElementsByTagNameNS(BPMN, "process");
    var wanted = Array.prototype.filter.call(processes, function (p) { return p.getAttribute("id") === processId; })[0];
    if (wanted && processes[0] !== wanted) {
      processes[0].parentNode.insertBefore(wanted, processes[0]);
      xml = new XMLSerializer().serializeToString(doc);
    }
    if (wanted && linkFlows(doc, wanted)) xml = new XMLSerializer().serializeToString(doc);
    var layout = await import("bpmn-auto-layout");
    return layout.layoutProcess(xml);
  }

  async function init(container) {
    if (container._viewer || typeof window.BpmnJS !== "function") return;
    var viewer = new window.BpmnJS({ container: container.querySelector("[data-diagram-canvas]") });
    container._viewer = viewer;
    try {
      var response = await fetch(container.dataset.diagramUrl, { credentials: "same-origin" });
      if (!response.ok) throw new Error("HTTP " + response.status);
      var wanted = container.dataset.processId;
      await viewer.importXML(await laidOut(await response.text(), wanted));
      var diagrams = (viewer.getDefinitions().diagrams || []);
      var match = diagrams.find(function (d) {
        return d.plane && d.plane.bpmnElement && d.plane.bpmnElement.id === wanted;
      });
      if (match && diagrams[0] !== match) await viewer.open(match);
      fit(container);
      applyMarkers(container);
      container.dataset.ready = "true";
    } catch (error) {
      container.dataset.ready = "error";
      showMessage(container, "The diagram could not be drawn: " + (error.message || error));
    }
  }

  function initAll() {
    document.querySelectorAll("[data-diagram-url]").forEach(init);
  }

  document.addEventListener("DOMContentLoaded", initAll);
  document.addEventListener("htmx:afterSettle", function () {
    document.querySelectorAll("[data-diagram-url]").forEach(applyMarkers);
    // The variables form is preserved across live swaps (typing survives); open it
    // when the instance has just failed, since fixing its cause starts there.
    var live = document.getElementById("instance-live");
    var card = document.getElementById("variables-card");
    if (live && card && live.dataset.status === "error" && !card.dataset.opened) {
      card.open = true;
      card.dataset.opened = "true";
    }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-diagram-fit]");
    if (button) fit(button.closest("[data-diagram-url]"));
    var opener = event.target.closest("[data-open-details]");
    if (opener) {
      var details = document.getElementById(opener.dataset.openDetails);
      if (details) { details.open = true; }
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
  }, true);
  window.addEventListener("resize", function () {
    document.querySelectorAll("[data-diagram-url]").forEach(fit);
  });
}());

/* Decision logic: dmn-js Viewer from local static files. The page names the
   decision (data-decision-id); the viewer opens that decision's table or literal
   expression, else the requirements diagram. The table is read-only. */
(function () {
  "use strict";

  function showMessage(container, text) {
    var message = container.querySelector("[data-decision-message]");
    if (message) { message.textContent = text; message.hidden = false; }
  }

  async function init(container) {
    if (container._viewer || typeof window.DmnJS !== "function") {
      if (typeof window.DmnJS !== "function") {
        container.dataset.ready = "error";
        showMessage(container, container.dataset.messageFailed);
      }
      return;
    }
    var viewer = new window.DmnJS({ container: container.querySelector("[data-decision-canvas]") });
    container._viewer = viewer;
    try {
      var response = await fetch(container.dataset.dmnUrl, { credentials: "same-origin" });
      if (!response.ok) throw new Error("HTTP " + response.status);
      await viewer.importXML(await response.text());
      var wanted = container.dataset.decisionId;
      var view = viewer.getViews().find(function (item) {
        return item.type !== "drd" && item.element && item.element.id === wanted;
      });
      if (view) await viewer.open(view);
      container.dataset.view = (viewer.getActiveView() || {}).type || "";
      container.dataset.ready = "true";
    } catch (error) {
      container.dataset.ready = "error";
      showMessage(container, container.dataset.messageFailed + " " + (error.message || error));
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-dmn-url]").forEach(init);
  });
}());

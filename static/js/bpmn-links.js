/* bpmn-auto-layout (and bpmn-js without a diagram) follow a node's <incoming> and
   <outgoing>; hand-written files often give only the flows' sourceRef and targetRef.
   linkFlows(doc, scope) adds what is missing under `scope` (a process, or the whole
   document) and says whether it added anything. Loaded as a script by the diagram
   pages (before js/process-diagram.js) and bundled into the designer. */
(function (root) {
  "use strict";

  var BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL";

  function linkFlows(doc, scope) {
    var changed = false;
    var byId = {};
    Array.prototype.forEach.call(scope.getElementsByTagName("*"), function (el) {
      if (el.getAttribute("id")) byId[el.getAttribute("id")] = el;
    });
    Array.prototype.forEach.call(scope.getElementsByTagNameNS(BPMN, "sequenceFlow"), function (flow) {
      var id = flow.getAttribute("id");
      [["sourceRef", "outgoing"], ["targetRef", "incoming"]].forEach(function (pair) {
        var node = byId[flow.getAttribute(pair[0])];
        if (!node) return;
        var listed = Array.prototype.some.call(node.getElementsByTagNameNS(BPMN, pair[1]), function (ref) {
          return ref.parentNode === node && ref.textContent.trim() === id;
        });
        if (listed) return;
        var ref = doc.createElementNS(BPMN, (flow.prefix ? flow.prefix + ":" : "") + pair[1]);
        ref.textContent = id;
        node.insertBefore(ref, node.firstChild);
        changed = true;
      });
    });
    return changed;
  }

  root.flowdeskBpmnLinks = { linkFlows: linkFlows };
})(typeof window !== "undefined" ? window : globalThis);

/* The process designer (Process library → New process / Edit as draft) and the
   version comparison, bundled by `make vendor` into static/vendor/designer.bundle.js.
   No inline script: the page's data-* attributes say where to load and save. */
import BpmnModeler from "bpmn-js/lib/Modeler";
import NavigatedViewer from "bpmn-js/lib/NavigatedViewer";
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from "bpmn-js-properties-panel";
import lintModule from "bpmn-js-bpmnlint";
import minimapModule from "diagram-js-minimap";
import { diff } from "bpmn-js-differ";
import { layoutProcess } from "bpmn-auto-layout";
import camundaModdle from "camunda-bpmn-moddle/resources/camunda.json";
import zeebeModdle from "zeebe-bpmn-moddle/resources/zeebe.json";

import flowdeskModdle from "./flowdesk-moddle.json";
import { flowdeskPropertiesModule, setChoices } from "./properties.jsx";
import { lintConfig } from "./lint.js";
import { t } from "./strings.js";
import "../../js/bpmn-links.js";

var ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0";

/* Camunda 7's and Zeebe's descriptors cannot be loaded together (both define
   modelerTemplate), so a model gets Zeebe's when it speaks Zeebe, else Camunda 7's.
   Attributes of the other one are still kept on save, as bpmn-moddle keeps any
   foreign attribute or element. */
function moddleExtensions(xml) {
  var vendor = xml.indexOf(ZEEBE_NS) >= 0 ? { zeebe: zeebeModdle } : { camunda: camundaModdle };
  return Object.assign({ flowdesk: flowdeskModdle }, vendor);
}

var BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL";

/* A node's missing <incoming>/<outgoing>, as the viewer adds them (js/bpmn-links.js). */
function linkFlows(doc) {
  window.flowdeskBpmnLinks.linkFlows(doc, doc);
}

/* bpmn-moddle drops the text of an expression that does not say its type
   (<conditionExpression>a == 1</conditionExpression>, as hand-written files and the
   importer allow): give such expressions the type bpmn-js writes, tFormalExpression. */
var EXPRESSIONS = ["conditionExpression", "condition", "timeDate", "timeDuration", "timeCycle",
  "completionCondition", "loopCardinality", "activationCondition", "messagePath", "dataPath"];
var XSI = "http://www.w3.org/2001/XMLSchema-instance";

function typeExpressions(doc) {
  var changed = false;
  EXPRESSIONS.forEach(function (tag) {
    Array.prototype.forEach.call(doc.getElementsByTagNameNS(BPMN, tag), function (el) {
      if (el.hasAttributeNS(XSI, "type")) return;
      el.setAttributeNS(XSI, "xsi:type", (el.prefix ? el.prefix + ":" : "") + "tFormalExpression");
      changed = true;
    });
  });
  return changed;
}

/* Hand-written files carry no diagram: lay them out before drawing (bpmn-auto-layout),
   flows included, so what the designer saves has a diagram for every element. */
function withLayout(xml) {
  var doc = new DOMParser().parseFromString(xml, "application/xml");
  if (doc.getElementsByTagName("parsererror").length) return Promise.resolve(xml);
  if (typeExpressions(doc)) xml = new XMLSerializer().serializeToString(doc);
  var DI = "http://www.omg.org/spec/BPMN/20100524/DI";
  var drawn = {};
  ["BPMNShape", "BPMNEdge"].forEach(function (tag) {
    Array.prototype.forEach.call(doc.getElementsByTagNameNS(DI, tag), function (el) {
      drawn[el.getAttribute("bpmnElement")] = true;
    });
  });
  var flows = doc.getElementsByTagNameNS(BPMN, "sequenceFlow");
  var complete = Object.keys(drawn).length > 0 && Array.prototype.every.call(flows, function (flow) {
    return drawn[flow.getAttribute("id")];
  });
  if (complete) return Promise.resolve(xml);
  // A diagram that leaves flows out is drawn anew: bpmn-js would not draw them at all.
  Array.prototype.slice.call(doc.getElementsByTagNameNS(DI, "BPMNDiagram")).forEach(function (el) {
    el.parentNode.removeChild(el);
  });
  linkFlows(doc);
  return layoutProcess(new XMLSerializer().serializeToString(doc));
}

function csrfToken() {
  var input = document.querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

function post(url, xml, fields) {
  var body = new FormData();
  body.append("xml", xml);
  Object.keys(fields || {}).forEach(function (name) { body.append(name, fields[name]); });
  return fetch(url, {
    method: "POST",
    body: body,
    headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
    credentials: "same-origin",
  }).then(function (response) {
    return response.json().catch(function () { return { problems: [{ message: t("server_error") }] }; })
      .then(function (data) { data.ok = response.ok; return data; });
  });
}

function elementName(registry, id) {
  var element = id && registry.get(id);
  var name = element && element.businessObject && element.businessObject.name;
  return name ? name + " (" + id + ")" : id || "";
}

/* ---------------------------------------------------------------- designer */

function Designer(root) {
  this.root = root;
  this.status = root.querySelector("[data-designer-status]");
  this.problemList = root.querySelector("[data-designer-problems]");
  this.lintIssues = [];
  this.serverProblems = [];
  root._designer = this;
}

Designer.prototype.create = function (xml) {
  var root = this.root;
  this.modeler = new BpmnModeler({
    container: root.querySelector("[data-designer-canvas]"),
    propertiesPanel: { parent: root.querySelector("[data-designer-properties]") },
    linting: { bpmnlint: lintConfig, active: true },
    additionalModules: [
      BpmnPropertiesPanelModule,
      BpmnPropertiesProviderModule,
      flowdeskPropertiesModule,
      minimapModule,
      lintModule,
    ],
    moddleExtensions: moddleExtensions(xml),
  });
  return this.modeler;
};

Designer.prototype.say = function (text, kind) {
  this.status.textContent = text;
  this.status.dataset.kind = kind || "";
};

Designer.prototype.start = function () {
  var self = this;
  var data = this.root.dataset;
  return Promise.all([
    fetch(data.choicesUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); }).catch(function () { return {}; }),
    fetch(data.modelUrl, { credentials: "same-origin" }).then(function (r) { return r.text(); }),
  ]).then(function (results) {
    setChoices(results[0]);
    return withLayout(results[1]);
  }).then(function (xml) {
    return self.create(xml).importXML(xml);
  }).then(function () {
    self.modeler.get("canvas").zoom("fit-viewport", "auto");
    self.bind();
    self.root.dataset.ready = "1";
    self.check();
  }).catch(function (error) {
    self.say(t("load_failed") + " " + (error && error.message || ""), "error");
  });
};

Designer.prototype.bind = function () {
  var self = this;
  var eventBus = this.modeler.get("eventBus");
  var timer = null;
  eventBus.on("linting.completed", function (event) {
    self.lintIssues = [];
    Object.keys(event.issues || {}).forEach(function (id) {
      event.issues[id].forEach(function (issue) {
        self.lintIssues.push({ element: id, message: issue.message, level: issue.category === "error" ? "error" : "warning", rule: issue.rule });
      });
    });
    self.render();
  });
  eventBus.on("commandStack.changed", function () {
    self.root.dataset.dirty = "1";
    // A refusal was about the model as it was: the Problems list tells what holds now.
    if (self.status.dataset.kind === "error") self.say("");
    clearTimeout(timer);
    timer = setTimeout(function () { self.check(); }, 800);
  });
  this.root.querySelectorAll("[data-designer-action]").forEach(function (button) {
    button.addEventListener("click", function () { self.act(button.dataset.designerAction); });
  });
  this.problemList.addEventListener("click", function (event) {
    var item = event.target.closest("[data-element]");
    var element = item && self.modeler.get("elementRegistry").get(item.dataset.element);
    if (element) {
      self.modeler.get("selection").select(element);
      self.modeler.get("canvas").scrollToElement(element);
    }
  });
  window.addEventListener("beforeunload", function (event) {
    if (self.root.dataset.dirty === "1") { event.preventDefault(); event.returnValue = ""; }
  });
};

Designer.prototype.act = function (action) {
  var modeler = this.modeler;
  var canvas = modeler.get("canvas");
  if (action === "undo") modeler.get("commandStack").undo();
  else if (action === "redo") modeler.get("commandStack").redo();
  else if (action === "zoom-in") modeler.get("zoomScroll").stepZoom(1);
  else if (action === "zoom-out") modeler.get("zoomScroll").stepZoom(-1);
  else if (action === "fit") canvas.zoom("fit-viewport", "auto");
  else if (action === "search") modeler.get("editorActions").trigger("find");
  else if (action === "minimap") modeler.get("minimap").toggle();
  else if (action === "save") this.save();
  else if (action === "publish") this.publish();
  else if (action === "test-panel") this.openTestPanel();
  else if (action === "test-run") this.testRun();
  else if (action === "export") this.exportFile();
};

Designer.prototype.xml = function () {
  return this.modeler.saveXML({ format: true }).then(function (result) { return result.xml; });
};

/* The real importer, in check mode on the server: refusals, blocks, warnings by element. */
Designer.prototype.check = function () {
  var self = this;
  return this.xml().then(function (xml) { return post(self.root.dataset.checkUrl, xml); }).then(function (data) {
    self.serverProblems = data.problems || [];
    self.render();
    return data;
  });
};

Designer.prototype.render = function () {
  var registry = this.modeler.get("elementRegistry");
  var overlays = this.modeler.get("overlays");
  var canvas = this.modeler.get("canvas");
  var self = this;
  overlays.remove({ type: "flowdesk-server" });
  (this._marked || []).forEach(function (id) { if (registry.get(id)) canvas.removeMarker(id, "server-problem"); });
  this._marked = [];
  var all = this.lintIssues.map(function (p) { return Object.assign({ source: "lint" }, p); })
    .concat(this.serverProblems.map(function (p) { return Object.assign({ source: "server" }, p); }));
  this.problemList.textContent = "";
  all.forEach(function (problem) {
    var li = document.createElement("li");
    li.className = "designer-problem designer-problem-" + problem.level;
    li.dataset.level = problem.level;
    li.dataset.source = problem.source;
    if (problem.element) li.dataset.element = problem.element;
    var where = document.createElement("strong");
    where.textContent = problem.element ? elementName(registry, problem.element) : t("whole_model");
    li.appendChild(where);
    li.appendChild(document.createTextNode(" " + problem.message));
    self.problemList.appendChild(li);
    if (problem.source === "server" && problem.element && registry.get(problem.element)) {
      canvas.addMarker(problem.element, "server-problem");
      self._marked.push(problem.element);
      var badge = document.createElement("div");
      badge.className = "server-problem-badge server-problem-" + problem.level;
      badge.title = problem.message;
      badge.textContent = "!";
      overlays.add(problem.element, "flowdesk-server", { position: { top: -10, left: -10 }, html: badge });
    }
  });
  var errors = all.filter(function (p) { return p.level === "error"; }).length;
  this.root.dataset.errors = errors;
  this.root.querySelector("[data-designer-problem-count]").textContent = all.length ? String(all.length) : "0";
  this.root.querySelector("[data-designer-problems-empty]").hidden = all.length > 0;
};

Designer.prototype.save = function () {
  var self = this;
  this.say(t("saving"));
  return this.xml().then(function (xml) { return post(self.root.dataset.saveUrl, xml); }).then(function (data) {
    if (!data.ok) { self.say(data.message || t("save_failed"), "error"); return data; }
    self.root.dataset.dirty = "";
    self.serverProblems = data.problems || [];
    self.render();
    self.say(data.message, "success");
    return data;
  });
};

/* Publishing: the lint errors block it here, naming the element; the server checks
   again with the importer and refuses with the importer's own message. */
Designer.prototype.publish = function () {
  var self = this;
  var registry = this.modeler.get("elementRegistry");
  return this.modeler.get("linting").lint().then(function (issues) {
    var blocking = [];
    Object.keys(issues || {}).forEach(function (rule) {
      issues[rule].forEach(function (issue) { if (issue.category === "error") blocking.push(issue); });
    });
    if (blocking.length) {
      self.say(t("publish_blocked") + " " + blocking.map(function (issue) {
        return elementName(registry, issue.id) + ": " + issue.message;
      }).join("; "), "error");
      return null;
    }
    self.say(t("publishing"));
    return self.xml().then(function (xml) { return post(self.root.dataset.publishUrl, xml); }).then(function (data) {
      if (!data.ok) {
        self.serverProblems = data.problems || [];
        self.render();
        self.say(data.message || t("publish_failed"), "error");
        return data;
      }
      self.root.dataset.dirty = "";
      window.location.assign(data.url);
      return data;
    });
  });
};

/* Test run: the panel under the toolbar takes the variables (a JSON object); the
   server saves the draft, checks it as publishing does and starts an instance of it,
   whose log page (live highlighting) opens in a new tab; a link stays in the panel. */
Designer.prototype.openTestPanel = function () {
  var panel = this.root.querySelector("[data-designer-test]");
  panel.hidden = false;
  panel.querySelector("textarea").focus();
};

Designer.prototype.testRun = function () {
  var self = this;
  var panel = this.root.querySelector("[data-designer-test]");
  var errors = panel.querySelector("[data-designer-test-errors]");
  var result = panel.querySelector("[data-designer-test-result]");
  var variables = panel.querySelector("textarea").value;
  errors.textContent = "";
  result.hidden = true;
  this.say(t("test_running"));
  return this.xml().then(function (xml) {
    return post(self.root.dataset.testUrl, xml, { variables: variables });
  }).then(function (data) {
    if (!data.ok) {
      (data.errors || []).forEach(function (message) {
        var li = document.createElement("li");
        li.textContent = message;
        errors.appendChild(li);
      });
      if (data.problems && data.problems.length) { self.serverProblems = data.problems; self.render(); }
      self.say(data.message || t("test_failed"), "error");
      return data;
    }
    self.root.dataset.dirty = "";
    var link = result.querySelector("a");
    link.href = data.url;
    link.textContent = t("test_started").replace("%s", data.instance);
    result.hidden = false;
    self.say(t("test_started").replace("%s", data.instance), "success");
    window.open(data.url, "_blank", "noopener");
    return data;
  });
};

Designer.prototype.exportFile = function () {
  var self = this;
  return this.xml().then(function (xml) {
    var link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([xml], { type: "application/xml" }));
    link.download = (self.root.dataset.filename || "process") + ".bpmn";
    document.body.appendChild(link);
    link.click();
    link.remove();
  });
};

/* ---------------------------------------------------------------- compare */

function loadViewer(container, url) {
  var viewer;
  return fetch(url, { credentials: "same-origin" }).then(function (r) { return r.text(); })
    .then(withLayout)
    .then(function (xml) {
      viewer = new NavigatedViewer({ container: container, moddleExtensions: moddleExtensions(xml) });
      return viewer.importXML(xml);
    })
    .then(function () { viewer.get("canvas").zoom("fit-viewport", "auto"); return viewer; });
}

function mark(viewer, ids, marker) {
  var registry = viewer.get("elementRegistry");
  var canvas = viewer.get("canvas");
  ids.forEach(function (id) { if (registry.get(id)) canvas.addMarker(id, marker); });
}

function compare(root) {
  var data = root.dataset;
  Promise.all([
    loadViewer(root.querySelector("[data-compare-old]"), data.oldUrl),
    loadViewer(root.querySelector("[data-compare-new]"), data.newUrl),
  ]).then(function (viewers) {
    var result = diff(viewers[0].getDefinitions(), viewers[1].getDefinitions());
    var added = Object.keys(result._added);
    var removed = Object.keys(result._removed);
    var changed = Object.keys(result._changed);
    var moved = Object.keys(result._layoutChanged).filter(function (id) { return changed.indexOf(id) < 0; });
    mark(viewers[0], removed, "diff-removed");
    mark(viewers[0], changed, "diff-changed");
    mark(viewers[1], added, "diff-added");
    mark(viewers[1], changed, "diff-changed");
    mark(viewers[1], moved, "diff-moved");
    var list = root.querySelector("[data-compare-list]");
    function row(kind, id, element, attrs) {
      var li = document.createElement("li");
      li.className = "diff-item diff-item-" + kind;
      li.dataset.kind = kind;
      li.dataset.element = id;
      var badge = document.createElement("span");
      badge.className = "diff-badge";
      badge.textContent = t("diff_" + kind);
      li.appendChild(badge);
      var name = element && element.name ? element.name + " (" + id + ")" : id;
      li.appendChild(document.createTextNode(" " + name + (attrs ? " — " + attrs.join(", ") : "")));
      list.appendChild(li);
    }
    added.forEach(function (id) { row("added", id, result._added[id]); });
    removed.forEach(function (id) { row("removed", id, result._removed[id]); });
    changed.forEach(function (id) {
      var change = result._changed[id];
      row("changed", id, change.model, Object.keys(change.attrs || {}));
    });
    moved.forEach(function (id) { row("moved", id, result._layoutChanged[id]); });
    root.querySelector("[data-compare-empty]").hidden = added.length + removed.length + changed.length + moved.length > 0;
    root.dataset.added = added.length;
    root.dataset.removed = removed.length;
    root.dataset.changed = changed.length;
    root.dataset.ready = "1";
  }).catch(function (error) {
    root.querySelector("[data-compare-empty]").textContent = t("load_failed") + " " + (error && error.message || "");
  });
}

function boot() {
  var designer = document.querySelector("[data-designer]");
  if (designer) new Designer(designer).start();
  var comparison = document.querySelector("[data-compare]");
  if (comparison) compare(comparison);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
else boot();


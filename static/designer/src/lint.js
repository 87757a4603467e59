/* bpmnlint for the designer: a few of bpmnlint's own rules, and Flowdesk's rules that
   mirror what the importer refuses (processes/engine/bpmn/parse.py,
   processes/user_steps/checks.py) or blocks (processes/engine/bindings.py). The server
   check (the real importer) stays the judge; these rules only tell the modeller early. */
import { is, isAny } from "bpmnlint-utils";

import endEventRequired from "bpmnlint/rules/end-event-required";
import startEventRequired from "bpmnlint/rules/start-event-required";
import noDisconnected from "bpmnlint/rules/no-disconnected";
import noDuplicateSequenceFlows from "bpmnlint/rules/no-duplicate-sequence-flows";
import conditionalFlows from "bpmnlint/rules/conditional-flows";

import { t } from "./strings.js";

function attr(node, name) {
  var value = node.get ? node.get("flowdesk:" + name) : undefined;
  return typeof value === "string" ? value.trim() : "";
}

function listOf(text) {
  return text.split(/[;,]/).map(function (item) { return item.trim(); }).filter(Boolean);
}

/* A user step's page: the importer refuses a question without answers, an edit page
   without a model, an auto-generated page field that does not read name:kind:Label. */
function userStepPage() {
  var KINDS = ["text", "number", "date", "bool"];
  function check(node, reporter) {
    if (!isAny(node, ["bpmn:UserTask", "bpmn:ManualTask"])) return;
    var page = attr(node, "page") || "task";
    if (page === "question" && !listOf(attr(node, "answers")).length) {
      reporter.report(node.id, t("lint_no_answers"));
    } else if (page === "edit" && !attr(node, "model")) {
      reporter.report(node.id, t("lint_no_model"));
    } else if (page === "auto") {
      attr(node, "fields").split(";").map(function (s) { return s.trim(); }).filter(Boolean)
        .forEach(function (field) {
          var parts = field.split(":");
          var kind = parts[1] || "";
          var ok = parts.length >= 3 && parts[0] && (KINDS.indexOf(kind) >= 0 || (kind === "lookup" && parts.length >= 4));
          if (!ok) reporter.report(node.id, t("lint_bad_field").replace("%s", field));
        });
    } else if (["task", "question", "edit", "auto", "email"].indexOf(page) < 0) {
      reporter.report(node.id, t("lint_bad_page").replace("%s", page));
    }
  }
  return { check: check };
}

/* Every service, send and business-rule task must run something: an action, a
   decision, an external-task topic, or (send task) its message. */
function boundTasks() {
  function hasVendorBinding(node) {
    var names = ["camunda:class", "camunda:delegateExpression", "camunda:expression", "camunda:topic",
      "camunda:decisionRef", "spiffworkflow:calledDecisionId"];
    for (var i = 0; i < names.length; i += 1) {
      if (node.get && node.get(names[i])) return true;
    }
    var extensions = node.extensionElements && node.extensionElements.values || [];
    return extensions.some(function (item) {
      return isAny(item, ["zeebe:TaskDefinition", "zeebe:CalledDecision", "camunda:Connector"]) ||
        /serviceTaskOperator|calledDecisionId/.test(item.$type || "");
    });
  }
  function check(node, reporter) {
    if (!isAny(node, ["bpmn:ServiceTask", "bpmn:SendTask", "bpmn:BusinessRuleTask"])) return;
    if (attr(node, "action") || attr(node, "decision") || hasVendorBinding(node)) return;
    if (is(node, "bpmn:SendTask")) return; // sends its message, else the task's name
    if (is(node, "bpmn:BusinessRuleTask")) {
      reporter.report(node.id, t("lint_no_decision"));
    } else {
      reporter.report(node.id, t("lint_unbound"));
    }
  }
  return { check: check };
}

/* The elements the importer does not run. */
function supportedElements() {
  var REFUSED = ["bpmn:ComplexGateway", "bpmn:AdHocSubProcess", "bpmn:ChoreographyTask", "bpmn:CallChoreography"];
  function check(node, reporter) {
    if (isAny(node, REFUSED)) {
      reporter.report(node.id, t("lint_unsupported").replace("%s", node.$type.replace("bpmn:", "")));
    }
  }
  return { check: check };
}

/* The process needs an id the library can use as its code. */
function processCode() {
  function check(node, reporter) {
    if (!is(node, "bpmn:Process")) return;
    if (!node.isExecutable) reporter.report(node.id, t("lint_not_executable"));
  }
  return { check: check };
}

var cache = {
  "bpmnlint/end-event-required": endEventRequired,
  "bpmnlint/start-event-required": startEventRequired,
  "bpmnlint/no-disconnected": noDisconnected,
  "bpmnlint/no-duplicate-sequence-flows": noDuplicateSequenceFlows,
  "bpmnlint/conditional-flows": conditionalFlows,
  "bpmnlint-plugin-flowdesk/user-step-page": userStepPage,
  "bpmnlint-plugin-flowdesk/bound-tasks": boundTasks,
  "bpmnlint-plugin-flowdesk/supported-elements": supportedElements,
  "bpmnlint-plugin-flowdesk/executable": processCode,
};

function Resolver() {}
Resolver.prototype.resolveRule = function (pkg, ruleName) {
  var rule = cache[pkg + "/" + ruleName];
  if (!rule) throw new Error("cannot resolve rule <" + pkg + "/" + ruleName + ">");
  return rule;
};
Resolver.prototype.resolveConfig = function (pkg, configName) {
  throw new Error("cannot resolve config <" + configName + "> in <" + pkg + ">");
};

export var lintConfig = {
  resolver: new Resolver(),
  config: {
    rules: {
      "end-event-required": "error",
      "start-event-required": "error",
      "no-disconnected": "warn",
      "no-duplicate-sequence-flows": "error",
      "conditional-flows": "error",
      "flowdesk/user-step-page": "error",
      "flowdesk/bound-tasks": "warn",
      "flowdesk/supported-elements": "error",
      "flowdesk/executable": "error",
    },
  },
};

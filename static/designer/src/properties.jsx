/* The Flowdesk groups of the properties panel: a user step's owner and page, what a
   service or business-rule task runs, a start event's record model and trigger, and a
   sequence flow's condition with its language. Each entry edits one attribute of the
   flowdesk: namespace (flowdesk-moddle.json) through modeling, so undo/redo covers it. */
import {
  CheckboxEntry,
  SelectEntry,
  TextAreaEntry,
  TextFieldEntry,
  isCheckboxEntryEdited,
  isSelectEntryEdited,
  isTextAreaEntryEdited,
  isTextFieldEntryEdited,
} from "@bpmn-io/properties-panel";
import { useService } from "bpmn-js-properties-panel";
import { getBusinessObject, is, isAny } from "bpmn-js/lib/util/ModelUtil";

import { t } from "./strings.js";

var choices = { users: [], roles: [], models: [], actions: [], decisions: [] };

export function setChoices(value) {
  choices = Object.assign(choices, value || {});
}

function read(element, attr) {
  var value = getBusinessObject(element).get(attr);
  return value === undefined || value === null ? "" : String(value);
}

function useWrite(element, attr) {
  var modeling = useService("modeling");
  return function (value) {
    var props = {};
    props[attr] = value === "" || value === false || value === undefined ? undefined : String(value);
    modeling.updateProperties(element, props);
  };
}

function Text(props) {
  var debounce = useService("debounceInput");
  return (
    <TextFieldEntry
      id={props.id}
      element={props.element}
      label={props.label}
      description={props.description}
      placeholder={props.placeholder}
      debounce={debounce}
      getValue={function () { return read(props.element, props.attr); }}
      setValue={useWrite(props.element, props.attr)}
    />
  );
}

function Area(props) {
  var debounce = useService("debounceInput");
  return (
    <TextAreaEntry
      id={props.id}
      element={props.element}
      label={props.label}
      description={props.description}
      debounce={debounce}
      rows={3}
      getValue={function () { return read(props.element, props.attr); }}
      setValue={useWrite(props.element, props.attr)}
    />
  );
}

function Check(props) {
  var write = useWrite(props.element, props.attr);
  return (
    <CheckboxEntry
      id={props.id}
      element={props.element}
      label={props.label}
      description={props.description}
      getValue={function () { return read(props.element, props.attr) === "true"; }}
      setValue={function (value) { write(value ? "true" : ""); }}
    />
  );
}

/* A select over fixed or server-given options; a value the list does not hold (an
   expression, a user created later) stays selectable as itself. */
function Choice(props) {
  var write = useWrite(props.element, props.attr);
  function options() {
    var list = [{ value: "", label: props.empty || t("none") }].concat(
      typeof props.options === "function" ? props.options() : props.options
    );
    var current = read(props.element, props.attr);
    if (current && !list.some(function (o) { return o.value === current; })) {
      list.push({ value: current, label: current });
    }
    return list;
  }
  return (
    <SelectEntry
      id={props.id}
      element={props.element}
      label={props.label}
      description={props.description}
      getValue={function () { return read(props.element, props.attr); }}
      setValue={write}
      getOptions={options}
    />
  );
}

function ownerOptions() {
  return choices.users.map(function (u) { return { value: u.value, label: u.label }; }).concat(
    choices.roles.map(function (r) { return { value: "role:" + r.value, label: t("role_prefix") + " " + r.label }; })
  );
}

function roleOptions() {
  return choices.roles.map(function (r) { return { value: r.value, label: r.label }; });
}

function modelOptions() {
  return choices.models.map(function (m) { return { value: m.value, label: m.label }; });
}

function actionOptions() {
  return choices.actions.map(function (a) { return { value: a, label: a }; });
}

function decisionOptions() {
  return choices.decisions.map(function (d) { return { value: d.value, label: d.label }; });
}

var PAGES = function () {
  return [
    { value: "task", label: t("page_task") },
    { value: "question", label: t("page_question") },
    { value: "edit", label: t("page_edit") },
    { value: "auto", label: t("page_auto") },
    { value: "email", label: t("page_email") },
  ];
};

function entry(kind, attr, label, extra) {
  var isEdited = { Text: isTextFieldEntryEdited, Area: isTextAreaEntryEdited, Check: isCheckboxEntryEdited, Choice: isSelectEntryEdited }[kind];
  var component = { Text: Text, Area: Area, Check: Check, Choice: Choice }[kind];
  return Object.assign({ id: "flowdesk-" + attr, attr: "flowdesk:" + attr, label: label, component: component, isEdited: isEdited }, extra || {});
}

function userStepEntries(element) {
  var page = read(element, "flowdesk:page") || "task";
  var entries = [
    entry("Choice", "owner", t("owner"), { options: ownerOptions, empty: t("owner_default"), description: t("owner_help") }),
    entry("Text", "owner", t("owner_expression"), { id: "flowdesk-owner-expression", placeholder: "=record.assignee" }),
    entry("Choice", "ownerRole", t("owner_role"), { options: roleOptions }),
    entry("Choice", "page", t("page"), { options: PAGES, empty: t("page_task") }),
    entry("Check", "background", t("background"), { description: t("background_help") }),
    entry("Area", "hint", t("hint")),
    entry("Check", "createActivity", t("create_activity")),
    entry("Text", "results", t("results"), { placeholder: "Completed" }),
  ];
  if (page === "question") {
    entries.push(
      entry("Text", "answers", t("answers"), { description: t("answers_help") }),
      entry("Check", "multiple", t("multiple")),
      entry("Text", "variable", t("variable"), { placeholder: "answer" })
    );
  } else if (page === "edit") {
    entries.push(
      entry("Choice", "model", t("model"), { options: modelOptions }),
      entry("Text", "record", t("record"), { placeholder: "=record.id" }),
      entry("Text", "resultVariable", t("result_variable"), { placeholder: "record_id" }),
      entry("Text", "fields", t("fields"), { description: t("edit_fields_help") }),
      entry("Text", "condition", t("edit_condition"))
    );
  } else if (page === "auto") {
    entries.push(
      entry("Area", "fields", t("fields"), { description: t("auto_fields_help") }),
      entry("Text", "buttons", t("buttons"))
    );
  } else if (page === "email") {
    entries.push(
      entry("Text", "to", t("email_to")),
      entry("Text", "subject", t("email_subject")),
      entry("Area", "body", t("email_body"))
    );
  }
  return entries;
}

/* An external-task topic is Camunda's: camunda:type="external" camunda:topic="T". */
function Topic(props) {
  var modeling = useService("modeling");
  var debounce = useService("debounceInput");
  return (
    <TextFieldEntry
      id={props.id}
      element={props.element}
      label={t("topic")}
      description={t("topic_help")}
      debounce={debounce}
      getValue={function () { return read(props.element, "camunda:topic"); }}
      setValue={function (value) {
        modeling.updateProperties(props.element, {
          "camunda:type": value ? "external" : undefined,
          "camunda:topic": value || undefined,
        });
      }}
    />
  );
}

var LANGUAGES = function () {
  return [
    { value: "python", label: t("lang_python") },
    { value: "feel", label: t("lang_feel") },
    { value: "juel", label: t("lang_juel") },
  ];
};

function conditionOf(element) {
  return getBusinessObject(element).get("conditionExpression");
}

function Condition(props) {
  var modeling = useService("modeling");
  var factory = useService("bpmnFactory");
  var debounce = useService("debounceInput");
  return (
    <TextFieldEntry
      id={props.id}
      element={props.element}
      label={t("condition")}
      description={t("condition_help")}
      placeholder="answer == 'Yes'"
      debounce={debounce}
      getValue={function () { var c = conditionOf(props.element); return (c && c.get("body")) || ""; }}
      setValue={function (value) {
        var current = conditionOf(props.element);
        var expression;
        if (value) {
          expression = factory.create("bpmn:FormalExpression", { body: value });
          if (current && current.get("language")) expression.set("language", current.get("language"));
        }
        modeling.updateProperties(props.element, { conditionExpression: expression });
      }}
    />
  );
}

function Language(props) {
  var modeling = useService("modeling");
  var factory = useService("bpmnFactory");
  return (
    <SelectEntry
      id={props.id}
      element={props.element}
      label={t("language")}
      description={t("language_help")}
      getValue={function () { var c = conditionOf(props.element); return (c && c.get("language")) || ""; }}
      setValue={function (value) {
        var current = conditionOf(props.element);
        var expression = factory.create("bpmn:FormalExpression", { body: (current && current.get("body")) || "" });
        if (value) expression.set("language", value);
        modeling.updateProperties(props.element, { conditionExpression: expression });
      }}
      getOptions={function () { return [{ value: "", label: t("lang_detect") }].concat(LANGUAGES()); }}
    />
  );
}

function flowsFromChoice(element) {
  var source = element.source && getBusinessObject(element.source);
  return source && isAny(source, ["bpmn:ExclusiveGateway", "bpmn:InclusiveGateway", "bpmn:Activity"]) &&
    !(source.get("default") && source.get("default").id === getBusinessObject(element).id);
}

function groupsFor(element) {
  var bo = getBusinessObject(element);
  var groups = [];
  if (isAny(bo, ["bpmn:UserTask", "bpmn:ManualTask"])) {
    groups.push({ id: "flowdesk-step", label: t("group_step"), entries: userStepEntries(element) });
  } else if (is(bo, "bpmn:BusinessRuleTask")) {
    groups.push({ id: "flowdesk-decision", label: t("group_decision"), entries: [
      entry("Choice", "decision", t("decision"), { options: decisionOptions }),
      entry("Text", "resultVariable", t("result_variable"), { placeholder: t("decision_result_placeholder") }),
    ] });
  } else if (isAny(bo, ["bpmn:ServiceTask", "bpmn:SendTask", "bpmn:ScriptTask"])) {
    var entries = [entry("Choice", "action", t("action"), { options: actionOptions, description: t("action_help") })];
    if (!is(bo, "bpmn:ScriptTask")) entries.push({ id: "flowdesk-topic", component: Topic, isEdited: isTextFieldEntryEdited });
    entries.push(entry("Text", "resultVariable", t("result_variable")));
    groups.push({ id: "flowdesk-runs", label: t("group_runs"), entries: entries });
  } else if (is(bo, "bpmn:StartEvent") && !(bo.eventDefinitions && bo.eventDefinitions.length)) {
    groups.push({ id: "flowdesk-start", label: t("group_start"), entries: [
      entry("Choice", "model", t("start_model"), { options: modelOptions, description: t("start_model_help") }),
      entry("Choice", "trigger", t("trigger"), { options: [
        { value: "added", label: t("trigger_added") },
        { value: "modified", label: t("trigger_modified") },
        { value: "deleted", label: t("trigger_deleted") },
      ] }),
      entry("Text", "filter", t("filter")),
    ] });
  } else if (is(bo, "bpmn:SequenceFlow") && flowsFromChoice(element)) {
    groups.push({ id: "flowdesk-condition", label: t("group_condition"), entries: [
      { id: "flowdesk-condition-body", component: Condition, isEdited: isTextFieldEntryEdited },
      { id: "flowdesk-condition-language", component: Language, isEdited: isSelectEntryEdited },
    ] });
  }
  return groups;
}

export function FlowdeskPropertiesProvider(propertiesPanel) {
  propertiesPanel.registerProvider(400, this);
}
FlowdeskPropertiesProvider.prototype.getGroups = function (element) {
  return function (groups) {
    var ours = groupsFor(element);
    // Ours go right after General (name and id), before documentation and the rest.
    var at = groups.findIndex(function (g) { return g.id === "general"; });
    groups.splice(at < 0 ? 0 : at + 1, 0, ...ours);
    return groups;
  };
};
FlowdeskPropertiesProvider.$inject = ["propertiesPanel"];

export var flowdeskPropertiesModule = {
  __init__: ["flowdeskPropertiesProvider"],
  flowdeskPropertiesProvider: ["type", FlowdeskPropertiesProvider],
};

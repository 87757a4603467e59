// Registers the flowdesk: moddle descriptor with the Camunda Modeler (what
// camunda-modeler-plugin-helpers' registerBpmnModdleExtension does, without a build).
// The descriptor is the designer's own: static/designer/src/flowdesk-moddle.json
// (tests/processes/test_designer_descriptors.py keeps the two the same).
(function () {
  var descriptor = {
    "name": "Flowdesk",
    "prefix": "flowdesk",
    "uri": "https://flowdesk.dev/bpmn",
    "xml": {
      "tagAlias": "lowerCase"
    },
    "associations": [],
    "types": [
      {
        "name": "Attributes",
        "isAbstract": true,
        "extends": [
          "bpmn:BaseElement"
        ],
        "properties": [
          {
            "name": "page",
            "isAttr": true,
            "type": "String"
          },
          {
            "name": "owner",
            "isAttr": true,
            "type": "String"
          },
          {
            "name": "ownerRole",
            "isAttr": true,
            "type": "String"
          },
          {
            "name": "background",
            "isAttr": true,
            "type": "String"
          },
          {
            "name": "hint",
            "isAttr": true,
            "type": "String"
          },
          {
            "name": "createActivity",
            "isAttr": true,
            "type": "String"
          },
          {
            "name": "results",
            "isAttr": true,
            "type": "String"
          },
          {
            "name": "answers",
            "isAttr": true,
            "type": "String"
          },
          {
            "name": "multiple",
            "isAttr": true,
            "type": "String"
          },
          {
            "name": "variable",
            "isAttr": true,
            "type": "String"
          },
          {
            "name": "model",
            "isAttr": true,
            "type": "String"
          },
          {
            "name": "record",
            "isAttr": true,
            "type": "String"
          },
          {
            "name": "fields",
            "isAttr": true,
            "type": "String"
          },
          {
            "name": "buttons",
            "isAttr": true,
            "type": "String"
          },
          {
            "name": "subject",
            "isAttr": true,
            "type": "String"
          },
          {
            "name": "trigger",
            "isAttr": true,
            "type": "String"
          },
          {
            "name": "filter",
            "isAttr": true,
            "type": "String"
          },
          {
            "name": "action",
            "isAttr": true,
            "type": "String"
          },
          {
            "name": "operation",
            "isAttr": true,
            "type": "String"
          },
          {
            "name": "formula",
            "isAttr": true,
            "type": "String"
          },
          {
            "name": "decision",
            "isAttr": true,
            "type": "String"
          },
          {
            "name": "inputs",
            "isAttr": true,
            "type": "String"
          },
          {
            "name": "where",
            "isAttr": true,
            "type": "String"
          },
          {
            "name": "values",
            "isAttr": true,
            "type": "String"
          }
        ]
      },
      {
        "name": "PageAttributes",
        "isAbstract": true,
        "extends": [
          "bpmn:UserTask",
          "bpmn:ManualTask",
          "bpmn:ReceiveTask"
        ],
        "properties": [
          {
            "name": "condition",
            "isAttr": true,
            "type": "String"
          },
          {
            "name": "to",
            "isAttr": true,
            "type": "String"
          },
          {
            "name": "body",
            "isAttr": true,
            "type": "String"
          },
          {
            "name": "resultVariable",
            "isAttr": true,
            "type": "String"
          }
        ]
      }
    ],
    "enumerations": []
  };
  window.plugins = window.plugins || [];
  window.plugins.push({ type: "bpmn.modeler.moddleExtension", plugin: descriptor });
})();

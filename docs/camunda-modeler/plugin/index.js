// Camunda Modeler plugin: teaches the modeler Flowdesk's flowdesk: namespace, so the
// element templates beside this folder can edit its attributes. Copy this folder to
// the modeler's resources/plugins/flowdesk and restart it.
module.exports = {
  name: "Flowdesk BPMN extensions",
  script: "./client.js",
};

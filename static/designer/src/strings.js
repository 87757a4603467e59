/* The designer's words, translated by the server (processes/designer.py, json_script
   "designer-strings"); a missing key shows the key, never nothing. */
var strings = null;

export function t(key) {
  if (strings === null) {
    var node = document.getElementById("designer-strings");
    try { strings = node ? JSON.parse(node.textContent) : {}; } catch (e) { strings = {}; }
  }
  return Object.prototype.hasOwnProperty.call(strings, key) ? strings[key] : key;
}

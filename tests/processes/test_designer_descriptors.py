"""The flowdesk: descriptor the designer loads, the Camunda Modeler plugin and element
templates in docs/camunda-modeler: they name the same attributes, and every attribute
the documentation describes."""

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DESCRIPTOR = ROOT / "static" / "designer" / "src" / "flowdesk-moddle.json"
MODELER = ROOT / "docs" / "camunda-modeler"


def declared() -> set[str]:
    """Every attribute the descriptor declares (on some element type: `body`, `condition`,
    `to` and `resultVariable` name properties of BPMN's or Camunda's own types too, so they
    are declared on the user steps only; moddle refuses one local name twice on a type)."""
    descriptor = json.loads(DESCRIPTOR.read_text())
    return {prop["name"] for kind in descriptor["types"] for prop in kind["properties"]}


def test_the_camunda_modeler_plugin_registers_the_designers_own_descriptor():
    script = (MODELER / "plugin" / "client.js").read_text()
    inline = re.search(r"var descriptor = (\{.*?\n  \});", script, re.S).group(1)
    assert json.loads(inline) == json.loads(DESCRIPTOR.read_text())


def test_every_element_template_binds_a_declared_flowdesk_attribute():
    templates = json.loads((MODELER / "flowdesk-element-templates.json").read_text())
    bound = {
        prop["binding"]["name"].removeprefix("flowdesk:")
        for template in templates
        for prop in template["properties"]
    }
    assert bound <= declared()
    assert {"owner", "page", "answers", "action", "decision", "model"} <= bound


def test_every_documented_flowdesk_attribute_is_declared():
    docs = (ROOT / "docs" / "bpmn-extensions.md").read_text()
    documented = set(re.findall(r"flowdesk:([A-Za-z]+)", docs))
    assert documented <= declared(), documented - declared()

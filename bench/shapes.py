"""BPMN 2.0 documents for the engine benchmark, generated in code.

The same XML is imported by Flowdesk and parsed by SpiffWorkflow; the
viewflow flows in bench/vfapp/flows.py mirror these shapes node for node.

Shapes:
  a    start -> script (x = x + 1) -> end
  b    start -> exclusive gateway (x > 5 -> "high", default -> "low") -> end
  cN   start -> parallel split -> N scripts (b<i> = x + i) -> parallel join -> end
  d    start -> user task (completed in code with {"approved": True}) -> end
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
PARALLEL_SIZES = (10, 50, 200)


@dataclass(frozen=True)
class Shape:
    key: str  # "a", "b", "c10", ...
    process_id: str
    title: str
    xml: str
    branches: int = 0  # N for the parallel shape, else 0
    user_task: bool = False
    script_tasks: int = 1  # script tasks every instance runs


def _document(process_id: str, body: list[str]) -> str:
    inner = "\n".join(f"    {line}" for line in body)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<bpmn:definitions xmlns:bpmn="{BPMN_NS}" id="Definitions_{process_id}"'
        ' targetNamespace="https://flowdesk.dev/bench">\n'
        f'  <bpmn:process id="{process_id}" name="{process_id}" isExecutable="true">\n'
        f"{inner}\n"
        "  </bpmn:process>\n"
        "</bpmn:definitions>\n"
    )


def _flow(flow_id: str, source: str, target: str, condition: str | None = None) -> str:
    if condition is None:
        return f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}" />'
    return (
        f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}">'
        f"<bpmn:conditionExpression>{escape(condition)}</bpmn:conditionExpression>"
        "</bpmn:sequenceFlow>"
    )


def _script(task_id: str, source: str) -> str:
    return (
        f'<bpmn:scriptTask id="{task_id}" name="{task_id}">'
        f"<bpmn:script>{escape(source)}</bpmn:script></bpmn:scriptTask>"
    )


def shape_a() -> Shape:
    pid = "bench_a"
    body = [
        '<bpmn:startEvent id="start" />',
        _flow("f1", "start", "inc"),
        _script("inc", "x = x + 1"),
        _flow("f2", "inc", "end"),
        '<bpmn:endEvent id="end" />',
    ]
    return Shape("a", pid, "start -> script -> end", _document(pid, body))


def shape_b() -> Shape:
    pid = "bench_b"
    body = [
        '<bpmn:startEvent id="start" />',
        _flow("f1", "start", "gw"),
        '<bpmn:exclusiveGateway id="gw" default="f_low" />',
        _flow("f_high", "gw", "high", "x > 5"),
        _flow("f_low", "gw", "low"),
        _script("high", "y = x * 2"),
        _script("low", "y = x + 100"),
        _flow("f3", "high", "end_high"),
        _flow("f4", "low", "end_low"),
        '<bpmn:endEvent id="end_high" />',
        '<bpmn:endEvent id="end_low" />',
    ]
    return Shape("b", pid, "exclusive gateway, 2 branches", _document(pid, body))


def shape_c(n: int) -> Shape:
    pid = f"bench_c{n}"
    body = [
        '<bpmn:startEvent id="start" />',
        _flow("f_start", "start", "split"),
        '<bpmn:parallelGateway id="split" />',
        '<bpmn:parallelGateway id="join" />',
    ]
    for i in range(n):
        body.append(_flow(f"f_in_{i}", "split", f"t{i}"))
        body.append(_script(f"t{i}", f"b{i} = x + {i}"))
        body.append(_flow(f"f_out_{i}", f"t{i}", "join"))
    body += [_flow("f_end", "join", "end"), '<bpmn:endEvent id="end" />']
    return Shape(
        f"c{n}",
        pid,
        f"parallel split/join, N={n}",
        _document(pid, body),
        branches=n,
        script_tasks=n,
    )


def shape_d() -> Shape:
    pid = "bench_d"
    body = [
        '<bpmn:startEvent id="start" />',
        _flow("f1", "start", "approve"),
        '<bpmn:userTask id="approve" name="Approve" />',
        _flow("f2", "approve", "end"),
        '<bpmn:endEvent id="end" />',
    ]
    return Shape(
        "d",
        pid,
        "one user task, completed in code",
        _document(pid, body),
        user_task=True,
        script_tasks=0,
    )


def all_shapes() -> list[Shape]:
    return [shape_a(), shape_b(), *(shape_c(n) for n in PARALLEL_SIZES), shape_d()]


def start_variables(shape: Shape, i: int) -> dict:
    """Variables instance `i` starts with; shape b alternates its branch."""
    if shape.key == "b":
        return {"x": 7 if i % 2 else 3}
    return {"x": i}

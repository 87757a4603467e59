"""The immutable model of one parsed BPMN process.

`bpmn.parse_bpmn` builds these objects; the executor in `runtime` only reads
them. Every lookup the executor makes per step (outgoing flows, boundary
events, the start events of a scope, which open tokens can still reach an
inclusive join) is precomputed here so that stepping stays cheap.

Compiled expressions are kept beside their source text; equality compares
the source text only, so parse -> export -> parse gives equal graphs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# Element kinds (the BPMN tag name) grouped by what the executor does with them.
EVENT_KINDS = frozenset(
    {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}
)
GATEWAY_KINDS = frozenset(
    {"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway"}
)
USER_TASK_KINDS = frozenset({"userTask", "manualTask", "task", "receiveTask"})
TASK_KINDS = USER_TASK_KINDS | frozenset(
    {"scriptTask", "serviceTask", "sendTask", "businessRuleTask"}
)
# Scopes of their own elements: embedded sub-processes and transactions.
SCOPE_KINDS = frozenset({"subProcess", "transaction"})
ACTIVITY_KINDS = TASK_KINDS | SCOPE_KINDS | frozenset({"callActivity"})
FLOW_NODE_KINDS = EVENT_KINDS | GATEWAY_KINDS | ACTIVITY_KINDS


@dataclass(frozen=True, slots=True)
class Code:
    """A compiled expression or script with its source text."""

    source: str
    language: str | None = None
    compiled: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class EventDefinition:
    """What an event waits for or throws.

    kind: 'none' | 'message' | 'signal' | 'timer' | 'error' | 'escalation' | 'conditional'
    | 'link' | 'compensate' | 'cancel' | 'multiple' | 'terminate' | 'record'.
    name: the message / signal / error / escalation / link name (the referenced
    element's name, or its id).
    error_code: the error's or the escalation's code ('' catches every one).
    condition: a conditional event's condition.
    activity: a compensation throw's activityRef ('' compensates the whole scope).
    """

    kind: str
    id: str = ""
    ref: str = ""
    name: str = ""
    error_code: str = ""
    timer_kind: str = ""
    timer: Code | None = None
    payload: Code | None = None
    variable: str = ""
    trigger: str = ""
    condition: Code | None = None
    activity: str = ""
    # kind 'multiple': the event's definitions; `parallel` (parallelMultiple) waits
    # for all of them, else the first one wins.
    parts: tuple[EventDefinition, ...] = ()
    parallel: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class MultiInstance:
    """How a multi-instance activity loops: count or collection, sequential or parallel."""

    is_sequential: bool = False
    cardinality: Code | None = None
    input_collection: str = ""
    input_item: str = ""
    output_collection: str = ""
    output_item: str = ""
    completion_condition: Code | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class StandardLoop:
    """A standard loop: the activity runs again while `condition` holds, at most
    `maximum` times; `test_before` also tests the condition before the first run."""

    condition: Code | None = None
    test_before: bool = False
    maximum: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Listener:
    """A Camunda execution or task listener: at `event` ('start': the element starts,
    a user task is created; 'end': it ends, a user task is completed) Flowdesk runs
    `code` (a JUEL expression or a Python script it can run itself), else the action
    registered as `binding`."""

    event: str
    implementation: str
    binding: str = ""
    code: Code | None = None
    is_script: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Element:
    """One flow node. Subclasses add what their family needs."""

    id: str
    kind: str
    name: str = ""
    scope: str | None = None
    incoming: tuple[str, ...] = ()
    outgoing: tuple[str, ...] = ()
    boundaries: tuple[str, ...] = ()
    lane: str = ""
    ext: dict[str, str] = field(default_factory=dict)
    # What vendor extensions (camunda:assignee, formData, ...) map onto, under
    # flowdesk: attribute names; a flowdesk: attribute in `ext` wins over it.
    vendor: dict[str, str] = field(default_factory=dict)
    documentation: str = ""
    loop: MultiInstance | None = None
    standard_loop: StandardLoop | None = None
    listeners: tuple[Listener, ...] = ()
    # Zeebe ioMapping: (target, source) pairs. Inputs become the step's own local
    # variables as it starts; outputs are written outside it as it completes.
    io_inputs: tuple[tuple[str, Code], ...] = ()
    io_outputs: tuple[tuple[str, Code], ...] = ()

    @property
    def label(self) -> str:
        """The element's name, or its id when it has none (for messages)."""
        return self.name or self.id

    @property
    def settings(self) -> dict[str, str]:
        """The flowdesk: attributes with what vendor extensions map onto beneath them."""
        if not self.vendor:
            return self.ext
        return {**self.vendor, **self.ext}


@dataclass(frozen=True, slots=True, kw_only=True)
class Event(Element):
    """A start, end, intermediate or boundary event."""

    definition: EventDefinition = field(default_factory=lambda: EventDefinition(kind="none"))
    attached_to: str | None = None
    cancel_activity: bool = True
    # A start event of an event sub-process: whether it interrupts the enclosing scope.
    is_interrupting: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class Gateway(Element):
    """An exclusive, parallel, inclusive or event-based gateway."""

    default: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceOperator:
    """A SpiffWorkflow service task operator: action name, parameters, result variable."""

    name: str
    parameters: tuple[tuple[str, Code], ...] = ()
    result_variable: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Task(Element):
    """userTask, manualTask, task, receiveTask, scriptTask, serviceTask, sendTask,
    businessRuleTask."""

    script: Code | None = None
    action: str = ""
    operator: ServiceOperator | None = None
    message: str = ""
    result_variable: str = ""
    default: str | None = None
    # A vendor implementation Flowdesk runs through a registered action of this name
    # (camunda:class, camunda:delegateExpression, camunda:expression, a connector).
    implementation: str = ""
    binding: str = ""
    # An external-task topic (camunda:type="external", zeebe:taskDefinition): the
    # step waits until an external worker completes it.
    topic: str = ""
    # SpiffArena pre- and post-scripts, run before the task starts and as it completes.
    pre_script: Code | None = None
    post_script: Code | None = None
    # A camunda:expression Flowdesk can evaluate itself (JUEL, with the safe
    # `execution` calls); an action registered under its text still wins.
    expression: Code | None = None
    # Camunda field injections and input parameters, passed to a bound action as params.
    params: tuple[tuple[str, Code], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class VendorNote:
    """One vendor extension met at import and what Flowdesk does with it.

    treatment: 'honoured' (runs as the source engine runs it), 'mapped' (onto a
    Flowdesk mechanism), 'bound' (runs through a registered action), 'ignored'
    (does not change what runs; `reason` says why) or 'unbound' (blocks activation).
    """

    element_id: str
    kind: str
    extension: str
    value: str = ""
    treatment: str = "ignored"
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class SubProcess(Element):
    """An embedded sub-process or a transaction: a scope of its own elements. An
    event sub-process (`triggered_by_event`) has no flows: its start event's
    trigger starts it inside the enclosing scope while that scope is active."""

    default: str | None = None
    triggered_by_event: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class CallActivity(Element):
    """A call of another process, with Camunda in/out variable mappings."""

    called_element: str = ""
    # (source, target) pairs; source '*' means all variables.
    in_mappings: tuple[tuple[str, str], ...] = ()
    out_mappings: tuple[tuple[str, str], ...] = ()
    default: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SequenceFlow:
    """A sequence flow, with its condition when it has one."""

    id: str
    source: str
    target: str
    name: str = ""
    condition: Code | None = None
    is_default: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Lane:
    """A lane and the elements in it."""

    id: str
    name: str
    elements: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ProcessGraph:
    """One executable process: its elements, flows and nested scopes.

    `scope_starts[None]` are the top-level start events; `scope_starts[sp_id]`
    the start events inside sub-process `sp_id`.
    """

    id: str
    name: str = ""
    is_executable: bool = True
    elements: dict[str, Element] = field(default_factory=dict)
    flows: dict[str, SequenceFlow] = field(default_factory=dict)
    lanes: tuple[Lane, ...] = ()
    scope_starts: dict[str | None, tuple[str, ...]] = field(default_factory=dict)
    # scope (None: the process; else a sub-process id) -> its event sub-processes.
    event_subprocesses: dict[str | None, tuple[str, ...]] = field(default_factory=dict)
    # scope -> link name -> the catching link event's id.
    links: dict[str | None, dict[str, str]] = field(default_factory=dict)
    # Whether any conditional event waits in this process (they are re-evaluated at rest).
    has_conditions: bool = False
    # activity id -> (its compensation boundary event, the compensation handler).
    compensation: dict[str, tuple[str, str]] = field(default_factory=dict)
    # Every vendor extension met at import, in document order (see `bindings`).
    vendor_notes: tuple[VendorNote, ...] = field(default=(), compare=False, repr=False)
    # message name -> the retrieval expressions of its correlation properties
    # (BPMN correlationProperty): a waiting catch's key, and a thrown message's.
    correlations: dict[str, tuple[Code, ...]] = field(default_factory=dict)
    # element id -> its predecessors (incoming flows' sources; a boundary event's
    # activity), computed at import in one pass.
    predecessors: dict[str, tuple[str, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )
    # converging gateway id -> element id -> the gateway's incoming flows a token at
    # that element can still reach without passing the gateway. Filled by
    # `join_reach` the first time a join needs it, never at import.
    join_reaches: dict[str, dict[str, frozenset[str]]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @property
    def start_events(self) -> tuple[str, ...]:
        """The process's top-level start events."""
        return self.scope_starts.get(None, ())

    def join_reach(self, join_id: str) -> dict[str, frozenset[str]]:
        """Which incoming flows of converging gateway `join_id` a token at each element
        can still reach without passing the gateway (elements that reach none are left out).

        Computed on first use and kept: one backward walk per incoming flow over the
        join's upstream. Doing this for every join at import made a long chain of
        joins quadratic to import; a join that waits at rest is rare and asks once.
        """
        found = self.join_reaches.get(join_id)
        if found is not None:
            return found
        reach: dict[str, set[str]] = {}
        predecessors = self.predecessors
        for flow_id in self.elements[join_id].incoming:
            seen: set[str] = set()
            pending = [self.flows[flow_id].source]
            while pending:
                current = pending.pop()
                if current in seen or current == join_id:
                    continue
                seen.add(current)
                reach.setdefault(current, set()).add(flow_id)
                pending.extend(predecessors.get(current, ()))
        found = {element_id: frozenset(flows) for element_id, flows in reach.items()}
        # Two threads computing the same entry store equal values: no lock needed.
        self.join_reaches[join_id] = found
        return found

    def element(self, element_id: str) -> Element:
        """The element with this id."""
        return self.elements[element_id]

    def outgoing(self, element_id: str) -> list[SequenceFlow]:
        """The outgoing flows of an element."""
        return [self.flows[f] for f in self.elements[element_id].outgoing]


def split_list(text: str) -> list[str]:
    """'a, b; c' -> ['a', 'b', 'c']: lists in flowdesk: attributes (a user step's
    results, answers, buttons) take commas or semicolons; blank items are dropped."""
    return [part.strip() for part in re.split(r"[,;]", text or "") if part.strip()]

"""Scenarios for the project's own BPMN models (tests/engine/models/).

The models were written for these tests from the BPMN 2.0 semantics of each
element the engine runs; together they cover every element kind, so the
engine's tests need nothing beside the repository. Each scenario uses the
`Scenario` of tests/engine/conformance.py with `directory=MODELS`: the same
table runs in memory (`run_scenario`, tests/engine/test_own_models.py) and
through PostgreSQL (`run_scenario_db`, tests/processes/test_conformance_db.py).
"""

from __future__ import annotations

from pathlib import Path

from processes.engine import BpmnError

from .conformance import Scenario, ended

MODELS = Path(__file__).parent / "models"


# -- checks that look at instances other than the main one ------------------------


def instances_of(process_id: str, count: int, *, status: str | None = None):
    def check(world) -> None:
        found = [i for i in world.instances.values() if i.process_id == process_id]
        if status is not None:
            found = [i for i in found if i.status == status]
        assert len(found) == count, [(i.process_id, i.status) for i in world.instances.values()]

    return ("check", check)


def path_of(process_id: str, expected: list[str], *, status: str | None = None):
    """Every instance of the process completed exactly these elements, in step order."""

    def check(world) -> None:
        found = [i for i in world.instances.values() if i.process_id == process_id]
        assert found, f"no instance of {process_id}"
        for inst in found:
            assert world.path(inst) == expected, world.path(inst)
            if status is not None:
                assert inst.status == status, inst.status

    return ("check", check)


def vars_of(process_id: str, expected: dict):
    def check(world) -> None:
        found = [i.variables for i in world.instances.values() if i.process_id == process_id]
        assert found == [expected], found

    return ("check", check)


def values_of(process_id: str, name: str, expected: list):
    """The variable `name` of every instance of the process, sorted."""

    def check(world) -> None:
        found = sorted(
            i.variables.get(name) for i in world.instances.values() if i.process_id == process_id
        )
        assert found == expected, found

    return ("check", check)


def upper_verdict(variables: dict) -> dict:
    return {"verdict": variables["chapter"].upper()}


# -- actions the system-task models name --------------------------------------------


def charge_card(ctx) -> str:
    """tests.charge_card: a receipt number, or a BPMN error for an expired card."""
    if ctx.variables["card"] == "expired":
        raise BpmnError("CARD_EXPIRED", "the card has expired")
    return "R-" + ctx.variables["card"]


def discount_rule(ctx) -> int:
    """tests.discount_rule: 10 (%) from a subtotal above 100."""
    return 10 if ctx.variables["subtotal"] > 100 else 0


def save_basket(ctx) -> int:
    """tests.save_basket: records how many lines it saved, returns the basket's id."""
    ctx.variables["saved_lines"] = len(ctx.variables["lines"])
    return 41


ORDER_ACTIONS = {"tests.charge_card": charge_card}
BASKET_ACTIONS = {"tests.discount_rule": discount_rule, "tests.save_basket": save_basket}


def own(file: str, process: str, runs: list, **kwargs) -> Scenario:
    return Scenario(file, process, runs=runs, directory=MODELS, **kwargs)


# -- the table: scenario id -> scenario ---------------------------------------------

OWN_SCENARIOS: dict[str, Scenario] = {
    "exclusive_gateway_with_default": own(
        "exclusive_default.bpmn",
        "own_exclusive",
        runs=[
            (
                {"amount": 50},
                [
                    ended(),
                    ("path", ["submitted", "route", "auto_approve", "decided", "done"]),
                    ("vars", {"amount": 50, "approved": True, "approver": "system"}),
                ],
            ),
            (
                {"amount": 500},
                [
                    ("tasks", ["Manager approval"]),
                    ("complete", "Manager approval", {"approved": True, "approver": "Mo"}),
                    ended(),
                    ("path", ["submitted", "route", "manager_approval", "decided", "done"]),
                    ("vars", {"amount": 500, "approved": True, "approver": "Mo"}),
                ],
            ),
            ({"amount": 50000}, [("tasks", ["Board approval"]), ("ended", False)]),
        ],
    ),
    "parallel_split_and_join": own(
        "parallel.bpmn",
        "own_parallel",
        runs=[
            (
                {"quantity": 3},
                [
                    ("tasks", ["Check the stock", "Write the terms"]),
                    ("vars", {"quantity": 3, "price": 36}),
                    ("complete", "Write the terms", {"terms_text": "net 30"}),
                    ("tasks", ["Check the stock"]),
                    ("log_lacks", "offer"),
                    ("complete", "Check the stock"),
                    ended(),
                    (
                        "path",
                        [
                            *("start", "split", "price", "terms", "stock"),
                            *("join", "join", "join", "offer", "end"),
                        ],
                    ),
                    (
                        "vars",
                        {
                            "quantity": 3,
                            "price": 36,
                            "terms_text": "net 30",
                            "offer": "3 pieces at 36, net 30",
                        },
                    ),
                ],
            ),
        ],
    ),
    "inclusive_split_and_merge": own(
        "inclusive.bpmn",
        "own_inclusive",
        runs=[
            (
                {"channels": ["email"]},
                [
                    ended(),
                    (
                        "path",
                        [
                            *("start", "channels_split", "send_email"),
                            *("channels_merge", "log_contact", "end"),
                        ],
                    ),
                    ("vars", {"channels": ["email"], "emailed": True, "notified": True}),
                ],
            ),
            (
                {"channels": ["email", "phone"]},
                [
                    # The merge waits for the phone call the split started.
                    ("tasks", ["Call the customer"]),
                    ("log_lacks", "log_contact"),
                    ("complete", "Call the customer"),
                    ended(),
                    (
                        "path",
                        [
                            *("start", "channels_split", "send_email", "phone_call"),
                            *("channels_merge", "channels_merge", "log_contact", "end"),
                        ],
                    ),
                    ("log_lacks", "write_letter"),
                ],
            ),
            (
                {"channels": []},
                [
                    ended(),
                    (
                        "path",
                        [
                            *("start", "channels_split", "write_letter"),
                            *("channels_merge", "log_contact", "end"),
                        ],
                    ),
                    ("vars", {"channels": [], "lettered": True, "notified": True}),
                ],
            ),
        ],
    ),
    "event_based_gateway": own(
        "event_based.bpmn",
        "own_event_based",
        runs=[
            (
                {},
                [
                    ("waiting", ["closed", "reply", "three_days"]),
                    ("message", "Customer replied", {"text": "Yes, please"}),
                    ("waiting", []),
                    ("log_has", "three_days", "canceled"),
                    ("log_has", "closed", "canceled"),
                    ("complete", "Read the reply"),
                    ended(),
                    ("path", ["start", "wait", "reply", "read_reply", "answered"]),
                    ("vars", {"text": "Yes, please"}),
                ],
            ),
            (
                {},
                [
                    ("advance", 3 * 86400 - 1),
                    ("waiting", ["closed", "reply", "three_days"]),
                    ("advance", 1),
                    ended(),
                    ("path", ["start", "wait", "three_days", "remind", "reminder_sent"]),
                    ("log_has", "reply", "canceled"),
                    ("vars", {"reminded": True}),
                ],
            ),
            (
                {},
                [
                    ("signal", "Campaign closed"),
                    ended(),
                    ("path", ["start", "wait", "closed", "dropped"]),
                    ("timer_jobs", 0),
                ],
            ),
        ],
    ),
    "intermediate_events_and_signal_start": own(
        "intermediate_events.bpmn",
        "own_shipping",
        runs=[
            (
                {},
                [
                    ("start", "own_warehouse", {"parcel_no": "P-1", "weight": 2.5}),
                    ("waiting", ["cool_off"]),
                    ("advance", 7199),
                    ("waiting", ["cool_off"]),
                    ("advance", 1),
                    ("waiting", ["packed"]),
                    ("complete", "Pack the parcel"),
                    ("waiting", ["truck"]),
                    ("vars", {"packed": {"parcel": "P-1", "weight": 2.5}}),
                    instances_of("own_day_report", 0),
                    ("complete", "Load the truck"),
                    ended(),
                    (
                        "path",
                        ["ordered", "cool_off", "packed", "truck", "milestone", "shipped"],
                    ),
                    path_of(
                        "own_warehouse",
                        ["w_start", "pack", "tell_packed", "load", "tell_truck", "day_over"],
                        status="completed",
                    ),
                    # The signal end event started the process with the signal start.
                    instances_of("own_day_report", 1, status="running"),
                    ("tasks", ["Write the day report"]),
                ],
            ),
            (
                {},
                [
                    # A message nobody waits for yet is not kept for later.
                    ("start", "own_warehouse", {"parcel_no": "P-2", "weight": 1}),
                    ("complete", "Pack the parcel"),
                    ("advance", 7200),
                    ("waiting", ["packed"]),
                    ("vars", {}),
                ],
            ),
        ],
    ),
    "timer_start_events": own(
        "start_timer.bpmn",
        "",
        runs=[
            (
                {},
                [
                    ("timer_jobs", 2),
                    ("advance", 3599),
                    instances_of("own_hourly_check", 0),
                    ("advance", 1),
                    instances_of("own_hourly_check", 1),
                    ("advance", 3600),
                    instances_of("own_hourly_check", 2),
                    instances_of("own_new_year", 0),
                    ("advance", 7200),
                    # R2: two starts, then the cycle is over; the date fired once.
                    instances_of("own_hourly_check", 2),
                    instances_of("own_new_year", 1),
                    ("timer_jobs", 0),
                    ("advance", 86400),
                    instances_of("own_new_year", 1),
                    ("tasks", ["Archive last year", "Look at the queue", "Look at the queue"]),
                ],
            ),
        ],
    ),
    "message_start_event": own(
        "start_message.bpmn",
        "",
        runs=[
            (
                {},
                [
                    ("message", "Lead arrived", {"company": "Acme"}),
                    ("message", "Lead arrived", {"company": "Beta"}),
                    instances_of("own_lead_intake", 2, status="running"),
                    ("tasks", ["Qualify the lead", "Qualify the lead"]),
                    values_of("own_lead_intake", "company", ["Acme", "Beta"]),
                ],
            ),
        ],
    ),
    "terminate_end_events": own(
        "terminate_end.bpmn",
        "own_terminate",
        runs=[
            (
                {},
                [
                    ("tasks", ["Answer the survey", "Find duplicates", "Read the ticket"]),
                    # Inside the sub-process: ends the sub-process only.
                    ("complete", "Find duplicates"),
                    ("log_has", "read_ticket", "canceled"),
                    ("tasks", ["Answer the survey", "Resolve the ticket"]),
                    # At the top: ends the instance, withdrawing the survey.
                    ("complete", "Resolve the ticket"),
                    ended(),
                    ("log_has", "survey", "canceled"),
                    ("log_lacks", "survey_done"),
                    (
                        "path",
                        [
                            *("start", "split", "triage", "t_start", "t_split"),
                            *("find_duplicates", "t_enough", "resolve", "closed"),
                        ],
                    ),
                ],
            ),
        ],
    ),
    "error_events": own(
        "errors.bpmn",
        "own_order",
        actions=ORDER_ACTIONS,
        runs=[
            (
                {"stock": 5, "quantity": 2, "card": "1234"},
                [
                    ended(),
                    (
                        "path",
                        [
                            *("start", "reserve", "r_start", "r_check", "r_reserve"),
                            *("r_end", "charge", "paid"),
                        ],
                    ),
                    ("vars_include", {"reserved": 2, "receipt": "R-1234"}),
                ],
            ),
            (
                # The error end event inside is caught on the sub-process.
                {"stock": 1, "quantity": 2, "card": "1234"},
                [
                    ("tasks", ["Tell the customer about the backorder"]),
                    ("log_has", "reserve", "canceled"),
                    ("path", ["start", "r_start", "r_check", "r_out", "no_stock"]),
                    ("log_lacks", "charge"),
                ],
            ),
            (
                # The action's error is caught by the boundary without errorRef.
                {"stock": 5, "quantity": 2, "card": "expired"},
                [
                    ("tasks", ["Ask for another card"]),
                    ("log_has", "charge", "canceled"),
                    ("log_has", "charge_failed", "completed"),
                    ("complete", "Ask for another card"),
                    ended(),
                    ("vars", {"stock": 5, "quantity": 2, "card": "expired", "reserved": 2}),
                ],
            ),
        ],
    ),
    "uncaught_error": own(
        "errors.bpmn",
        "own_uncaught",
        actions=ORDER_ACTIONS,
        runs=[
            (
                {},
                [
                    ("status", "error"),
                    ("error_at", "u_fail", "BPMN error CARD_DECLINED was thrown"),
                    ("error_at", "u_fail", "nothing caught it"),
                ],
            ),
        ],
    ),
    "call_activity": own(
        "call_activity.bpmn",
        "own_billing",
        runs=[
            (
                {"order_no": 7, "customer": "Ada"},
                [
                    ("instances", 2),
                    # Only the mapped variable crosses into the called process.
                    vars_of("own_invoicing", {"order": 7}),
                    ("complete", "Check the order", {"correct": True}),
                    ended(),
                    ("all_ended",),
                    ("path", ["start", "invoice", "billed"]),
                    path_of("own_invoicing", ["i_start", "i_check", "i_ok", "i_write", "i_end"]),
                    # ... and only the mapped one comes back.
                    ("vars", {"order_no": 7, "customer": "Ada", "invoice_no": "INV-7"}),
                ],
            ),
            (
                {"order_no": 8, "customer": "Bo"},
                [
                    ("complete", "Check the order", {"correct": False}),
                    ("tasks", ["Fix the order"]),
                    ("log_has", "invoice", "canceled"),
                    ("path", ["start", "rejected"]),
                    ("complete", "Fix the order"),
                    ended(),
                    ("vars", {"order_no": 8, "customer": "Bo"}),
                ],
            ),
        ],
    ),
    "boundary_timers": own(
        "boundary_events.bpmn",
        "own_boundary_timers",
        runs=[
            (
                {"reminders": 0},
                [
                    ("waiting", ["deadline", "nag"]),
                    ("advance", 3600),
                    # Non-interrupting: the reminder runs, the task stays.
                    ("tasks", ["Approve the request"]),
                    ("vars", {"reminders": 1}),
                    ("advance", 3600),
                    ("vars", {"reminders": 2}),
                    ("waiting", ["deadline"]),
                    ("advance", 3600),
                    ("vars", {"reminders": 2}),
                    ("complete", "Approve the request"),
                    ended(),
                    ("log_has", "deadline", "canceled"),
                    ("log_lacks", "escalate"),
                    ("timer_jobs", 0),
                ],
            ),
            (
                {"reminders": 0},
                [
                    ("advance", 3600),
                    ("advance", 3600),
                    ("advance", 86400 - 7200),
                    # Interrupting: the task is withdrawn, the escalation waits.
                    ("tasks", ["Decide in place of the approver"]),
                    ("log_has", "approve", "canceled"),
                    ("vars", {"reminders": 2}),
                    ("timer_jobs", 0),
                    ("complete", "Decide in place of the approver"),
                    ended(),
                    ("log_lacks", "approved"),
                ],
            ),
        ],
    ),
    "boundary_message_and_signal": own(
        "boundary_events.bpmn",
        "own_boundary_events",
        runs=[
            (
                {},
                [
                    ("signal", "Policy changed"),
                    ("tasks", ["Handle the request", "Read the new policy"]),
                    ("signal", "Policy changed"),
                    (
                        "tasks",
                        ["Handle the request", "Read the new policy", "Read the new policy"],
                    ),
                    ("message", "Request withdrawn"),
                    ("log_has", "handle", "canceled"),
                    ("log_has", "policy", "canceled"),
                    ("tasks", ["Read the new policy", "Read the new policy"]),
                    ("complete", "Read the new policy"),
                    ("complete", "Read the new policy"),
                    ended(),
                    ("log_lacks", "handled"),
                ],
            ),
            (
                {},
                [
                    ("complete", "Handle the request"),
                    ended(),
                    ("path", ["e_start", "handle", "handled"]),
                    ("message", "Request withdrawn"),
                    ("signal", "Policy changed"),
                    ("path", ["e_start", "handle", "handled"]),
                ],
            ),
        ],
    ),
    "sub_process": own(
        "subprocess.bpmn",
        "own_subprocess",
        runs=[
            (
                {"name": "Ada"},
                [
                    ("tasks", ["Enter the address"]),
                    ("complete", "Enter the address", {"city": "London"}),
                    ("tasks", ["Print the badge"]),
                    ("log_has", "too_slow", "canceled"),
                    ("complete", "Print the badge"),
                    ended(),
                    ("vars", {"name": "Ada", "city": "London", "badge": "Ada (London)"}),
                    (
                        "path",
                        [
                            *("start", "details", "d_start", "d_address", "d_label"),
                            *("d_end", "print", "end"),
                        ],
                    ),
                ],
            ),
            (
                {"name": "Ada"},
                [
                    ("advance", 7 * 86400),
                    ended(),
                    ("log_has", "details", "canceled"),
                    ("log_has", "d_address", "canceled"),
                    ("path", ["start", "too_slow", "d_start", "given_up"]),
                    ("vars", {"name": "Ada"}),
                ],
            ),
        ],
    ),
    "multi_instance_parallel": own(
        "multi_instance.bpmn",
        "own_mi_parallel",
        runs=[
            (
                {"chapters": ["Intro", "Method", "Results"]},
                [
                    ("tasks", ["Review a chapter"] * 3),
                    # Completed out of order, the outputs keep the items' order.
                    (
                        "complete_where",
                        "Review a chapter",
                        lambda v: v["chapter"] == "Results",
                        upper_verdict,
                    ),
                    ("task_count", 2),
                    ("complete_each", "Review a chapter", upper_verdict),
                    ended(),
                    (
                        "vars",
                        {
                            "chapters": ["Intro", "Method", "Results"],
                            "reviews": ["INTRO", "METHOD", "RESULTS"],
                        },
                    ),
                ],
            ),
            ({"chapters": []}, [ended(), ("vars", {"chapters": [], "reviews": []})]),
        ],
    ),
    "multi_instance_sequential": own(
        "multi_instance.bpmn",
        "own_mi_sequential",
        runs=[
            (
                {"copies": 3, "prefix": "C"},
                [
                    ended(),
                    ("path", ["s_start", "number", "number", "number", "number", "s_end"]),
                    ("vars", {"copies": 3, "prefix": "C", "labels": ["C-1", "C-2", "C-3"]}),
                ],
            ),
        ],
    ),
    "multi_instance_completion_condition": own(
        "multi_instance.bpmn",
        "own_mi_first_yes",
        runs=[
            (
                {"colleagues": ["ann", "bob", "cy"]},
                [
                    ("task_count", 3),
                    (
                        "complete_where",
                        "Ask a colleague",
                        lambda v: v["colleague"] == "ann",
                        lambda v: {"answer": "no"},
                    ),
                    ("task_count", 2),
                    (
                        "complete_where",
                        "Ask a colleague",
                        lambda v: v["colleague"] == "bob",
                        lambda v: {"answer": "yes"},
                    ),
                    ended(),
                    ("log_has", "ask", "canceled"),
                    ("vars", {"colleagues": ["ann", "bob", "cy"], "answers": ["no", "yes"]}),
                ],
            ),
        ],
    ),
    "user_steps_of_every_page": own(
        "user_steps.bpmn",
        "own_user_steps",
        runs=[
            (
                {},
                [
                    ("tasks", ["Call the customer"]),
                    ("page", "Call the customer", "task"),
                    ("lane", "Call the customer", "Sales"),
                    ("complete_with", "Call the customer", {}, "Reached"),
                    ("page", "Is the customer interested?", "question"),
                    ("complete", "Is the customer interested?", {"interest": "Yes"}),
                    ("page", "Complete the contact", "edit"),
                    ("complete", "Complete the contact", {"record_id": 5}),
                    ("page", "Agree the terms", "auto"),
                    ("lane", "Agree the terms", "Finance"),
                    (
                        "complete_with",
                        "Agree the terms",
                        {"discount": 5, "start_on": "2030-02-01", "button": "Accept"},
                        "Accept",
                    ),
                    ("page", "Send the proposal", "email"),
                    (
                        "complete",
                        "Send the proposal",
                        {"email_to": "ada@example.com", "email_subject": "Your proposal"},
                    ),
                    ("tasks", ["Sign the contract on paper"]),
                    ("complete", "Sign the contract on paper"),
                    ("lane", "File the contract", "Finance"),
                    ("complete", "File the contract"),
                    ended(),
                    (
                        "path",
                        [
                            *("start", "call", "interested", "is_interested", "edit_contact"),
                            *("terms", "proposal_mail", "sign", "file_contract", "won"),
                        ],
                    ),
                    (
                        "vars",
                        {
                            "interest": "Yes",
                            "record_id": 5,
                            "discount": 5,
                            "start_on": "2030-02-01",
                            "button": "Accept",
                            "email_to": "ada@example.com",
                            "email_subject": "Your proposal",
                            # The "Perform task" result, for the gateways after it.
                            "task_result": "Reached",
                        },
                    ),
                ],
            ),
            (
                {},
                [
                    ("complete_with", "Call the customer", {}, "Not reached"),
                    ("complete", "Is the customer interested?", {"interest": "No"}),
                    ended(),
                    ("path", ["start", "call", "interested", "is_interested", "lost"]),
                ],
            ),
        ],
    ),
    "script_formula_and_action_tasks": own(
        "system_tasks.bpmn",
        "own_system_tasks",
        actions=BASKET_ACTIONS,
        runs=[
            (
                {"lines": [{"price": 60, "qty": 2}, {"price": 2.5, "qty": 4}]},
                [
                    ended(),
                    ("path", ["start", "subtotal", "vat", "discount", "save", "end"]),
                    (
                        "vars",
                        {
                            "lines": [{"price": 60, "qty": 2}, {"price": 2.5, "qty": 4}],
                            "subtotal": 130.0,
                            "vat": 26.0,
                            "discount": 10,
                            "saved_lines": 2,
                            "basket_id": 41,
                        },
                    ),
                ],
            ),
            (
                {"lines": [{"price": 3, "qty": 1}]},
                [ended(), ("vars_include", {"subtotal": 3, "vat": 0.6, "discount": 0})],
            ),
        ],
    ),
    "send_and_receive_between_pools": own(
        "send_receive.bpmn",
        "own_purchase",
        runs=[
            (
                {},
                [
                    ("instances", 2),
                    ("ready", "Pay the invoice"),
                    path_of("own_shop", ["s_start", "send_invoice"], status="running"),
                    ("complete", "Pay the invoice", {"paid": 120}),
                    ended(),
                    ("all_ended",),
                    (
                        "path",
                        [
                            *("c_start", "receive_invoice", "pay"),
                            *("send_payment", "receipt", "c_end"),
                        ],
                    ),
                    path_of(
                        "own_shop",
                        ["s_start", "send_invoice", "receive_payment", "receipt_sent"],
                        status="completed",
                    ),
                ],
            ),
        ],
    ),
}


# -- the elements of issue 13: event sub-processes, escalation, conditional events,
# links, references ----------------------------------------------------------------

OWN_SCENARIOS.update(
    {
        "event_subprocesses": own(
            "event_subprocesses.bpmn",
            "own_event_subprocesses",
            runs=[
                (
                    # Nothing fires: the listeners are withdrawn when the order ends.
                    {"stock": 5, "quantity": 2, "reminders": 0, "who": "x"},
                    [
                        ("waiting", ["c_start", "m_start", "p_start"]),
                        ("timer_jobs", 1),
                        ("complete", "Prepare the order"),
                        ended(),
                        ("log_has", "done", "completed"),
                        ("log_has", "c_start", "canceled"),
                        ("log_has", "m_start", "canceled"),
                        ("timer_jobs", 0),
                        ("vars_include", {"reserved": 2, "reminders": 0}),
                    ],
                ),
                (
                    # Non-interrupting timer: once after an hour, the task stays;
                    # then an interrupting message withdraws the task and ends the order.
                    {"stock": 5, "quantity": 2, "reminders": 0},
                    [
                        ("advance", 3600),
                        ("vars_include", {"reminders": 1}),
                        ("tasks", ["Prepare the order"]),
                        ("waiting", ["c_start", "p_start"]),
                        ("advance", 7200),
                        ("vars_include", {"reminders": 1}),
                        ("message", "Order canceled", {"who": "Ann"}),
                        ended(),
                        ("tasks", []),
                        ("log_has", "prepare", "canceled"),
                        ("log_has", "p_start", "canceled"),
                        ("log_lacks", "done"),
                        (
                            "path",
                            # Steps in the order they began: the listeners first; the
                            # timer's listener is spent after its one firing.
                            [*("start", "c_start", "m_start", "reminder", "m_start"), "m_count"]
                            + ["m_end", "canceled", "c_note", "c_end"],
                        ),
                        ("vars_include", {"status": "canceled by Ann", "who": "Ann"}),
                    ],
                ),
                (
                    # Non-interrupting signal: the order waits for the event sub-process.
                    {"stock": 5, "quantity": 2, "reminders": 0},
                    [
                        ("signal", "Price changed"),
                        ("tasks", ["Prepare the order", "Read the new prices"]),
                        ("waiting", ["c_start", "m_start", "p_start"]),
                        ("complete", "Prepare the order"),
                        ("ended", False),
                        ("log_has", "done", "completed"),
                        # The scope is still active, so its event sub-processes still listen.
                        ("waiting", ["c_start", "m_start", "p_start"]),
                        ("complete", "Read the new prices"),
                        ended(),
                        ("waiting", []),
                        ("timer_jobs", 0),
                    ],
                ),
                (
                    # Inside a sub-process: the error start of its event sub-process
                    # catches the error end event of the same scope.
                    {"stock": 1, "quantity": 2, "reminders": 0},
                    [
                        ("complete", "Prepare the order"),
                        ("tasks", ["Order from the supplier"]),
                        ("log_has", "r_out", "completed"),
                        ("complete", "Order from the supplier"),
                        ended(),
                        (
                            "path",
                            [
                                *("start", "prepare", "reserve", "r_start", "r_check"),
                                *("r_out", "r_backorder", "b_start", "b_order", "b_end"),
                                "done",
                            ],
                        ),
                    ],
                ),
            ],
        ),
        "escalation_events": own(
            "escalations.bpmn",
            "own_escalations",
            runs=[
                (
                    # Intermediate throw, non-interrupting boundary: both go on.
                    {"stock": 3, "amount": 100},
                    [
                        ("tasks", ["Assess the claim", "Plan a restock"]),
                        ("complete", "Plan a restock"),
                        ("complete", "Assess the claim"),
                        ended(),
                        ("log_has", "h_unusual", "completed"),
                        ("vars_include", {"paid": 100}),
                        (
                            "path",
                            [
                                *("start", "handle", "h_start", "h_low", "h_tell", "restock"),
                                *("plan", "h_assess", "planned", "h_big", "h_unusual", "h_end"),
                                *("pay", "done"),
                            ],
                        ),
                    ],
                ),
                (
                    # Escalation end event, interrupting boundary: the sub-process is left.
                    {"stock": 30, "amount": 5000},
                    [
                        ("complete", "Assess the claim"),
                        ("tasks", ["Manager decides"]),
                        ("log_has", "handle", "canceled"),
                        ("complete", "Manager decides"),
                        ended(),
                        ("log_lacks", "pay"),
                        ("log_lacks", "restock"),
                    ],
                ),
            ],
        ),
        "escalation_from_a_called_process": own(
            "escalation_calls.bpmn",
            "own_escalation_order",
            runs=[
                (
                    # Intermediate throw in the child, non-interrupting boundary on the
                    # call activity: the caller tells the customer, the child goes on.
                    {"parcel": "late"},
                    [
                        ("complete", "Track the parcel"),
                        ("tasks", ["Deliver the parcel", "Tell the customer"]),
                        ("complete", "Tell the customer"),
                        ("status", "running"),
                        ("complete", "Deliver the parcel"),
                        ended(),
                        ("path", ["start", "ship", "late", "tell", "told", "shipped"]),
                        path_of(
                            "own_escalation_shipping",
                            [
                                *("s_start", "s_track", "s_how", "s_late", "s_deliver"),
                                "s_end",
                            ],
                            status="completed",
                        ),
                    ],
                ),
                (
                    # Escalation end event in the child, interrupting boundary: the
                    # call activity is left for the boundary's path.
                    {"parcel": "lost"},
                    [
                        ("complete_with", "Track the parcel", {"tracking": "TR-9"}, ""),
                        ("tasks", ["Replace the parcel"]),
                        ("vars_include", {"tracking_no": "TR-9"}),
                        ("log_has", "ship", "canceled"),
                        ("complete", "Replace the parcel"),
                        ended(),
                        ("log_lacks", "shipped"),
                        ("all_ended",),
                    ],
                ),
                (
                    # Caught by the caller's non-interrupting escalation event sub-process.
                    {"parcel": "damaged"},
                    [
                        ("complete", "Track the parcel"),
                        ("tasks", ["Deliver the parcel"]),
                        ("vars_include", {"damage_noted": True}),
                        ("complete", "Deliver the parcel"),
                        ended(),
                        ("log_has", "d_note", "completed"),
                        ("log_lacks", "tell"),
                    ],
                ),
                (
                    # Nobody catches it, in the child or the caller: both go on.
                    {"parcel": "fine"},
                    [
                        ("complete", "Track the parcel"),
                        ("tasks", ["Deliver the parcel"]),
                        ("complete", "Deliver the parcel"),
                        ended(),
                        ("path", ["start", "ship", "shipped"]),
                    ],
                ),
            ],
        ),
        "escalation_event_subprocess": own(
            "escalations.bpmn",
            "own_escalation_start",
            runs=[
                (
                    {},
                    [
                        ("complete", "Review the claim"),
                        ("tasks", ["File the claim"]),
                        ("vars", {"noted": "yes"}),
                        ("complete", "File the claim"),
                        ended(),
                        (
                            "path",
                            [
                                *("a_start", "a_review", "a_flag", "a_watch", "w_start"),
                                *("w_note", "a_file", "w_end", "a_end"),
                            ],
                        ),
                    ],
                ),
            ],
        ),
        "conditional_events": own(
            "conditional_events.bpmn",
            "own_conditional",
            runs=[
                (
                    {"pages": 0, "urgent": False},
                    [
                        ("waiting", ["documents", "urgent", "w_start"]),
                        # A change that leaves every condition false fires nothing.
                        ("complete", "Collect the documents", {"pages": 2}),
                        ("waiting", ["documents", "w_start"]),
                        ("tasks", ["Mark the urgency"]),
                        ("ended", False),
                    ],
                ),
                (
                    {"pages": 0, "urgent": False},
                    [
                        # The boundary fires when its condition turns true; the task stays.
                        ("complete", "Mark the urgency", {"urgent": True}),
                        ("tasks", ["Call the customer", "Collect the documents"]),
                        # The catch fires when the pages are there; the join passes.
                        ("complete", "Collect the documents", {"pages": 3}),
                        ("tasks", ["Call the customer", "Decide the claim"]),
                        ("log_has", "documents", "completed"),
                        ("complete", "Decide the claim"),
                        ("ended", False),
                        ("complete", "Call the customer"),
                        ended(),
                        ("log_has", "w_start", "canceled"),
                    ],
                ),
                (
                    # Already true when reached: the catch fires at once.
                    {"pages": 5},
                    [
                        ("tasks", ["Collect the documents", "Mark the urgency"]),
                        ("waiting", ["urgent", "w_start"]),
                        # The event sub-process interrupts everything.
                        ("complete", "Collect the documents", {"withdrawn": True}),
                        ended(),
                        ("tasks", []),
                        ("log_has", "decide", "canceled"),
                        ("log_has", "mark", "canceled"),
                        ("log_has", "w_end", "completed"),
                    ],
                ),
            ],
        ),
        "links_implicit_end_and_prefixed_refs": own(
            "links_and_implicit_ends.bpmn",
            "own_links",
            runs=[
                (
                    {},
                    [
                        ("waiting", ["go"]),
                        ("message", "Go ahead"),
                        ended(),
                        (
                            "path",
                            [
                                *("start", "label", "to_dock", "at_dock", "go", "split"),
                                *("load", "notify", "join", "join"),
                            ],
                        ),
                        ("vars", {"labels": 1, "loaded": True, "notified": True}),
                    ],
                ),
            ],
        ),
        "multi_instance_built_in_variables": own(
            "multi_instance_variables.bpmn",
            "own_mi_variables",
            runs=[
                (
                    {"voters": ["ann", "bo", "cy", "dee"]},
                    [
                        ("task_count", 4),
                        ("complete", "Vote"),
                        ("task_count", 3),
                        # Two of four voted: half, so the other two votes are withdrawn.
                        ("complete", "Vote"),
                        ("tasks", ["Review"]),
                        ("log_has", "vote", "canceled"),
                        ("complete", "Review"),
                        ("tasks", ["Review"]),
                        # Two rounds of five: the sequential review stops.
                        ("complete", "Review"),
                        ended(),
                        (
                            "vars",
                            {"voters": ["ann", "bo", "cy", "dee"], "seen": ["0/3", "1/3", "2/3"]},
                        ),
                    ],
                ),
            ],
        ),
        "compensation": own(
            "compensation.bpmn",
            "own_compensation",
            runs=[
                (
                    # Paid: nothing is compensated; the records end with the instance.
                    {"booked": [], "undone": [], "paid": True},
                    [
                        ("waiting", ["flight_undo", "hotel_undo", "car_undo"]),
                        ("complete", "Pay the trip"),
                        ended(),
                        ("vars_include", {"booked": ["flight", "hotel", "car"], "undone": []}),
                        ("log_lacks", "refund"),
                    ],
                ),
                (
                    # Not paid: the stay first (activityRef: what the sub-process did, in
                    # reverse order, the hotel's handler a user task), then the rest.
                    {"booked": [], "undone": [], "paid": False},
                    [
                        ("complete", "Pay the trip"),
                        ("vars_include", {"undone": ["car"]}),
                        ("tasks", ["Cancel the hotel"]),
                        ("waiting", ["flight_undo", "hotel_undo", "pay_undo", "undo_stay"]),
                        ("complete", "Cancel the hotel"),
                        ended(),
                        ("vars_include", {"undone": ["car", "payment", "flight"]}),
                        (
                            "path",
                            [
                                # Steps in the order they began: each record right
                                # after its activity completed.
                                *("start", "flight", "stay", "flight_undo", "s_start"),
                                *("hotel", "car", "hotel_undo", "s_end", "car_undo", "pay"),
                                *("paid_ok", "pay_undo", "undo_stay", "return_car"),
                                *("cancel_hotel", "undo_all", "refund", "cancel_flight"),
                            ],
                        ),
                    ],
                ),
            ],
        ),
        "transaction_cancel": own(
            "compensation.bpmn",
            "own_transaction",
            runs=[
                (
                    {"balance": 100, "amount": 30},
                    [
                        # Inside the transaction its variables are its own until it completes.
                        ("vars", {"balance": 100, "amount": 30}),
                        ("complete", "Confirm the transfer", {"confirmed": True}),
                        ended(),
                        ("vars_include", {"balance": 70}),
                        ("log_lacks", "credit_back"),
                        (
                            "path",
                            ["t_start", "transfer", "x_start", "debit", "confirm", "x_ok"]
                            + ["x_end", "t_done"],
                        ),
                    ],
                ),
                (
                    # The cancel end event: compensate, cancel, leave by the boundary.
                    {"balance": 100, "amount": 30},
                    [
                        ("complete", "Confirm the transfer", {"confirmed": False}),
                        ended(),
                        ("vars_include", {"balance": 100, "told": True}),
                        ("log_has", "transfer", "canceled"),
                        ("log_lacks", "t_done"),
                        (
                            "path",
                            [
                                *("t_start", "x_start", "debit", "confirm", "debit_undo"),
                                *("x_ok", "x_cancel", "credit_back", "canceled", "tell"),
                                "t_canceled_end",
                            ],
                        ),
                    ],
                ),
            ],
        ),
        "standard_loop": own(
            "standard_loops.bpmn",
            "own_standard_loop",
            runs=[
                (
                    {},
                    [
                        ("complete", "Call the customer", {"reached": False}),
                        ("tasks", ["Call the customer"]),
                        ("complete", "Call the customer", {"reached": False}),
                        ("tasks", ["Call the customer"]),
                        # The third run is the last: loopMaximum.
                        ("complete", "Call the customer", {"reached": False}),
                        ended(),
                        ("path", ["start", "call", "call", "call", "done"]),
                    ],
                ),
                (
                    {},
                    [
                        ("complete", "Call the customer", {"reached": True}),
                        ended(),
                        ("path", ["start", "call", "done"]),
                    ],
                ),
            ],
        ),
        "standard_loop_test_before": own(
            "standard_loops.bpmn",
            "own_standard_loop_test_before",
            runs=[
                (
                    {"count": 0, "size": 3},
                    [ended(), ("vars", {"count": 3, "size": 3})],
                ),
                # The condition is false before the first run: the script never runs.
                ({"count": 5, "size": 3}, [ended(), ("vars", {"count": 5, "size": 3})]),
            ],
        ),
        "multiple_events": own(
            "multiple_events.bpmn",
            "own_multiple",
            runs=[
                (
                    {},
                    [
                        ("waiting", ["paid_or_late", "paid_or_late"]),
                        ("timer_jobs", 1),
                        ("message", "Payment received", {"paid": True}),
                        # The first definition won: the timer is withdrawn.
                        ("timer_jobs", 0),
                        ("waiting", ["ready", "ready"]),
                        ("message", "Goods packed"),
                        ("waiting", ["ready"]),
                        ("signal", "Truck arrived"),
                        ended(),
                        ("vars", {"paid": True}),
                        # The multiple end event threw its signal too: a restock started.
                        instances_of("own_multiple_start", 1, status="running"),
                        ("tasks", ["Count the stock"]),
                    ],
                ),
                (
                    {},
                    [
                        ("advance", 3600),
                        ("waiting", ["ready", "ready"]),
                        ("log_has", "paid_or_late", "canceled"),
                        # Parallel-multiple: the signal alone does not pass.
                        ("signal", "Truck arrived"),
                        ("waiting", ["ready"]),
                        ("ended", False),
                    ],
                ),
            ],
        ),
        "multiple_start_event": own(
            "multiple_events.bpmn",
            "",
            runs=[
                (
                    {},
                    [
                        ("message", "Order placed"),
                        ("signal", "Restock day"),
                        instances_of("own_multiple_start", 2, status="running"),
                        ("tasks", ["Count the stock", "Count the stock"]),
                    ],
                ),
            ],
        ),
        "compensation_event_subprocess": own(
            "compensation.bpmn",
            "own_compensation_subprocess",
            runs=[
                (
                    {"quantity": 4},
                    [
                        # The order's record, and what the order did, held for its handler.
                        ("waiting", ["reserve_undo", "u_start"]),
                        ("complete", "Check the order", {"fine": True}),
                        ended(),
                        ("vars", {"quantity": 4, "reserved": 4, "fine": True}),
                        ("log_lacks", "u_note"),
                    ],
                ),
                (
                    {"quantity": 4},
                    [
                        ("complete", "Check the order", {"fine": False}),
                        ended(),
                        # The event sub-process's own variables stay its own (a snapshot).
                        ("vars", {"quantity": 4, "reserved": 4, "fine": False, "released": 4}),
                        (
                            "path",
                            [
                                *("r_start", "order", "o_start", "reserve", "o_end"),
                                *("reserve_undo", "check", "u_start", "r_ok", "r_compensate"),
                                *("undo_order", "u_start", "u_note", "u_throw", "release"),
                                "u_end",
                            ],
                        ),
                    ],
                ),
            ],
        ),
    }
)

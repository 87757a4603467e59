"""django-viewflow 2.x flows mirroring the BPMN shapes of bench/shapes.py.

Script tasks are `flow.Function` nodes doing the same variable update on
`process.data` (viewflow's process variables, a JSON column, written by the
End node's `process.save()` in the same transaction, as Flowdesk writes its
instance variables once per transaction; bench/engine.py reads them back from
the database to check); the gateway is
`flow.If`; the parallel shape is `flow.Split` -> N Functions -> `flow.Join`
(classes built with type() for each N); the user task is a `flow.View`
assigned on creation and completed in code the way viewflow's own task view
does it (lock, `activation.start()`, `activation.execute()`).

Every flow uses viewflow's SelectForUpdateLock, the lock its docs recommend
on PostgreSQL and the one a Join needs; Flowdesk also locks its instance row.
"""

from __future__ import annotations

from django.http import HttpResponse
from viewflow import this
from viewflow.workflow import flow, lock

from bench.shapes import PARALLEL_SIZES

_LOCK = lock.select_for_update_lock


def _inc(activation) -> None:  # x = x + 1
    data = activation.process.data
    data["x"] = data["x"] + 1


def _high(activation) -> None:  # y = x * 2
    data = activation.process.data
    data["y"] = data["x"] * 2


def _low(activation) -> None:  # y = x + 100
    data = activation.process.data
    data["y"] = data["x"] + 100


def _branch(i: int):
    def run(activation) -> None:  # b<i> = x + i
        data = activation.process.data
        data[f"b{i}"] = data["x"] + i

    run.__name__ = f"branch_{i}"
    return run


def approve_view(request, **kwargs):  # never routed: the bench completes the task in code
    return HttpResponse("approve")


class BenchAFlow(flow.Flow):
    """Bench a: start -> script -> end"""

    lock_impl = _LOCK
    start = flow.StartHandle().Next(this.inc)
    inc = flow.Function(_inc).Next(this.end)
    end = flow.End()


class BenchBFlow(flow.Flow):
    """Bench b: exclusive gateway with two branches"""

    lock_impl = _LOCK
    start = flow.StartHandle().Next(this.gw)
    gw = flow.If(lambda activation: activation.process.data["x"] > 5).Then(this.high).Else(this.low)
    high = flow.Function(_high).Next(this.end_high)
    low = flow.Function(_low).Next(this.end_low)
    end_high = flow.End()
    end_low = flow.End()


def _parallel_flow(n: int) -> type:
    split = flow.Split()
    attrs = {
        "__doc__": f"Bench c{n}: parallel split of {n} scripts and join",
        "__module__": __name__,
        "lock_impl": _LOCK,
        "start": flow.StartHandle().Next(this.split),
        "join": flow.Join().Next(this.end),
        "end": flow.End(),
    }
    for i in range(n):
        split.Next(getattr(this, f"t{i}"))
        attrs[f"t{i}"] = flow.Function(_branch(i)).Next(this.join)
    attrs["split"] = split
    return type(f"BenchC{n}Flow", (flow.Flow,), attrs)


PARALLEL_FLOWS: dict[int, type] = {}
for _n in PARALLEL_SIZES:
    PARALLEL_FLOWS[_n] = globals()[f"BenchC{_n}Flow"] = _parallel_flow(_n)


# The user the user task is assigned to; bench/engine.py sets it once.
BENCH_OWNER: dict = {"user": None}


def _bench_owner(activation):
    return BENCH_OWNER["user"]


class BenchDFlow(flow.Flow):
    """Bench d: one user task completed in code"""

    lock_impl = _LOCK
    start = flow.StartHandle().Next(this.approve)
    approve = flow.View(approve_view).Assign(_bench_owner).Next(this.end)
    end = flow.End()


FLOWS: dict[str, type] = {
    "a": BenchAFlow,
    "b": BenchBFlow,
    **{f"c{n}": cls for n, cls in PARALLEL_FLOWS.items()},
    "d": BenchDFlow,
}

"""Module import circles in Flowdesk's own packages, imports inside functions included.

`python -m tests.support.import_cycles` prints every circle (a strongly connected
component of more than one module) and exits 1 when there is one; `make lint` and
.ci/run run it beside import-linter, whose layers contract cannot see circles
inside one app. Imports under `if TYPE_CHECKING:` do not run and are not counted.
"""

import importlib.util
import sys

import grimp

PROJECT_PACKAGES = (
    "bpm_project",
    "outbox",
    "webhooks",
    "crm",
    "processes",
    "activities",
    "dynamic_cases",
    "knowledge",
    "cases",
    "portal",
    "api",
    "notifications",
)


def present_packages(names=PROJECT_PACKAGES):
    """The project packages that exist on sys.path (a package may not be installed yet)."""
    return [name for name in names if importlib.util.find_spec(name) is not None]


def module_cycles(*packages: str) -> list[list[str]]:
    """Each circle among the modules of `packages`, as a sorted list of module names."""
    graph = grimp.build_graph(*packages, exclude_type_checking_imports=True)
    skipped = (".migrations", ".tests")
    modules = sorted(m for m in graph.modules if not any(s in m for s in skipped))
    known = set(modules)
    edges = {m: sorted(graph.find_modules_directly_imported_by(m) & known) for m in modules}
    return [sorted(c) for c in strongly_connected(modules, edges) if len(c) > 1]


def strongly_connected(nodes, edges):
    """Tarjan's algorithm, iterative so that deep graphs cannot hit the recursion limit."""
    index, low, on_stack, stack, result = {}, {}, set(), [], []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(edges[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                result.append(component)
    return result


def main() -> int:
    cycles = module_cycles(*present_packages())
    for cycle in cycles:
        print("circle: " + " <-> ".join(cycle))
    print(f"import circles: {len(cycles)}")
    return 1 if cycles else 0


if __name__ == "__main__":
    sys.exit(main())

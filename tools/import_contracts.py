"""An import-linter contract of our own: no import cycle among the project's modules.

import-linter's own contracts check layers and forbidden imports; this one
looks at every module of the root packages and fails on any cycle, however
long, naming the modules of each (a strongly connected component of the
import graph). Migrations are left out: Django imports them by name.
"""

from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


def _cycles(graph, modules):
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = 0
    for root in sorted(modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root) & modules)))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child) & modules))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
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
                if len(component) > 1:
                    found.append(sorted(component))
    return found


class NoCyclesContract(Contract):
    type_name = "no_cycles"

    packages = fields.ListField(subfield=fields.StringField())

    def check(self, graph, verbose):
        modules = {
            module
            for package in self.packages
            for module in graph.find_descendants(package) | {package}
            if ".migrations" not in module
        }
        cycles = _cycles(graph, modules)
        return ContractCheck(kept=not cycles, metadata={"cycles": cycles})

    def render_broken_contract(self, check):
        from importlinter.application import output  # noqa: PLC0415  (import-linter loads contracts lazily)

        for cycle in check.metadata["cycles"]:
            output.print_error(f"Import cycle among: {', '.join(cycle)}")

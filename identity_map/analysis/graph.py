"""The AND/OR dependency graph of an inventory.

Thing nodes are OR nodes (any one method opens them); method nodes are AND
nodes (every term needed). Keeping methods as nodes of their own means plain
reachability can never mistake AND for OR: a thing is reachable from a lost
account only through a method, and the engine decides what that method needs.

Nodes:
- a thing: its id; attributes `type="thing"`, `thing` (the Thing).
- a method: `"{owner}#{role}{i}"` (`#` cannot occur in an id); attributes
  `type="method"`, `owner`, `role` ("login", "unlock", "recovery" or
  "legacy"), `index`, `method`. Legacy methods are drawn but count only after
  death (the engine leaves them out of the living fixed points).
Edges: term target -> method (attribute `terms`, the terms naming that
target), method -> owner.

`methods` and `method_targets` are the one statement of these nodes and
edges: `build_graph` draws them, and the engine compiles its integer form
straight from them (`Dependencies`), so the commands that never draw the
graph (rank, validate, impact, takeover) neither build nor import networkx.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from identity_map.format.load import paused_gc
from identity_map.format.model import Inventory, Method, Thing

if TYPE_CHECKING:
    import networkx as nx


def method_node(owner: str, role: str, index: int) -> str:
    return f"{owner}#{role}{index}"


def parse_method_node(node: str) -> tuple[str, str, int]:
    """(owner, role, index) of a method node named by `method_node`.

    >>> parse_method_node(method_node("gmail", "recovery", 2))
    ('gmail', 'recovery', 2)
    """
    owner, _, rest = node.partition("#")
    role = rest.rstrip("0123456789")
    return owner, role, int(rest[len(role):])


def methods(inventory: Inventory) -> Iterator[tuple[Thing, str, int, Method]]:
    """Every method node of the graph as (owner, role, index, method), in
    the order the graph adds them: things in file order, each thing's
    `roles` in turn. Cost: O(methods) for the whole iteration.

    >>> from identity_map.format.load import load_text
    >>> [(t.id, role, i) for t, role, i, _ in methods(load_text("version: 1\\naccounts:\\n  mail: {}\\n"))]
    [('mail', 'login', 0)]
    """
    for thing, role, listed in method_lists(inventory):
        for index, method in enumerate(listed):
            yield thing, role, index, method


def method_lists(inventory: Inventory) -> Iterator[tuple[Thing, str, tuple[Method, ...]]]:
    """`methods` a list at a time: (owner, role, its methods of that role)
    for every role of every thing, in the same order, empty lists included.
    Cost: O(things) for the whole iteration.

    >>> from identity_map.format.load import load_text
    >>> [(t.id, role, len(ms)) for t, role, ms in method_lists(load_text("version: 1\\naccounts:\\n  a: {}\\n"))][:2]
    [('memory', 'login', 0), ('memory', 'unlock', 0)]
    """
    for thing in inventory:
        for role, listed in thing.roles:
            yield thing, role, listed


def method_targets(method: Method) -> tuple[str, ...]:
    """The ids whose edges lead into `method`'s node: each id its terms
    name, once, in the order of the terms. Cost: O(terms).

    >>> from identity_map.format.model import Term
    >>> method_targets(Method((Term("email", "gmail"), Term("account", "gmail"), Term("sms", "mobile"))))
    ('gmail', 'mobile')
    """
    terms = method.terms
    if len(terms) == 1:  # most methods: nothing to deduplicate
        return (terms[0].target,)
    return tuple(dict.fromkeys(term.target for term in terms))


def ancestors(inventory: Inventory, thing_id: str) -> set[str]:
    """The things the thing's methods lead back to, every role's (legacy
    ones too), down to the roots: the thing nodes among
    `networkx.ancestors(build_graph(inventory), thing_id)`, without drawing
    the graph. Cost: the terms of those things' methods.

    >>> from identity_map.format.load import load_text
    >>> inv = load_text("version: 1\\npeople:\\n  anna: {}\\naccounts:\\n  a: {}\\n"
    ...                 "  b: {login: [email:a], legacy: [person:anna]}\\n")
    >>> sorted(ancestors(inv, "b")), sorted(ancestors(inv, "memory"))
    (['a', 'anna', 'memory'], [])
    """
    things = inventory.things
    seen = {thing_id}
    stack = [thing_id]
    while stack:
        for _, listed in things[stack.pop()].roles:
            for method in listed:
                for term in method.terms:
                    if term.target not in seen:
                        seen.add(term.target)
                        stack.append(term.target)
    seen.discard(thing_id)
    return seen


@paused_gc()  # a dict per node and edge, all kept as long as the graph: nothing for the collector to find
def build_graph(inventory: Inventory) -> nx.DiGraph:
    """The dependency DiGraph of `inventory`; the inventory is kept in
    `G.graph["inventory"]`. Cost: linear in the number of terms (and the
    import of networkx on first use).

    >>> from identity_map.format.load import load_text
    >>> G = build_graph(load_text("version: 1\\naccounts:\\n  mail: {}\\n"))
    >>> sorted(G.successors("memory"))
    ['mail#login0']
    """
    import networkx as nx  # only for drawing and graph walks: see the module docstring

    G = nx.DiGraph(inventory=inventory)
    for thing in inventory:
        G.add_node(thing.id, type="thing", thing=thing)
    for thing, role, index, method in methods(inventory):
        node = method_node(thing.id, role, index)
        G.add_node(node, type="method", owner=thing.id, role=role, index=index, method=method)
        G.add_edge(node, thing.id)
        for term in method.terms:
            if G.has_edge(term.target, node):
                G.edges[term.target, node]["terms"] += (term,)
            else:
                G.add_edge(term.target, node, terms=(term,))
    return G


class Dependencies:
    """An inventory's dependency graph before networkx draws it: `graph`
    is the dict a DiGraph built by `build_graph` holds (the inventory and
    the analyses' caches), so everything that reads only `inventory_of(G)`
    and `engine.compiled(G)` (rank, validation, impact, takeover, exposure,
    resilience) takes either. `networkx()` builds the DiGraph on first call
    and gives it this very dict, so caches filled before are shared.

    >>> from identity_map.format.load import load_text
    >>> deps = Dependencies(load_text("version: 1\\naccounts:\\n  mail: {}\\n"))
    >>> deps.graph["cached"] = 1
    >>> deps.networkx().graph["cached"], deps.networkx() is deps.networkx()
    (1, True)
    """

    def __init__(self, inventory: Inventory):
        self.graph: dict = {"inventory": inventory}
        self._built: nx.DiGraph | None = None

    def networkx(self) -> nx.DiGraph:
        """The DiGraph of `build_graph`, built once. Cost: that of build_graph, then O(1)."""
        if self._built is None:
            self._built = build_graph(self.graph["inventory"])
            self._built.graph = self.graph
        return self._built


def inventory_of(G: nx.DiGraph | Dependencies) -> Inventory:
    return G.graph["inventory"]

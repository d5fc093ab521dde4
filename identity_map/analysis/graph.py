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
"""

from __future__ import annotations

import networkx as nx

from identity_map.format.model import Inventory


def method_node(owner: str, role: str, index: int) -> str:
    return f"{owner}#{role}{index}"


def build_graph(inventory: Inventory) -> nx.DiGraph:
    """The dependency DiGraph of `inventory`; the inventory is kept in
    `G.graph["inventory"]`. Cost: linear in the number of terms.

    >>> from identity_map.format.load import load_text
    >>> G = build_graph(load_text("version: 1\\naccounts:\\n  mail: {}\\n"))
    >>> sorted(G.successors("memory"))
    ['mail#login0']
    """
    G = nx.DiGraph(inventory=inventory)
    for thing in inventory:
        G.add_node(thing.id, type="thing", thing=thing)
    for thing in inventory:
        for role, methods in thing.roles:
            for index, method in enumerate(methods):
                node = method_node(thing.id, role, index)
                G.add_node(node, type="method", owner=thing.id, role=role, index=index, method=method)
                G.add_edge(node, thing.id)
                for term in method.terms:
                    if G.has_edge(term.target, node):
                        G.edges[term.target, node]["terms"] += (term,)
                    else:
                        G.add_edge(term.target, node, terms=(term,))
    return G


def inventory_of(G: nx.DiGraph) -> Inventory:
    return G.graph["inventory"]

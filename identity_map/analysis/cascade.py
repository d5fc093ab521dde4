"""What falls because of what: the scenario's fallout as a tree from the lost ids.

Each thing that falls (lost, or recoverable only) hangs under one thing that
fell before it and that one of its working methods names, the first one a
breadth-first walk from the scenario's ids reaches. So the tree reads
"losing microsoft takes the authenticator, which takes github", one parent
per thing, even where several fallen things are to blame (the explanation
of the thing names them all).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from identity_map.analysis.engine import Impact


@dataclass(frozen=True)
class Fall:
    """One fallen thing and what falls because of it."""

    id: str
    status: str  # lost or recoverable
    children: tuple[Fall, ...]
    size: int = field(init=False, compare=False)  # the things in this subtree, itself included

    def __post_init__(self) -> None:
        object.__setattr__(self, "size", 1 + sum(child.size for child in self.children))


def cascade(result: Impact) -> tuple[Fall, ...]:
    """The fallout of `result` as trees, one per lost id of the scenario
    (in file order), children with critical things and bigger subtrees
    first. Cost O(the methods around what fell).

    >>> from identity_map.format.load import load_text
    >>> from identity_map.analysis.graph import build_graph
    >>> from identity_map.analysis.engine import impact
    >>> G = build_graph(load_text("version: 1\\naccounts:\\n  a: {}\\n  b: {login: [email:a]}\\n  c: {login: [sso:b]}\\n"))
    >>> [(t.id, [(k.id, [g.id for g in k.children]) for k in t.children]) for t in cascade(impact(G, ["a"]))]
    [('a', [('b', ['c'])])]
    """
    c = result.compiled
    fallen = {c.index[t] for t in result.lost | result.recoverable}
    roots = [i for i in range(len(c.ids)) if c.ids[i] in result.scenario and i in fallen]
    children: dict[int, list[int]] = {}
    placed = set(roots)
    queue = list(roots)
    for i in queue:  # breadth first: the list grows while it is walked
        for m in c.users[i]:
            owner = c.m_owner[m]
            if owner in fallen and owner not in placed and c.base_works[m]:
                placed.add(owner)
                children.setdefault(i, []).append(owner)
                queue.append(owner)

    # Built leaves first (reverse breadth-first order), so a chain of any length needs no recursion.
    built: dict[int, Fall] = {}
    for i in reversed(queue):
        kids = sorted((built.pop(k) for k in children.get(i, ())),
                      key=lambda f: (not c.things[c.index[f.id]].critical, -f.size, c.index[f.id]))
        built[i] = Fall(c.ids[i], result.status(c.ids[i]), tuple(kids))
    return tuple(built[i] for i in roots)

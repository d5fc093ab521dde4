"""Explanations a person can follow back to the lost ids.

`why(result, id)` says, for a lost thing, which of its methods failed on
which term and why that term is gone (recursively, down to the ids lost in
the scenario); for a recoverable thing also which recovery method works; for
a degraded one which methods stopped working; for an unreachable one what is
missing even with nothing lost.
"""

from __future__ import annotations

from dataclasses import dataclass

from identity_map.analysis.engine import DEGRADED, LOST, OK, RECOVERABLE, UNREACHABLE, Impact
from identity_map.format.model import Method

MAX_DEPTH = 3  # deeper causes are named, not expanded: each has its own explanation


@dataclass(frozen=True)
class MethodState:
    """One login or recovery method of a thing, as it stands in a scenario."""

    role: str  # "login", "unlock", "recovery", or "copy" for a data item's copies
    text: str
    worked_in_baseline: bool
    works: bool
    gone: tuple[str, ...]  # the terms' ids that are unavailable now
    targets: tuple[str, ...] = ()  # every id its terms name


def method_states(result: Impact, thing_id: str) -> list[MethodState]:
    """Every method of `thing_id` with whether it works now and in the baseline.
    Cost: O(terms of the thing)."""
    c = result.compiled
    thing = c.things[c.index[thing_id]]
    states = []
    for role, methods in thing.roles:
        if role == "legacy":
            continue
        role = "copy" if thing.kind == "data" and role == "login" else role
        for method in methods:
            gone = tuple(t for t in _targets(method) if not result.available(t))
            base = all(c.base_avail[c.index[t]] for t in _targets(method))
            states.append(MethodState(role, str(method), base, not gone and thing_id not in result.scenario, gone,
                                      _targets(method)))
    return states


def _targets(method: Method) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t.target for t in method.terms))



def why(result: Impact, thing_id: str) -> str:
    """The explanation of `thing_id`'s status ("" when ok).

    >>> from identity_map.format.load import load_text
    >>> from identity_map.analysis.engine import analyze
    >>> r = analyze(load_text("version: 1\\naccounts:\\n  mail: {}\\n  shop: {login: [email:mail]}\\n"), ["mail"])
    >>> why(r, "shop")
    'login "email:mail" fails: mail was lost in the scenario'
    """
    status = result.status(thing_id)
    if status == OK:
        return ""
    if status == UNREACHABLE:
        return _unreachable(result, thing_id)
    return _Explainer(result).explain(thing_id, status, 0, {thing_id})


class _Explainer:
    def __init__(self, result: Impact):
        self.result = result

    def explain(self, thing_id: str, status: str, depth: int, seen: set[str]) -> str:
        if thing_id in self.result.scenario:
            return f"{thing_id} was lost in the scenario"
        states = method_states(self.result, thing_id)
        broken = [s for s in states if s.worked_in_baseline and not s.works]
        parts = [f'{s.role} "{s.text}" {"no longer works" if status == DEGRADED else "fails"}: '
                 + ", ".join(self.gone(t, depth, seen) for t in s.gone) for s in broken]
        if status == RECOVERABLE:
            parts.extend(self.waits(states, depth, seen))
        elif status == DEGRADED:
            working = next((s for s in states if s.works and s.role != "recovery"), None)
            if working is not None:
                parts.append(f'{working.role} "{working.text}" still works')
        return "; ".join(parts)

    def gone(self, target: str, depth: int, seen: set[str]) -> str:
        if target in self.result.scenario:
            return f"{target} was lost in the scenario"
        if target in seen or depth >= MAX_DEPTH:
            return f"{target} is lost"
        seen.add(target)
        return f"{target} is lost ({self.explain(target, LOST, depth + 1, seen)})"

    def waits(self, states: list[MethodState], depth: int, seen: set[str]) -> list[str]:
        """What a recoverable thing waits for: a login that works once the
        things it needs are recovered, and its own working recovery."""
        out = []
        for s in states:
            if s.works and s.role != "recovery":
                pending = [t for t in s.targets if not self.by_login(t)]
                if pending:
                    causes = "; ".join(self.recovered(t, depth, seen) for t in pending)
                    out.append(f'{s.role} "{s.text}" works once {" and ".join(pending)} '
                               f'{"is" if len(pending) == 1 else "are"} recovered: {causes}')
                    break
        own = next((s for s in states if s.works and s.role == "recovery"), None)
        if own is not None:
            out.append(f'recovery "{own.text}" works')
        return out

    def by_login(self, thing_id: str) -> bool:
        """Whether `thing_id` is reachable by login alone in the scenario."""
        r = self.result
        i = r.compiled.login_only
        return i.base_avail[i.index[thing_id]] and thing_id not in r.recoverable and thing_id not in r.lost

    def recovered(self, target: str, depth: int, seen: set[str]) -> str:
        """How a thing a login waits for comes back: the shortest way (its own
        recovery when one works, else the login it waits for in turn)."""
        if target in seen or depth >= MAX_DEPTH:
            return f"{target} needs a recovery"
        seen.add(target)
        ways = self.waits(method_states(self.result, target), depth + 1, seen)
        return ways[-1] if ways else f"{target} needs a recovery"


def _unreachable(result: Impact, thing_id: str) -> str:
    states = method_states(result, thing_id)
    if not states:
        return "it has no login or recovery method"
    missing = [f'{s.role} "{s.text}" needs {", ".join(t for t in s.gone)}' for s in states]
    return "unreachable even with nothing lost: " + "; ".join(missing)


def explanations(result: Impact) -> dict[str, str]:
    """`why` for every thing that is lost, recoverable, degraded or unreachable."""
    return {tid: why(result, tid) for tid, status in result.statuses.items() if status != OK}




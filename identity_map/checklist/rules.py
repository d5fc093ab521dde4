"""The checklist's rules: what each scenario loses becomes proposed changes.

`rules(ctx, scenario, result)` looks at every thing the scenario loses
(besides the scenario's own ids, which no change can save) and yields
`Candidate`s: a stable id, the action in words, and the change to the
inventory (`fixes`). Nothing here decides whether a change helps: the
builder (`checklist.build_checklist`) applies each one and re-runs the
engine. `advice(ctx, rows)` gives the story's general lessons.

The rules, by the thing that is lost:
- data whose every copy is lost: an independent copy (`independent-copy`),
  or, for an item that others need (an encryption key), an offline copy
  (`key-offline`);
- an account that signs in with a password kept only in a lost vault: an
  offline copy of the vault's passwords (`vault-offline`);
- an account whose second factor is lost: a second, independent 2FA method
  and printed recovery codes (`second-factor`);
- an account that recovers by a text to a lost phone number: printed
  recovery codes (`recovery-codes`; not when `second-factor` already
  proposes them);
- an account whose passkey lives only in a lost syncing account
  (`passkey:ACCOUNT`): a hardware security key (`hardware-key`);
- an authenticator app that is lost while other accounts take one-time codes
  from it: an offline backup of its seeds (`seed-backup`);
- an account that opens only with "Sign in with X": its own password (`own-login`),
  with, as its safer way, its own password and the site's best second factor;
- an account that recovers through a lost mailbox: another recovery address
  (`recovery-elsewhere`), or, when two mailboxes recover only through each
  other, one item for the pair (`recovery-loop`); printed recovery codes are
  their safer way (another mailbox is another way in for whoever reads it);
- a purchase: what is at stake with its account (`purchases-at-stake`, information).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from identity_map.checklist.model import ADVICE, FIX, INFO, Item, T, Text, U, add_money, join, money_text, plural, shortlist
from identity_map.analysis.engine import Graph, Impact
from identity_map.analysis.selectors import sites
from identity_map.checklist.fixes import AddCopy, AddMethod, AddThing, fresh_id
from identity_map.checklist.sites import offers_text, pages_text, second_factor
from identity_map.providers import support as factor  # its AUTHENTICATOR, SECURITY_KEY are kinds of factor
from identity_map.providers.support import Support, support_of
from identity_map.analysis.graph import inventory_of
from identity_map.format.model import MEMORY, Inventory, Method, Term, Thing

ADVICE_GROUP = ""  # the group of general advice: no thing has an empty id
TWO_FACTOR = ("totp", "push", "sms", "key")  # term kinds that are a second factor
ORGANISATION_KINDS = ("work", "government")  # their login is the organisation's choice, not the owner's

# Names of the things the checklist may add (ids are made fresh if taken);
# places get a site the scenario does not take (see `Context.site_for`).
BACKUP_DISK = ("backup-disk", "Backup disk {where} (offline copy)")
SAFE_PLACE = ("home-safe", "Safe place {where} (printed recovery codes and keys)")
# How a site reads in a name; other sites read "at SITE".
WHERE = {"home": "at home", "relatives": "at a relative's house", "parents": "at your parents' house",
         "bank-vault": "in a bank safe deposit box", "carried": "that you carry"}
AWAY = "relatives"  # where an off-site copy goes when the inventory names no other site
AUTHENTICATOR = ("second-authenticator",
                 "Second authenticator (a security key, or an app whose seeds you keep yourself)")
MAILBOX = ("second-mailbox", "Second mailbox at an independent provider")
SECURITY_KEY = ("security-key", "Hardware security key")


@dataclass
class Candidate:
    """A proposed item, before the engine checked it; `scenarios` are the
    scenarios in scope whose losses proposed it (the first one first)."""

    id: str
    kind: str
    rule: str
    group: str
    action: Text
    detail: Text
    change: tuple = ()
    money_at_stake: dict = field(default_factory=dict)
    scenarios: list = field(default_factory=list)
    # Ways to the same end that hand less to an attacker, best first: the
    # builder lists the first one the engines find saves as much and opens
    # no door ahead of this one, should this one open a door.
    safer: tuple = ()


class Context:
    """The inventory and what the rules look up in it, computed once."""

    def __init__(self, G: Graph):
        self.G = G
        self.inv: Inventory = inventory_of(G)
        self.order = {tid: i for i, tid in enumerate(self.inv.things)}
        self.added: dict[str, Thing] = {}  # things the rules propose to create, by id
        self._made: dict[tuple[str, str], tuple[str, tuple]] = {}  # (base id, site) -> (id, change)
        self.referenced: dict[str, list[str]] = {}  # id -> things whose methods name it
        # Rules run once per lost thing of every scenario: what they look up
        # in the whole inventory is looked up once (see the cached properties).
        self._users: dict[Term, list[str]] = {}
        self._replaced: dict[tuple[Term, Term], tuple] = {}
        self._exports: dict[str, str | None] = {}
        self._sites: dict[tuple[int, str], tuple[Impact, str]] = {}
        self._support: dict[str, Support] = {}
        self._pages: dict[int, tuple] = {}  # id of a site -> (the site, `pages`'s text)
        # id -> the candidate the first scenario that proposed it made: the builder keeps only that
        # one, so a later scenario's rule that proposes the same id builds nothing (`propose`).
        self.proposed: dict[str, Candidate] = {}
        for t in self.inv:
            for m in t.methods:
                for term in m.terms:
                    users = self.referenced.setdefault(term.target, [])
                    if not users or users[-1] != t.id:  # file order: a repeat can only be the last
                        users.append(t.id)

    def propose(self, cid: str, make) -> Candidate:
        """The candidate `cid` as an earlier scenario proposed it, else
        `make()`'s: a rule calls it once it knows that this scenario proposes
        `cid`, so that its words and change are made once, not once per
        scenario (the builder would drop the later ones anyway). Cost: O(1)
        when known.

        >>> from identity_map.analysis.graph import Dependencies
        >>> from identity_map.format.load import load_text
        >>> ctx = Context(Dependencies(load_text("version: 1\\n")))
        >>> first = ctx.propose("x", lambda: Candidate("x", FIX, "r", "memory", T("a"), T("b")))
        >>> ctx.proposed["x"] = first
        >>> ctx.propose("x", lambda: 1 / 0) is first
        True
        """
        known = self.proposed.get(cid)
        return make() if known is None else known

    def support(self, tid: str) -> Support:
        """What the account's site offers, from the provider directory (cached)."""
        if tid not in self._support:
            self._support[tid] = support_of(self.inv[tid])
        return self._support[tid]

    def pages(self, support: Support) -> Text:
        """`sites.pages_text(support)`, made once per site: every account
        there links the same pages (7 us each for a known site, some 3,500
        candidates at 30,000 accounts)."""
        key = id(support.site)  # the directory keeps its sites, and `_pages` the site too
        if key not in self._pages:
            self._pages[key] = support.site, pages_text(support)
        return self._pages[key][1]

    def name(self, tid: str) -> U:
        thing = self.inv.things.get(tid) or self.added[tid]
        return U(thing.name)

    def names(self, ids) -> Text:
        return join([self.name(i) for i in ids])

    def users_of(self, term: Term) -> list[str]:
        """The things (file order) with a login or recovery method that uses `term`."""
        if term not in self._users:
            holds = _holding(term)
            self._users[term] = [u for u in self.referenced.get(term.target, []) if any(map(holds, self.inv[u].methods))]
        return self._users[term]

    def first_lost(self, methods, kind: str, lost: frozenset[str], target_kind: str = "") -> str | None:
        """The target of the first `kind:ID` term in `methods` whose ID is
        lost (and is a `target_kind` thing, when given)."""
        return next((x.target for m in methods for x in m.terms if x.kind == kind and x.target in lost
                     and (not target_kind or self.inv[x.target].kind == target_kind)), None)

    def _new(self, base: tuple[str, str], kind: str, site: str = "", **fields) -> tuple[str, tuple]:
        """A thing to add, the same one each time it is asked for with the same site."""
        key = (base[0], site)
        if key not in self._made:
            wanted = base[0] if site in ("", "home", "carried") else f"{base[0]}-{site}"
            tid = fresh_id(self.inv, wanted)
            name = base[1].format(where=WHERE.get(site, f"at {site}"))
            thing = self.added[tid] = Thing(id=tid, kind=kind, name=name, site=site, **fields)
            self._made[key] = tid, (AddThing(thing),)
        return self._made[key]

    def site_for(self, result: Impact, kind: str) -> str:
        """Where a new device or place goes so that `result`'s scenario does
        not take it: a device is carried, a place is at home, unless the
        scenario takes that site (or, with no sites written, any place, as a
        house fire does); then another site of the inventory's that nothing
        lost is at, else a relative's house."""
        key = (id(result), kind)
        if key not in self._sites:
            self._sites[key] = result, self._site_for(result, kind)  # holding result keeps its id unique
        return self._sites[key][1]

    def _site_for(self, result: Impact, kind: str) -> str:
        taken = {s.partition(":")[2] for s in result.selectors if s.startswith("site:")}
        taken |= {self.inv[i].site for i in result.scenario if self.inv[i].site}
        if kind == "device" and "carried" not in taken:
            return "carried"
        if kind == "place" and "home" not in taken and not any(self.inv[i].kind == "place" for i in result.scenario):
            return "home"
        lost_at = {self.inv[i].site for i in result.lost} | taken
        return next((s for s in self.sites if s not in lost_at and s != "carried"), AWAY)

    @cached_property
    def sites(self) -> list[str]:
        return list(sites(self.inv))

    def safe_place(self, result: Impact) -> tuple[str, tuple]:
        """Where printed codes and keys go: a place that already holds printed
        codes and that the scenario does not take, else a new one away from it."""
        for place in self.code_places:
            if place not in result.lost:
                return place, ()
        return self._new(SAFE_PLACE, "place", self.site_for(result, "place"))

    @cached_property
    def code_places(self) -> list[str]:
        """Places named by a `codes:` term, in the order the file names them first."""
        return list(dict.fromkeys(term.target for t in self.inv for m in t.methods for term in m.terms
                                  if term.kind == "codes" and self.inv[term.target].kind == "place"))

    @cached_property
    def copies_at(self) -> dict[str, int]:
        """Place -> how many data items have a copy there."""
        counts: dict[str, int] = {}
        for t in self.inv.of_kind("data"):
            for c in t.copies:
                if self.inv[c].kind == "place":
                    counts[c] = counts.get(c, 0) + 1
        return counts

    @cached_property
    def purchases_of(self) -> dict[str, list[Thing]]:
        """Account -> its purchases, file order."""
        out: dict[str, list[Thing]] = {}
        for p in self.inv.of_kind("purchase"):
            out.setdefault(p.account, []).append(p)
        return out

    @cached_property
    def security_keys(self) -> list[str]:
        return [t.id for t in self.inv.of_kind("device") if t.subkind == "security-key"]

    def backup_place(self, data: Thing, result: Impact) -> tuple[str, tuple]:
        """Where an independent copy goes: the place the scenario does not
        take that already holds the most copies of other data (not one of
        this item's own), else a new one away from what the scenario takes."""
        counts = {c: n for c, n in self.copies_at.items() if c not in data.copies and c not in result.lost}
        if counts:
            return max(counts, key=lambda c: (counts[c], -self.order[c])), ()
        return self._new(BACKUP_DISK, "place", self.site_for(result, "place"))

    def authenticator(self, result: Impact) -> tuple[str, tuple]:
        return self._new(AUTHENTICATOR, "device", self.site_for(result, "device"), subkind="other")

    def security_key(self, result: Impact) -> tuple[str, tuple]:
        """A hardware key the owner has that the scenario does not take, else a new one."""
        for key in self.security_keys:
            if key not in result.lost:
                return key, ()
        return self._new(SECURITY_KEY, "device", self.site_for(result, "device"), subkind="security-key")

    @cached_property
    def password_term(self) -> Term:
        """How this owner keeps passwords: the most common password term of
        the accounts' logins (a remembered one when tied)."""
        counts: dict[Term, int] = {Term("password", MEMORY): 0}
        for t in self.inv.of_kind("account"):
            for m in t.login:
                for term in m.terms:
                    if term.kind == "password":
                        counts[term] = counts.get(term, 0) + 1
        return max(counts, key=lambda k: (counts[k], k.target == MEMORY))

    @cached_property
    def mailboxes(self) -> list[str]:
        """Accounts that are mailboxes: kind email, or named by an email: term."""
        named = {term.target for t in self.inv for m in t.methods for term in m.terms if term.kind == "email"}
        return [t.id for t in self.inv.of_kind("account") if t.subkind == "email" or t.id in named]

    @cached_property
    def ranked_mailboxes(self) -> list[str]:
        """Mailboxes, critical ones (kept with care) first, then file order."""
        return sorted(self.mailboxes, key=lambda m: (not self.inv[m].critical, self.order[m]))

    @cached_property
    def mailbox_rank(self) -> dict[str, int]:
        return {m: i for i, m in enumerate(self.ranked_mailboxes)}

    @cached_property
    def mailboxes_by_word(self) -> dict[str, list[str]]:
        """Word of an id (anna, ben) -> the mailboxes whose id has it, ranked."""
        out: dict[str, list[str]] = {}
        for m in self.ranked_mailboxes:
            for word in dict.fromkeys(m.split("-")):
                out.setdefault(word, []).append(m)
        return out

    def other_mailbox(self, owner: Thing, exclude: set[str], lost: frozenset[str]) -> tuple[str, tuple]:
        """A mailbox of the owner's that this scenario does not take: one that
        shares a word of the account's id (anna, ben) first, then critical
        ones (kept with care), then file order; a new one if there is none."""
        def first(ranked):
            return next((m for m in ranked if m not in exclude and m not in lost), None)

        sharing = [m for word in owner.id.split("-") if (m := first(self.mailboxes_by_word.get(word, ())))]
        best = min(sharing, key=self.mailbox_rank.__getitem__) if sharing else first(self.ranked_mailboxes)
        if best is not None:
            return best, ()
        return self._new(MAILBOX, "account", subkind="email", login=(Method((Term("password", MEMORY),)),))

    def vault_export(self, vault: str) -> str | None:
        """A data item that looks like an offline export of the vault: its name
        or id names the vault's provider (or id), and the vault holds no copy."""
        if vault not in self._exports:
            self._exports[vault] = self._vault_export(vault)
        return self._exports[vault]

    def _vault_export(self, vault: str) -> str | None:
        v = self.inv[vault]
        words = {w.casefold() for w in (v.provider, v.id) if w}
        for t in self.inv.of_kind("data"):
            text = f"{t.name} {t.id}".casefold()
            if vault not in t.copies and any(w in text for w in words) and \
                    any(self.inv[c].kind in ("place", "device") for c in t.copies):
                return t.id
        return None

    def held_only_in(self, holders: tuple[str, ...]) -> list[str]:
        """The data items (file order) whose copies are exactly `holders` and
        that nothing else needs: what one backup of those holders covers
        (a key that others need is kept offline on its own)."""
        return list(self._held_by.get(frozenset(holders), ()))

    @cached_property
    def _held_by(self) -> dict[frozenset[str], list[str]]:
        """Holders -> `held_only_in` them: rules ask once per lost thing."""
        out: dict[frozenset[str], list[str]] = {}
        for d in self.inv.of_kind("data"):
            if not [u for u in self.referenced.get(d.id, []) if u != d.id]:
                out.setdefault(frozenset(d.copies), []).append(d.id)
        return out

    def replace_everywhere(self, old: Term, new: Term) -> tuple:
        """For every method that uses `old`, the same method with `new` instead
        (added beside it). Cost: O(methods of the things naming old's
        target), each distinct tuple of terms tested and replaced once."""
        if (old, new) not in self._replaced:
            holds = _holding(old)
            made: dict[int, Method] = {}  # id of a method's terms (see `_holding`) -> the method with `new`
            ops = []
            for u in self.referenced.get(old.target, []):
                for role in ("login", "recovery"):
                    for m in getattr(self.inv[u], role):
                        if holds(m):
                            if id(m.terms) not in made:
                                made[id(m.terms)] = replace(m, old, new)
                            ops.append(AddMethod(u, role, made[id(m.terms)]))
            self._replaced[old, new] = tuple(ops)
        return self._replaced[old, new]


def _holding(term: Term):
    """A test of whether a method of the inventory uses `term`, each
    distinct tuple of terms tested once: the loader gives equal methods one
    tuple (most accounts log in alike), and terms compare in Python. Keyed
    by the tuple's id, which the inventory keeps alive while the test runs."""
    known: dict[int, bool] = {}

    def holds(method: Method) -> bool:
        found = known.get(id(method.terms))
        if found is None:
            found = known[id(method.terms)] = term in method.terms
        return found
    return holds


def replace(method: Method, old: Term, new: Term) -> Method:
    return Method(tuple(dict.fromkeys(new if t == old else t for t in method.terms)))


def rules(ctx: Context, result: Impact):
    """The candidate changes for one scenario (`result`: its impact, with
    its selectors), in file order of what they save."""
    lost = result.lost
    gone = result.scenario
    for tid in sorted(lost - gone, key=ctx.order.__getitem__):  # O(lost), not O(things), per scenario
        t = ctx.inv[tid]
        if t.kind == "data":
            yield from _data_rules(ctx, t, result)
        elif t.kind == "account" and not t.part_of:  # a part's logins are its whole's to decide
            yield from _vault_rule(ctx, t, result)
            yield from _second_factor_rule(ctx, t, result)
            yield from _recovery_codes_rule(ctx, t, result)  # the same item as the second factor's codes
            yield from _hardware_key_rule(ctx, t, result)
            yield from _seed_backup_rule(ctx, t, result)
            yield from _own_login_rule(ctx, t, result)
            yield from _recovery_rule(ctx, t, result)
        elif t.kind == "purchase":
            yield ctx.propose(f"stake-{t.account}", lambda: _stake(ctx, t.account))


# -- Data ------------------------------------------------------------------------


def _data_rules(ctx: Context, t: Thing, result: Impact):
    lost = result.lost
    holders = t.copies
    if not holders or not all(h in lost for h in holders):
        return  # lost through its `needs`: the needed item gets its own rule
    def where() -> Text:
        return (T("Its only copy is in ", ctx.name(holders[0]), ".") if len(holders) == 1
                else T("Its copies are all in ", ctx.names(holders), ", which can be lost together."))

    group = holders[0]
    needed_by = [u for u in ctx.referenced.get(t.id, []) if u != t.id]
    offline = all(ctx.inv[h].kind == "place" for h in holders)
    if needed_by and not offline:
        def offline_copy() -> Candidate:
            place, new = ctx.safe_place(result)
            return Candidate(
                f"key-offline-{t.id}", FIX, "key-offline", group,
                T("Keep '", ctx.name(t.id), "' offline too (printed, or on a USB stick in a safe place)"),
                where() + T(" ", ctx.names(needed_by), " needs it" if len(needed_by) == 1 else " need it",
                            ". Where to keep it: ", ctx.name(place), "."),
                new + (AddCopy(t.id, place),))

        yield ctx.propose(f"key-offline-{t.id}", offline_copy)
    else:
        cid = f"backup-{'-'.join(holders)}"[:96]

        def backup() -> Candidate:
            place, new = ctx.backup_place(t, result)
            held = ctx.held_only_in(holders)
            listed = join(shortlist([ctx.name(d) for d in held], 8))
            what = T("It holds the only copy of: ", listed, ".") if len(holders) == 1 else T(" Copy: ", listed, ".")
            return Candidate(
                cid, FIX, "independent-copy", group,
                T("Back up ", ctx.names(holders), " to ", ctx.name(place)),
                (T("") if len(holders) == 1 else where()) + what
                + T(" Refresh the copy now and then, and keep it apart from what it backs up."),
                new + tuple(AddCopy(d, place) for d in held))

        yield ctx.propose(cid, backup)


# -- Accounts --------------------------------------------------------------------


def _vault_rule(ctx: Context, t: Thing, result: Impact):
    """A password kept only in a vault that is lost: an offline copy of the vault."""
    lost = result.lost
    vault = ctx.first_lost(t.methods, "password", lost, "account")
    if vault is not None:
        yield ctx.propose(f"vault-offline-{vault}", lambda: _vault_offline(ctx, vault, result))


def _vault_offline(ctx: Context, vault: str, result: Impact) -> Candidate:
    n = len(ctx.users_of(Term("password", vault)))
    count = plural(n, "account") + (" signs" if n == 1 else " sign")
    export = ctx.vault_export(vault)
    if export:
        return Candidate(
            f"vault-offline-{vault}", FIX, "vault-offline", vault,
            T("Make sure '", ctx.name(export), "' can stand in for ", ctx.name(vault)),
            T(f"{count} in with a password kept only in ", ctx.name(vault),
              ". Keep the export current, and note in the inventory that those passwords can come from it."),
            ctx.replace_everywhere(Term("password", vault), Term("", export)))
    place, new = ctx.safe_place(result)
    return Candidate(
        f"vault-offline-{vault}", FIX, "vault-offline", vault,
        T("Keep an offline copy of the passwords in ", ctx.name(vault)),
        T(f"{count} in with a password kept only there. Keep an encrypted export or an "
          "emergency sheet, and update it now and then. Where to keep it: ", ctx.name(place), "."),
        new + ctx.replace_everywhere(Term("password", vault), Term("password", place)))


def _second_factor_rule(ctx: Context, t: Thing, result: Impact):
    """A second factor that hangs on something lost: a second, independent
    one that the site offers (the best of a security key, a passkey, an
    authenticator app; an app when the site is unknown), and its printed
    recovery codes as their own item."""
    lost = result.lost
    base = next((m for m in t.login if any(x.kind in TWO_FACTOR for x in m.terms)), None)
    if base is None:
        return
    factors = list(dict.fromkeys(x.target for x in base.terms if x.kind in TWO_FACTOR))
    if not any(f in lost for f in factors):
        return
    support = ctx.support(t.id)
    what = second_factor(support)
    if what is not None:
        def second() -> Candidate:
            rest = tuple(x for x in base.terms if x.kind not in TWO_FACTOR)
            term, new_device, how = _factor(ctx, what, result)
            return Candidate(
                f"second-factor-{t.id}", FIX, "second-factor", t.id,
                T(f"Add {factor.WORDS[what]} to ", ctx.name(t.id), " as a second 2FA method that does not depend on ",
                  join([ctx.name(f) for f in factors], " or ")),
                offers_text(support, ctx.name(t.id)) + how + ctx.pages(support),
                new_device + (AddMethod(t.id, "login", Method(rest + (term,))),))

        yield ctx.propose(f"second-factor-{t.id}", second)

    def why() -> Text:
        said = T("Its second factor hangs on ", join([ctx.name(f) for f in factors], " or "), ".")
        return said if what else said + T(" ") + offers_text(support, ctx.name(t.id))

    yield from _codes(ctx, t, result, why)


def _factor(ctx: Context, what: str, result: Impact) -> tuple[Term, tuple, Text]:
    """The term of a second factor of kind `what` (see `sites.second_factor`)
    that the scenario does not take, the things to add for it, and how to
    set it up."""
    if what == factor.AUTHENTICATOR:
        device, new_device = ctx.authenticator(result)
        return Term("totp", device), new_device, T(" Use an app whose seeds you can export and keep yourself.")
    device, new_device = ctx.security_key(result)
    return (Term("key" if what == factor.SECURITY_KEY else "passkey", device), new_device,
            T(" Register '", ctx.name(device), "' (and a spare key, kept apart, if the site allows two)."))


def _codes(ctx: Context, t: Thing, result: Impact, why):
    """One item per account, whichever rule asks: print its recovery codes
    (with the password that goes with them), unless the site has no second
    factor and so no codes. `why()`: the sentence that says why."""
    support = ctx.support(t.id)
    if support.possible(factor.RECOVERY_CODES):
        yield ctx.propose(f"recovery-codes-{t.id}", lambda: _codes_candidate(ctx, t, result, why(), support))


def _codes_candidate(ctx: Context, t: Thing, result: Impact, why: Text, support: Support) -> Candidate:
    place, new = ctx.safe_place(result)
    base = next((m for m in t.login if any(x.kind in TWO_FACTOR for x in m.terms)), None)
    remembered = Term("password", MEMORY)
    keep = (tuple(x for x in base.terms if x.kind not in TWO_FACTOR) if base is not None
            else (remembered,) if any(remembered in m.terms for m in t.methods) else ())
    return Candidate(
        f"recovery-codes-{t.id}", FIX, "recovery-codes", t.id,
        T("Print ", ctx.name(t.id), "'s recovery codes"),
        why + T(" Printed codes need no phone and no app. Where to keep them: ", ctx.name(place), ".")
        + (T("") if support.known else T(" If it offers no codes, add a recovery option that needs none of "
                                         "the above.")) + ctx.pages(support),
        new + (AddMethod(t.id, "recovery", Method(keep + (Term("codes", place),))),))


def _recovery_codes_rule(ctx: Context, t: Thing, result: Impact):
    """Recovery by a text to a number that is lost (its SIM goes with a
    device, and getting a new SIM hangs on something lost too, or on
    nothing at all): printed recovery codes, which need no number."""
    phone = ctx.first_lost(t.recovery, "sms", result.lost)
    if phone is None:
        return

    def why() -> Text:
        number = ctx.inv[phone]
        how = (T(" The number lives on the SIM in ", ctx.name(number.device), ", and ") if number.device
               else T(" The number "))
        ways = [ctx.names(dict.fromkeys(m.targets)) for m in number.recovery]
        how += (T("a new SIM comes through ", join(ways, " or "), ".") if ways
                else T("nothing in the inventory gets it back: note how your carrier issues a new SIM."))
        return T("Today it recovers by a text to ", ctx.name(phone), ".") + how

    yield from _codes(ctx, t, result, why)


def _hardware_key_rule(ctx: Context, t: Thing, result: Impact):
    """A passkey kept only in a syncing account that is lost: a hardware key
    (or a passkey bound to a device) as another way in."""
    lost = result.lost
    synced = ctx.first_lost(t.login, "passkey", lost, "account")
    if synced is None:
        return
    support = ctx.support(t.id)
    if support.possible(factor.SECURITY_KEY) or support.possible(factor.PASSKEY):
        yield ctx.propose(f"hardware-key-{t.id}", lambda: _hardware_key(ctx, t, result, synced, support))


def _hardware_key(ctx: Context, t: Thing, result: Impact, synced: str, support: Support) -> Candidate:
    key, new = ctx.security_key(result)
    # A site that takes passkeys but no security keys as a second factor still takes a key holding a passkey.
    term = Term("key" if support.possible(factor.SECURITY_KEY) else "passkey", key)
    return Candidate(
        f"hardware-key-{t.id}", FIX, "hardware-key", t.id,
        T("Register a hardware security key with ", ctx.name(t.id)),
        T("Its passkey lives only in ", ctx.name(synced), ", which syncs it: when that account goes, the "
          "passkey goes with it. Register ", ctx.name(key), " as a passkey too (a key never syncs, so no "
          "account can take it), and a spare key if the site allows it. ")
        + offers_text(support, ctx.name(t.id)) + ctx.pages(support),
        new + (AddMethod(t.id, "login", Method((term,))),))


def _seed_backup_rule(ctx: Context, t: Thing, result: Impact):
    """An authenticator app that is lost while accounts take one-time codes
    from it: a backup of its seeds that no account holds."""
    users = ctx.users_of(Term("totp", t.id))
    if users:
        yield ctx.propose(f"seed-backup-{t.id}", lambda: _seed_backup(ctx, t, result, users))


def _seed_backup(ctx: Context, t: Thing, result: Impact, users: list[str]) -> Candidate:
    place, new = ctx.safe_place(result)
    return Candidate(
        f"seed-backup-{t.id}", FIX, "seed-backup", t.id,
        T("Keep an offline backup of the one-time-code seeds in ", ctx.name(t.id)),
        T(plural(len(users), "account"), " takes" if len(users) == 1 else " take", " codes from it (",
          join(shortlist([ctx.name(u) for u in users], 4)), "), and the app and its backup hang on other "
          "things. Export the seeds (or keep the QR codes from setting them up) encrypted or on paper, so "
          "the codes can be restored on any phone, or move to an authenticator that lets you export them. "
          "Where to keep the backup: ", ctx.name(place), "."),
        new + (AddMethod(t.id, "recovery", Method((Term("codes", place),))),))


def _own_login_rule(ctx: Context, t: Thing, result: Impact):
    """Login only through "Sign in with X": its own password, or, safer
    (a password alone hands the account to whoever learns it), its own
    password with the best second factor the site offers."""
    lost = result.lost
    if t.subkind in ORGANISATION_KINDS or not t.login or \
            not all(any(x.kind == "sso" for x in m.terms) for m in t.login):
        return
    via = ctx.first_lost(t.login, "sso", lost)
    if via is None:
        return
    x = ctx.inv[via]
    if (t.provider and x.provider and t.provider.casefold() == x.provider.casefold()) or (t.user and t.user == x.user):
        return  # the same provider's own services cannot get a separate login
    yield ctx.propose(f"own-login-{t.id}", lambda: _own_login(ctx, t, result, via))


def _own_login(ctx: Context, t: Thing, result: Impact, via: str) -> Candidate:
    pw = ctx.password_term
    today = T("Today it opens only with \"Sign in with ", ctx.name(via), "\". Add a password",
              T(" kept in ", ctx.name(pw.target)) if pw.target != MEMORY else T(""))
    support = ctx.support(t.id)
    what = second_factor(support)
    safer = ()
    if what is not None:
        term, new, how = _factor(ctx, what, result)
        safer = (Candidate(
            f"own-login-2fa-{t.id}", FIX, "own-login", t.id,
            T("Give ", ctx.name(t.id), f" its own password and {factor.WORDS[what]}"),
            today + T(f" and {factor.WORDS[what]} in its account settings: then knowing the password is not "
                      "enough to get in.") + how + ctx.pages(support),
            new + (AddMethod(t.id, "login", Method((pw, term))),)),)
    return Candidate(
        f"own-login-{t.id}", FIX, "own-login", t.id,
        T("Give ", ctx.name(t.id), " its own password or passkey"),
        today + T(" (and a second factor) in its account settings."),
        (AddMethod(t.id, "login", Method((pw,))),), safer=safer)


def _recovery_rule(ctx: Context, t: Thing, result: Impact):
    """Recovery through a mailbox that is lost: point it elsewhere (or break
    a loop), or, safer (another mailbox is another way in for whoever reads
    it), print the account's recovery codes."""
    scenario, lost = result.scenario, result.lost
    box = next((x.target for m in t.recovery for x in m.terms
                if x.kind == "email" and x.target in lost and x.target != t.id), None)
    if box is None:
        return
    inv = ctx.inv
    loop = box not in scenario and any(t.id in mm.targets for mm in inv[box].recovery)
    if loop and ctx.order[box] < ctx.order[t.id]:
        return  # the partner, earlier in the file, carries the item
    yield ctx.propose(f"loop-{t.id}-{box}" if loop else f"recovery-{t.id}", lambda: _elsewhere(ctx, t, result, box, loop))


def _elsewhere(ctx: Context, t: Thing, result: Impact, box: str, loop: bool) -> Candidate:
    other, new = ctx.other_mailbox(t, {t.id, box}, result.lost)
    old = Term("email", box)
    ops = tuple(AddMethod(t.id, "recovery", replace(m, old, Term("email", other)))
                for m in t.recovery if old in m.terms)
    safer = tuple(_codes(ctx, t, result, lambda: T("Today it recovers through ", ctx.name(box), ".")))
    if loop:
        return Candidate(
            f"loop-{t.id}-{box}", FIX, "recovery-loop", t.id,
            T("Break the recovery loop between ", ctx.name(t.id), " and ", ctx.name(box)),
            T(ctx.name(t.id), " recovers only through ", ctx.name(box), " and ", ctx.name(box),
              " only through ", ctx.name(t.id), ": when both logins fail, neither rescues the other. "
              "Point the recovery address of ", ctx.name(t.id), " at ", ctx.name(other), "."),
            new + ops, safer=safer)
    return Candidate(
        f"recovery-{t.id}", FIX, "recovery-elsewhere", t.id,
        T("Point the recovery address of ", ctx.name(t.id), " elsewhere"),
        T("Today it is ", ctx.name(box), ". Use ", ctx.name(other), " instead, or as well."),
        new + ops, safer=safer)


# -- Purchases and advice ----------------------------------------------------------


def _stake(ctx: Context, account: str) -> Candidate:
    return stake(ctx, [account])


def stake(ctx: Context, accounts: list[str]) -> Candidate:
    """What is at stake in purchases tied to these accounts: one item for all
    of them (keeping receipts outside the accounts is one thing to do), named
    after the account when there is one, `stake-purchases` otherwise."""
    tied = sorted((p for a in dict.fromkeys(accounts) for p in ctx.purchases_of.get(a, ())),
                  key=lambda p: ctx.order[p.id])
    total: dict[str, float] = {}
    for p in tied:
        add_money(total, p.currency, p.price)
    total = dict(sorted(total.items()))
    one = len(accounts) == 1
    return Candidate(
        f"stake-{accounts[0]}" if one else "stake-purchases", INFO, "purchases-at-stake", accounts[0],
        T(f"Know what is at stake: {money_text(total)} in purchases tied to ",
          join(shortlist([ctx.name(a) for a in accounts], 4))),
        T("Bought with it: " if one else "Bought with them: ", join(shortlist([ctx.name(p.id) for p in tied], 8)),
          ". No change to the inventory can save bought content: it stays with the account. "
          "Keep the receipts outside the account; they support a claim."),
        money_at_stake=total)


def advice(ctx: Context, rows: list[tuple[str, tuple[str, ...]]]) -> list[Item]:
    """The story's general advice, when losing one account takes something
    critical. `rows`: (account id, critical ids its loss takes), worst first."""
    if not rows:
        return []
    providers = list(dict.fromkeys(ctx.inv[a].provider or ctx.inv[a].name for a, _ in rows))
    names = shortlist([U(p) for p in providers], 4)
    top, crit = rows[0]
    data = [d for d in crit if ctx.inv[d].kind == "data"]
    shown = [ctx.name(d) for d in data[:4]] + (["more"] if len(data) > 4 else [])
    held = T(" What matters most here: ", join(shown), ".") if data else T("")

    def item(slug: str, action: Text, detail: Text) -> Item:
        return Item(f"advice-{slug}", ADVICE, slug, ADVICE_GROUP, "General advice", action, detail)

    return [
        item("paid-support", T("Consider a paid plan with real support at ", join(names)),
             T("Direct support is often for paying customers only, and fast support matters when a login is "
               "lost. Losing ", ctx.name(top), f" alone takes {plural(len(crit), 'critical thing')}.")),
        item("privacy", T("Prefer services that encrypt your data and respect your privacy"),
             T("Automated scans err, and a provider may block a whole account at once, on mere suspicion, "
               "and rarely reverses it.") + held),
        item("lockout-plan", T("Have a lockout plan: contest a block at once and in writing"),
             T("If ", ctx.name(top), " is blocked, contest the block immediately and in writing, and send the "
               "service a formal warning. In Germany, lawyers point out that an injunction against the block "
               "can be sought if the service does not answer as asked (a breach can cost it up to EUR 250,000).")),
    ]


# -- After death -------------------------------------------------------------------

# Providers that let a person you name reach the account after your death,
# and what they call it (matched case-insensitively on `provider`).
LEGACY_PROVIDERS = {
    "apple": "a Legacy Contact (Settings, your name, Sign-In & Security, Legacy Contact)",
    "google": "an Inactive Account Manager contact (myaccount.google.com, Data & privacy)",
    "facebook": "a legacy contact (Settings, Memorialization)",
    "meta": "a legacy contact (Settings, Memorialization)",
    "instagram": "memorialization by a family member",
    "bitwarden": "emergency access (Settings, Emergency access: takeover)",
    "lastpass": "emergency access",
    "keeper": "emergency access",
    "proton": "an emergency contact for Proton Pass",
}


def heirs_rules(ctx: Context, result: Impact):
    """The candidate changes for an after-death scenario: what your people
    lose that a legacy contact, the vault's master password on the
    emergency sheet, or a device passcode on the sealed sheet would give
    them. Nothing when `result` is not after death."""
    if not result.after_death:
        return
    for tid, t in ctx.inv.things.items():
        if tid not in result.lost or tid in result.scenario:
            continue
        if t.kind == "account" and not t.part_of:
            yield from _legacy_rule(ctx, t, result)
            yield from _vault_sheet_rule(ctx, t, result)
        elif t.kind == "device":
            yield from _unlock_sheet_rule(ctx, t, result)


def _remembered(methods) -> Method | None:
    """The first method that needs what you remember (a bare `password`)."""
    return next((m for m in methods if Term("password", MEMORY) in m.terms), None)


def _legacy_rule(ctx: Context, t: Thing, result: Impact):
    """An account whose provider offers a legacy procedure, with none set up
    for a person who is not lost: name one."""
    what = LEGACY_PROVIDERS.get(t.provider.casefold())
    people = [p.id for p in ctx.inv.of_kind("person") if p.id not in result.lost]
    if what is None or not people or any(x.target in people for m in t.legacy for x in m.terms):
        return
    who = people[0]
    yield Candidate(
        f"legacy-{t.id}", FIX, "legacy-contact", t.id,
        T("Name ", ctx.name(who), " as the legacy contact of ", ctx.name(t.id)),
        T(U(t.provider), " offers ", what, ": after your death ", ctx.name(who),
          " reaches the account with a death certificate. Add it to the inventory as "
          f"'legacy: [person:{who}]'."),
        (AddMethod(t.id, "legacy", Method((Term("person", who),))),))


def _vault_sheet_rule(ctx: Context, t: Thing, result: Impact):
    """A password manager whose logins all need the master password you
    remember: write it on the emergency sheet in a place your people open."""
    if t.subkind == "password-manager":
        yield from _sheet_rule(ctx, t, result, "login", "vault-sheet", lambda place: (
            T("Put the master password of ", ctx.name(t.id), " on the emergency sheet in ", place),
            T("Your people cannot open the vault without it, and it holds the passwords of most accounts. "
              "Write it on the emergency sheet (sealed, dated) in ", place,
              ", where they will look, and keep the sheet up to date.")))


def _unlock_sheet_rule(ctx: Context, t: Thing, result: Impact):
    """A device that unlocks only with a passcode you remember: add the
    passcode to the sealed sheet, so your people can use it."""
    yield from _sheet_rule(ctx, t, result, "unlock", "unlock-sheet", lambda place: (
        T("Add the passcode of ", ctx.name(t.id), " to the sealed sheet in ", place),
        T(ctx.name(t.id), " unlocks only with a passcode you know; after your death it is a locked brick, "
          "with the apps, codes and passkeys on it. Write the passcode on the sealed sheet in ", place, ".")))


def _sheet_rule(ctx: Context, t: Thing, result: Impact, role: str, slug: str, words):
    """The first `role` method of t that needs what you remember, again with
    the secret on the sheet in a safe place; `words(place name)` gives the
    action and its detail."""
    method = _remembered(getattr(t, role))
    if method is None:
        return
    place, new = ctx.safe_place(result)
    action, detail = words(ctx.name(place))
    yield Candidate(f"{slug}-{t.id}", FIX, slug, t.id, action, detail,
                    new + (AddMethod(t.id, role, replace(method, Term("password", MEMORY), Term("password", place))),))

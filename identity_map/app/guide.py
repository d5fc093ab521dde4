"""The guided start ("Start my map"): its steps, in plain words.

A step is a few small forms, each adding one thing to a section with some
fields preset (an account step presets its kind). The forms are
`app.forms` forms restricted to the step's fields; a field the format does
not have (yet) is left out, so the steps follow `format.model`. A form may
offer `templates` (a name and preset values); the provider templates of
`identity_map.providers` plug in there. No Streamlit here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from identity_map.app.forms import FieldSpec, fields


@dataclass(frozen=True)
class Template:
    """A starting point for a form: its label and the values it fills in."""

    label: str
    values: Mapping[str, Any]


@dataclass(frozen=True)
class StepForm:
    """One kind of thing a step adds."""

    section: str
    title: str  # what the add button says, e.g. "Add a mailbox"
    shown: tuple[str, ...]  # the fields asked, in this order
    preset: Mapping[str, Any] = field(default_factory=dict)  # written with every thing added
    templates: tuple[Template, ...] = ()

    def specs(self) -> tuple[FieldSpec, ...]:
        """The shown fields the section has, in the step's order.

        >>> [s.name for s in StepForm("places", "Add a place", ("name", "site", "colour")).specs()]
        ['name', 'site']
        """
        have = {f.name: f for f in fields(self.section)}
        return tuple(have[name] for name in self.shown if name in have)


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    explain: str  # plain words, Markdown without user text
    forms: tuple[StepForm, ...]


_ACCOUNT = ("name", "provider", "user", "login", "recovery", "critical")

STEPS: tuple[Step, ...] = (
    Step("mail", "Your main mailboxes and identity accounts",
         "Start with the accounts everything else hangs on: the mailboxes where password resets arrive and the "
         "accounts you use to *sign in with* elsewhere (Google, Microsoft, Apple). For each, say how you log in; "
         "you can add the text-message or app parts after the next steps and come back here. "
         "Never write a password or a code here: only *how* you log in.",
         (StepForm("accounts", "Add this account", ("name", "kind", *_ACCOUNT[1:]), {"kind": "email"}),)),
    Step("phones", "Phones and phone numbers",
         "Your phones, and the numbers that get text messages with codes. A number lives on a phone "
         "(its SIM), and your carrier can move it to a new SIM: that is its recovery.",
         (StepForm("devices", "Add this phone", ("name", "site", "unlock"), {"kind": "phone"}),
          StepForm("phones", "Add this number", ("name", "number", "device", "recovery")))),
    Step("apps", "Password manager and authenticator apps",
         "Where your passwords live (Bitwarden, 1Password, the browser) and the apps that show one-time "
         "codes (Google or Microsoft Authenticator, Aegis, 2FAS). Many other logins need them, so how "
         "*they* are opened matters most.",
         (StepForm("accounts", "Add this app", ("name", "kind", "provider", "login", "recovery", "critical"),
                   {"kind": "password-manager"}),)),
    Step("accounts", "Your other important accounts",
         "Banks, shops, cloud storage, social networks, work: the accounts you would miss. Pick how each "
         "logs in from the lists; the lists only offer what you have already added.",
         (StepForm("accounts", "Add this account", ("name", "kind", *_ACCOUNT[1:]), {"kind": "other"}),)),
    Step("devices", "Devices and where they live",
         "Computers, tablets and security keys, and offline places (a safe, a drawer with printed codes). "
         "Say where each lives (home, office, parents, carried) so a house fire can be tried.",
         (StepForm("devices", "Add this device", ("name", "kind", "site", "unlock"), {"kind": "computer"}),
          StepForm("places", "Add this place", ("name", "site")))),
    Step("data", "Important data and where its copies are",
         "Photos, documents, keys: everything you could not replace, and every place a copy is kept. "
         "Data is safe while any one copy survives.",
         (StepForm("data", "Add this data", ("name", "copies", "needs", "critical")),)),
    Step("purchases", "Purchases and licences",
         "Games, films, books, software bought through an account: they go when the account goes.",
         (StepForm("purchases", "Add this purchase", ("name", "account", "price", "currency")),)),
)
BY_KEY = {step.key: step for step in STEPS}


def form_values(form: StepForm, entered: Mapping[str, Any]) -> dict[str, Any]:
    """What a step form writes: the presets, overridden by what was entered
    (empty entries dropped).

    >>> form_values(STEPS[0].forms[0], {"name": "Gmail", "user": ""})
    {'kind': 'email', 'name': 'Gmail'}
    """
    out = dict(form.preset)
    out.update({k: v for k, v in entered.items() if v not in (None, "", [], False)})
    return out

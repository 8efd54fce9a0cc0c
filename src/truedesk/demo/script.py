"""The vocabulary the demo content is written in: people, organisations, case stories.

Content modules describe *what happened* (who said what, when, to whom); the
builder turns every line into a call of the real action that does it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta


@dataclass(frozen=True)
class StaffPerson:
    username: str
    first_name: str
    last_name: str
    role: str  # agent / supervisor / admin
    departments: tuple[str, ...]  # department slugs
    languages: tuple[str, ...]  # languages this person answers customers in
    language: str = "en"  # interface language
    time_zone: str = "Europe/Vilnius"
    signs_in: bool = True  # gets the demo password and is printed in the logins table


@dataclass(frozen=True)
class DepartmentSpec:
    slug: str
    name: str
    description: str


@dataclass(frozen=True)
class OrganisationSpec:
    key: str
    name: str
    tier: str
    account_manager: str  # staff username
    notes: str
    since_days: int  # customer for this many days


@dataclass(frozen=True)
class CustomerPerson:
    key: str  # also the portal user name
    name: str
    gender: str  # "f" or "m": the grammar of what they write must match
    email: str
    language: str
    phone: str = ""
    tier: str = "standard"
    time_zone: str = "Europe/Vilnius"
    organisation: str = ""  # organisation key
    title: str = ""  # title in the organisation
    primary_contact: bool = False
    notes: str = ""
    since_days: int = 400
    signs_in: bool = False  # gets the demo password and is printed in the logins table
    everyday_cases: bool = True  # may be given vignettes besides their own stories


@dataclass(frozen=True)
class Step:
    """One thing that happened to a case, `after` it was opened.

    `actor` is a staff user name, or "" for the case's customer.
    """

    after: timedelta
    action: str
    actor: str = ""
    body: str = ""
    channel: str = "email"
    status: str | None = None
    minutes: int = 0
    inbound: bool = True
    to_user: str = ""
    to_department: str = ""
    reason: str = ""
    # The new kind ("kind"), comma-separated tags ("tags") or another story's key ("merge", "link").
    value: str = ""
    expires_in: timedelta = timedelta(hours=4)


@dataclass(frozen=True)
class Opened:
    """When a case was opened: `days_ago` at local time `at` (Europe/Vilnius).

    `weekday` (0 = Monday) moves the day back to the nearest such weekday, for
    stories whose text names days ("on Saturday"); `after` then shifts the
    moment by that many hours, so related stories can share one anchor.
    """

    days_ago: int
    at: str = "10:00"
    weekday: int | None = None
    after: float = 0
    workday: bool = True  # without `weekday`: move a Saturday or Sunday back to Friday


@dataclass(frozen=True)
class CaseStory:
    key: str
    customer: str  # customer key
    subject: str
    body: str
    opened: Opened
    kind: str = "question"
    department: str = "support"
    channel: str = "email"
    opened_by: str = ""  # staff user name when staff opened it (a call, an outbound notice)
    owner_on_open: bool = False  # the opener keeps it (a phone call handled at once)
    initiated_by: str = "customer"
    priority: int = 2
    severity: int = 1
    steps: tuple[Step, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Vignette:
    """A short everyday case; the builder decides (seeded) how far it has got.

    Texts in the customer's language: their opening message, the agent's
    answer, the customer's follow-up and the agent's closing answer. `speaker`
    is "f" or "m" when the customer's words are grammatically gendered;
    `home` marks household matters, never given to an organisation's people.
    """

    language: str
    kind: str
    department: str
    subject: str
    opening: str
    answer: str
    follow_up: str
    closing: str
    speaker: str = ""
    home: bool = True


# --- short constructors that keep the content readable --------------------------------


def hours(value: float) -> timedelta:
    return timedelta(hours=value)


def take(after: float, who: str) -> Step:
    return Step(hours(after), "take", who)


def reply(
    after: float, who: str, body: str, *, channel: str = "email", status: str | None = None
) -> Step:
    return Step(hours(after), "reply", who, body, channel=channel, status=status)


def said(after: float, body: str, *, channel: str = "email") -> Step:
    """The customer writes (email or portal): a reply by the customer's own login."""
    return Step(hours(after), "customer", "", body, channel=channel)


def call(after: float, who: str, minutes: int, body: str, *, inbound: bool = True) -> Step:
    """A phone call `who` handled, logged with its length; `after` is when it ended."""
    return Step(hours(after), "call", who, body, channel="phone", minutes=minutes, inbound=inbound)


def note(after: float, who: str, body: str) -> Step:
    return Step(hours(after), "note", who, body)


def transfer(
    after: float,
    who: str,
    *,
    to: str = "",
    department: str = "",
    reason: str,
    handoff: str,
    expires_in: timedelta = timedelta(hours=4),
) -> Step:
    return Step(
        hours(after),
        "transfer",
        who,
        handoff,
        to_user=to,
        to_department=department,
        reason=reason,
        expires_in=expires_in,
    )


def accept(after: float, who: str) -> Step:
    return Step(hours(after), "accept", who)


def decline(after: float, who: str, why: str) -> Step:
    return Step(hours(after), "decline", who, why)


def status(after: float, who: str, new_status: str) -> Step:
    return Step(hours(after), "status", who, status=new_status)


def assign(after: float, who: str, to: str) -> Step:
    return Step(hours(after), "assign", who, to_user=to)


def change_kind(after: float, who: str, kind: str) -> Step:
    return Step(hours(after), "kind", who, value=kind)


def tag(after: float, who: str, *tags: str) -> Step:
    return Step(hours(after), "tags", who, value=",".join(tags))


def merge_into(after: float, who: str, target_key: str) -> Step:
    """Merge this case into the story `target_key` (a duplicate)."""
    return Step(hours(after), "merge", who, value=target_key)


def link_to(after: float, who: str, target_key: str) -> Step:
    """Link this case as related to the story `target_key`."""
    return Step(hours(after), "link", who, value=target_key)

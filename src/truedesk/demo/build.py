"""Build the demo organisation through the real actions, on a simulated clock.

Every person, organisation, case, reply, call, note, transfer and status change
is made by the action the desk itself would call, acting as the staff member or
customer the story names, so the demo exercises real permissions, counters and
event trails. The actions stamp `timezone.now()` and case events are
append-only, so the whole build runs on a simulated clock (truedesk.demo.clock)
that walks forward through the planned timeline: events, interactions and
transfers carry the same past moments, in the same order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from truedesk.accounts import actions as account_actions
from truedesk.accounts.errors import DomainError
from truedesk.accounts.models import Department, Partner, User
from truedesk.cases import actions as case_actions
from truedesk.cases.models import Case, Interaction, Transfer
from truedesk.channels.email.demo_data import EmailDemo
from truedesk.channels.partners.demo_data import build_partner_demo
from truedesk.channels.webform.demo_data import build_webform_demo
from truedesk.customers import actions as customer_actions
from truedesk.customers.models import Customer, Organisation
from truedesk.demo import content, plan
from truedesk.demo.clock import simulated_clock
from truedesk.demo.promises_kept import PromisesKept
from truedesk.demo.script import CaseStory, CustomerPerson, StaffPerson, Step
from truedesk.routing.demo_data import build_routing_demo
from truedesk.workforce.demo_data import build_forecast_history_demo

DEFAULT_PASSWORD = "demo-password-1"
SYSTEM = account_actions.SystemActor(label="demo")
# Customers and organisations older than Truedesk came over from the old system.
IMPORT = account_actions.SystemActor(label="import")
# When the organisation started using Truedesk.
GO_LIVE_DAYS_AGO = 400


class DemoContentError(Exception):
    """A story asked for something the actions refuse; names the story and step."""


@dataclass(frozen=True)
class DemoLogin:
    username: str
    name: str
    role: str
    url: str


@dataclass(frozen=True)
class DemoSummary:
    cases: int
    customers: int
    interactions: int
    logins: list[DemoLogin]


@dataclass(frozen=True)
class Entry:
    """One thing to do at one moment of the demo's history."""

    at: datetime
    sequence: int
    label: str
    run: Callable[[], Any]


# --- questions the command asks before building ------------------------------------------


def demo_usernames() -> list[str]:
    """The user names the demo creates for people to sign in with, in display order."""
    return [
        *(person.username for person in content.STAFF if person.signs_in),
        *(person.key for person in content.CUSTOMERS if person.signs_in),
        content.PARTNER_USER[0],
    ]


def demo_exists() -> bool:
    """True when any demo login already exists in the database."""
    return User.objects.filter(username__in=demo_usernames()).exists()


def database_is_empty() -> bool:
    """True when there are no users and no cases at all (a fresh installation)."""
    return not User.objects.exists() and not Case.objects.exists()


def password_problems(password: str) -> list[str]:
    """Django's password validators' complaints about `password` for any demo login."""
    problems: list[str] = []
    for username in demo_usernames():
        try:
            password_validation.validate_password(password, User(username=username))
        except ValidationError as exc:
            problems.extend(message for message in exc.messages if message not in problems)
    return problems


def password_opens_demo(password: str) -> bool:
    """True when `password` still signs in the first demo login (costs one hash)."""
    user = User.objects.filter(username__in=demo_usernames()).order_by("pk").first()
    return user is not None and user.check_password(password)


def list_demo_logins() -> list[DemoLogin]:
    """The demo logins present in the database, with their role and where to sign in."""
    users = {user.username: user for user in User.objects.filter(username__in=demo_usernames())}
    logins = []
    for username in demo_usernames():
        user = users.get(username)
        if user is not None and user.is_active:
            logins.append(DemoLogin(username, user.display_name, *_role_and_url(user)))
    return logins


def _role_and_url(user: User) -> tuple[str, str]:
    site = settings.SITE_URL
    if user.kind == User.Kind.STAFF:
        path = "/admin/" if user.role == User.Role.ADMIN else "/desk/"
        return str(User.Role(user.role).label), site + path
    if user.kind == User.Kind.CUSTOMER:
        return _("Customer"), site + "/portal/"
    return _("Partner user"), site + "/"


def _set_preferences(
    *, acting: account_actions.Actor, user: User, language: str, time_zone: str
) -> User:
    # Only when they differ from the defaults: each call validates the time
    # zone against the system's zone files, which is slow.
    if (user.language, user.time_zone) == (language, time_zone):
        return user
    return account_actions.set_user_preferences(
        acting_user=acting, user=user, language=language, time_zone=time_zone
    )


# --- building ---------------------------------------------------------------------------


def build_demo(
    *,
    password: str = DEFAULT_PASSWORD,
    progress: Callable[[list[Entry]], Iterable[Entry]] = iter,
    now: datetime | None = None,
) -> DemoSummary:
    """Create the whole demo in one transaction; `progress` wraps the entries (tqdm).

    All demo logins get `password` (validate it first with password_problems);
    every other customer has a portal login without a usable password.
    """
    now = now or timezone.now()
    builder = _Builder(now)
    entries = builder.entries()
    with transaction.atomic():
        with simulated_clock(entries[0].at) as clock:
            for entry in progress(entries):
                clock.set(entry.at)
                entry.run()
        # Issue 5 item 4: skills, training, presence and a held case.
        build_routing_demo(now=now)
        # Issue 5 item 2: weeks of queue traffic for the forecasts and staffing plans.
        build_forecast_history_demo(now=now)
        # Issue 4 item 7: a customer authorises the demo partner, which opens a case.
        build_partner_demo(now=now)
        # Issue 4 item 4: topics on the public contact form.
        build_webform_demo()
        builder.finish(password)
    return DemoSummary(
        cases=Case.objects.count(),
        customers=Customer.objects.count(),
        interactions=Interaction.objects.count(),
        logins=list_demo_logins(),
    )


class _Builder:
    """Turns the content into timed entries and runs each through its action."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.users: dict[str, User] = {}
        self.departments: dict[str, Department] = {}
        self.organisations: dict[str, Organisation] = {}
        self.customers: dict[str, Customer] = {}
        self.cases: dict[str, Case] = {}
        self.pending: dict[str, Transfer] = {}

    # The timeline -------------------------------------------------------------------

    def entries(self) -> list[Entry]:
        go_live = self.now - timedelta(days=GO_LIVE_DAYS_AGO)
        setup: list[Callable[[], Any]] = [self._found_company, self._partner]
        setup += [self._organisation_entry(spec.key) for spec in content.ORGANISATIONS]
        entries = [
            Entry(go_live + timedelta(minutes=index), index, f"setup {index}", run)
            for index, run in enumerate(setup)
        ]
        for index, person in enumerate(content.CUSTOMERS):
            since = min(person.since_days, GO_LIVE_DAYS_AGO)
            at = self.now - timedelta(days=since) + timedelta(minutes=len(setup) + index)
            entries.append(
                Entry(at, 1000 + index, f"customer {person.key}", self._customer_entry(person))
            )
        for timed in plan.schedule(plan.all_stories(), self.now):
            label = f"{timed.story.key} {timed.step.action if timed.step else 'open'}"
            entries.append(
                Entry(timed.at, 100_000 + timed.sequence, label, self._story_entry(timed))
            )
        # Issue 3: calendars, SLAs, opening hours, shifts, service levels, promises, sweeps.
        issue3 = PromisesKept(self).entries(go_live, self.now)
        for index, (at, label, run) in enumerate(issue3):
            entries.append(Entry(at, 900_000 + index, label, run))
        # The email channel: a support mailbox and mail through the real pipeline.
        for index, (at, label, run) in enumerate(EmailDemo(self.now).entries(go_live)):
            entries.append(Entry(at, 950_000 + index, label, run))
        return sorted(entries, key=lambda entry: (entry.at, entry.sequence))

    def finish(self, password: str) -> None:
        """Give the demo logins their password and the admin the whole Django admin."""
        # One hash for all demo logins: each hash costs about half a second on a
        # slow machine, and the password is printed for everyone anyway.
        hashed = make_password(password)
        User.objects.filter(username__in=demo_usernames()).update(password=hashed)
        # Django admin's permission checks want a superuser; the admin role alone
        # only lets the account in.
        User.objects.filter(username="admin", kind=User.Kind.STAFF, role=User.Role.ADMIN).update(
            is_superuser=True
        )

    # People and structure ----------------------------------------------------------

    def _found_company(self) -> None:
        admin_spec = next(person for person in content.STAFF if person.role == "admin")
        self.users[admin_spec.username] = self._staff(admin_spec, acting=SYSTEM)
        admin = self.users[admin_spec.username]
        for spec in content.DEPARTMENTS:
            # No action creates departments yet; the admin would do it in Django admin.
            department = Department.objects.create(
                name=spec.name, slug=spec.slug, description=spec.description
            )
            account_actions.record_audit_event(
                actor=admin, action="department.created", target=department
            )
            self.departments[spec.slug] = department
        for person in content.STAFF:
            if person.username not in self.users:
                self.users[person.username] = self._staff(person, acting=admin)
            for slug in person.departments:
                account_actions.add_department_member(
                    acting_user=admin,
                    department=self.departments[slug],
                    user=self.users[person.username],
                )

    def _staff(self, person: StaffPerson, *, acting: account_actions.Actor) -> User:
        user = account_actions.create_staff_user(
            acting_user=acting,
            username=person.username,
            email=f"{person.username}@balticfibre.example",
            role=person.role,
            first_name=person.first_name,
            last_name=person.last_name,
        )
        return _set_preferences(
            acting=acting, user=user, language=person.language, time_zone=person.time_zone
        )

    def _partner(self) -> None:
        username, first, last, email = content.PARTNER_USER
        admin = self.users["admin"]
        # No action creates partners or partner logins yet (partner access comes later).
        partner = Partner.objects.create(name=content.PARTNER_NAME)
        user = User(
            username=username,
            email=email,
            kind=User.Kind.PARTNER,
            partner=partner,
            first_name=first,
            last_name=last,
        )
        user.set_unusable_password()
        user.save()
        account_actions.record_audit_event(
            actor=admin,
            action="user.created",
            target=user,
            data={"username": username, "kind": user.kind, "partner_id": partner.pk},
        )
        self.users[username] = user

    def _organisation_entry(self, key: str) -> Callable[[], None]:
        spec = next(spec for spec in content.ORGANISATIONS if spec.key == key)

        def run() -> None:
            self.organisations[key] = customer_actions.create_organisation(
                acting_user=IMPORT,
                name=spec.name,
                tier=spec.tier,
                account_manager=self.users[spec.account_manager],
                notes=spec.notes,
            )

        return run

    def _customer_entry(self, person: CustomerPerson) -> Callable[[], None]:
        def run() -> None:
            acting = IMPORT if person.since_days >= GO_LIVE_DAYS_AGO else self._agent_for(person)
            customer = customer_actions.create_customer(
                acting_user=acting,
                name=person.name,
                emails=[person.email],
                phones=[person.phone] if person.phone else [],
                tier=person.tier,
                language=person.language,
                time_zone=person.time_zone,
                notes=person.notes,
            )
            if person.organisation:
                customer_actions.add_membership(
                    acting_user=acting,
                    customer=customer,
                    organisation=self.organisations[person.organisation],
                    title=person.title,
                    is_primary_contact=person.primary_contact,
                )
            # Every customer can use the portal; only the demo logins get a
            # password (the others would set one by password reset).
            user = customer_actions.create_customer_login(
                acting_user=acting, customer=customer, username=person.key, email=person.email
            )
            # The customer picks the portal's language, as he would on first sign-in.
            _set_preferences(
                acting=user, user=user, language=person.language, time_zone=person.time_zone
            )
            self.customers[person.key] = customer

        return run

    def _agent_for(self, person: CustomerPerson) -> User:
        for staff in content.STAFF:
            if staff.role == "agent" and staff.languages[0] == person.language:
                return self.users[staff.username]
        return self.users["carol"]

    # Cases ---------------------------------------------------------------------------

    def _story_entry(self, timed: plan.Timed) -> Callable[[], None]:
        def run() -> None:
            try:
                if timed.step is None:
                    self._open(timed.story)
                else:
                    self._step(timed.story, timed.step, timed.at)
            except (DomainError, KeyError) as exc:
                what = timed.step.action if timed.step else "open"
                raise DemoContentError(f"demo story {timed.story.key}, {what}: {exc!r}") from exc

        return run

    def _open(self, story: CaseStory) -> None:
        customer = self.customers[story.customer]
        if story.opened_by:
            actor = self.users[story.opened_by]
            owner = actor if story.owner_on_open else None
        else:
            actor, owner = self._customer_user(customer), None
        self.cases[story.key] = case_actions.open_case(
            acting_user=actor,
            customer=customer,
            subject=story.subject,
            body=story.body,
            channel=story.channel,
            kind=story.kind,
            department=self.departments[story.department] if story.department else None,
            priority=story.priority,
            severity=story.severity,
            initiated_by=story.initiated_by,
            owner=owner,
        )

    def _customer_user(self, customer: Customer) -> User:
        user = customer.user
        if user is None:
            raise KeyError(f"customer {customer.name} has no portal login")
        return user

    def _step(self, story: CaseStory, step: Step, at: datetime) -> None:
        case = self.cases[story.key]
        case.refresh_from_db()
        actor = self.users[step.actor] if step.actor else self._customer_user(case.customer)
        handler = getattr(self, f"_do_{step.action}")
        handler(story=story, case=case, step=step, actor=actor, at=at)

    def _do_take(self, *, case: Case, actor: User, **_: Any) -> None:
        case_actions.take_case(acting_user=actor, case=case)

    def _do_reply(self, *, case: Case, step: Step, actor: User, **_: Any) -> None:
        case_actions.reply_to_case(
            acting_user=actor, case=case, body=step.body, channel=step.channel,
            set_status=step.status,
        )  # fmt: skip

    def _do_customer(self, *, case: Case, step: Step, actor: User, **_: Any) -> None:
        case_actions.reply_to_case(acting_user=actor, case=case, body=step.body,
                                   channel=step.channel)  # fmt: skip

    def _do_call(self, *, case: Case, step: Step, actor: User, at: datetime, **_: Any) -> None:
        case_actions.record_interaction(
            acting_user=actor,
            case=case,
            channel=Interaction.Channel.PHONE,
            direction=(
                Interaction.Direction.INBOUND if step.inbound else Interaction.Direction.OUTBOUND
            ),
            body=step.body,
            handled_by=actor,
            started_at=at - timedelta(minutes=step.minutes),
            ended_at=at,
            customer_seconds=step.minutes * 60,
        )

    def _do_note(self, *, case: Case, step: Step, actor: User, **_: Any) -> None:
        case_actions.add_internal_note(acting_user=actor, case=case, body=step.body)

    def _do_transfer(self, *, story: CaseStory, case: Case, step: Step, actor: User,
                     **_: Any) -> None:  # fmt: skip
        self.pending[story.key] = case_actions.transfer_case(
            acting_user=actor,
            case=case,
            to_user=self.users[step.to_user] if step.to_user else None,
            to_department=self.departments[step.to_department] if step.to_department else None,
            reason=step.reason,
            handoff_note=step.body,
            expires_in=step.expires_in,
        )

    def _do_accept(self, *, story: CaseStory, actor: User, **_: Any) -> None:
        case_actions.accept_transfer(acting_user=actor, transfer=self.pending.pop(story.key))

    def _do_decline(self, *, story: CaseStory, step: Step, actor: User, **_: Any) -> None:
        case_actions.decline_transfer(
            acting_user=actor, transfer=self.pending.pop(story.key), note=step.body
        )

    def _do_status(self, *, case: Case, step: Step, actor: User, **_: Any) -> None:
        case_actions.change_status(acting_user=actor, case=case, status=step.status or "")

    def _do_assign(self, *, case: Case, step: Step, actor: User, **_: Any) -> None:
        case_actions.assign_case(acting_user=actor, case=case, owner=self.users[step.to_user])

    def _do_kind(self, *, case: Case, step: Step, actor: User, **_: Any) -> None:
        case_actions.update_case(
            acting_user=actor,
            case=case,
            expected_version=case.version,
            changes=case_actions.CaseChanges(kind=step.value),
        )

    def _do_tags(self, *, case: Case, step: Step, actor: User, **_: Any) -> None:
        case_actions.set_tags(acting_user=actor, case=case, tags=step.value.split(","))

    def _do_merge(self, *, case: Case, step: Step, actor: User, **_: Any) -> None:
        target = self.cases[step.value]
        target.refresh_from_db()
        case_actions.merge_cases(acting_user=actor, source=case, target=target)

    def _do_link(self, *, case: Case, step: Step, actor: User, **_: Any) -> None:
        case_actions.link_cases(
            acting_user=actor, from_case=case, to_case=self.cases[step.value], kind="related"
        )

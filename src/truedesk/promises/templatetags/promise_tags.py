"""Template tags that put the promise ledger on desk and portal pages.

`{% promises_panel case %}` (desk case page), `{% my_promises_due_today %}`
(desk home), `{% customer_promises case %}` and `{% customer_promises %}`
(portal case page and home). The pages' own views need not know about
promises: each tag reads through the ledger's scoped selectors. A desk view
that refused a promise form leaves the bound form in `request.promise_forms`
(see desk/promise_views.py), so the panel shows it again with its errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django import forms, template
from django.utils import timezone

from truedesk.cases import permissions
from truedesk.cases.models import Case
from truedesk.promises import selectors
from truedesk.promises.forms import (
    BreakPromiseForm,
    KeepPromiseForm,
    RecordPromiseForm,
    RenegotiatePromiseForm,
)
from truedesk.promises.models import Promise

register = template.Library()

RECORD = "record"
SETTLE_FORMS: dict[str, type[forms.Form]] = {
    "keep": KeepPromiseForm,
    "break": BreakPromiseForm,
    "renegotiate": RenegotiatePromiseForm,
}
TONES = {"overdue": "bad", "missed": "bad", "kept": "good", "broken": "warn"}


def settle_prefix(action: str, promise_id: int) -> str:
    """The form prefix of one promise's keep/break/renegotiate form (unique on the page)."""
    return f"{action}-{promise_id}"


@dataclass
class PromiseRow:
    """A promise as a page shows it: its state (open, overdue, kept, missed…) and forms."""

    promise: Promise
    state: str
    forms: dict[str, forms.Form] = field(default_factory=dict)
    open_form: str = ""

    @property
    def tone(self) -> str:
        return TONES.get(self.state, "")


def _state(promise: Promise, now: datetime) -> str:
    return "overdue" if promise.is_overdue(now) else str(promise.status)


def _bound(context: template.Context) -> dict[str, forms.Form]:
    request = context.get("request")
    return dict(getattr(request, "promise_forms", {}) or {})


def _settle_forms(promise: Promise, bound: dict[str, forms.Form]) -> tuple[dict[str, Any], str]:
    built: dict[str, Any] = {}
    opened = ""
    for action, form_class in SETTLE_FORMS.items():
        prefix = settle_prefix(action, promise.pk)
        if prefix in bound:
            built[action], opened = bound[prefix], action
        else:
            built[action] = form_class(prefix=prefix, initial={"version": promise.version})
    return built, opened


@register.inclusion_tag("desk/partials/promises_panel.html", takes_context=True)
def promises_panel(
    context: template.Context, case: Case, can_write: bool | None = None
) -> dict[str, Any]:
    """The case's promises with keep/break/renegotiate forms, and the form to record one.

    `can_write`: whether the user may work the case and it is not closed, when the page
    already knows (the desk case page does); otherwise the panel asks the permission.
    """
    user = context["request"].user
    now = timezone.now()
    can_work = can_write
    if can_work is None:
        can_work = permissions.can_work_case(user, case) and case.status != Case.Status.CLOSED
    bound = _bound(context)
    rows = []
    for promise in selectors.list_promises_for_case(user, case):
        row = PromiseRow(promise=promise, state=_state(promise, now))
        if can_work and promise.is_open:
            row.forms, row.open_form = _settle_forms(promise, bound)
        rows.append(row)
    record = bound.get(RECORD) or RecordPromiseForm(
        prefix="promise", owners=selectors.list_possible_owners(case), initial={"owner": user.pk}
    )
    return {
        "case": case,
        "rows": rows,
        "open_count": sum(1 for row in rows if row.promise.is_open),
        "can_work": can_work,
        "record_form": record,
        "record_open": RECORD in bound,
        "csrf_token": context.get("csrf_token"),
        "request": context.get("request"),
    }


@register.inclusion_tag("desk/partials/promises_due.html", takes_context=True)
def my_promises_due_today(context: template.Context) -> dict[str, Any]:
    """The signed-in staff member's promises due today (overdue and missed ones in red)."""
    now = timezone.now()
    promises = selectors.list_promises_due_today(context["request"].user, now=now)
    return {"rows": [PromiseRow(promise=p, state=_state(p, now)) for p in promises]}


@register.inclusion_tag("portal/partials/promises.html", takes_context=True)
def customer_promises(context: template.Context, case: Case | None = None) -> dict[str, Any]:
    """The customer's promises: all of one case's, or his open ones on every case."""
    user = context["request"].user
    now = timezone.now()
    if case is None:
        promises = selectors.list_open_promises_for_customer(user)
    else:
        promises = selectors.list_promises_for_case(user, case)
    return {
        "case": case,
        "rows": [PromiseRow(promise=p, state=_state(p, now)) for p in promises],
    }


@register.filter
def replaced_promise(promise: Promise) -> Promise | None:
    """The promise this one took the place of (a missed or renegotiated one), or None."""
    try:
        return promise.replaces
    except Promise.DoesNotExist:
        return None

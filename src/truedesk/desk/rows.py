"""Cases as the desk's lists show them, built so that a row costs little to render.

A list page renders up to a page of rows; anything that would be computed
once per row in the template (a translated label, a URL) is computed here
once per page instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import ngettext

from truedesk.cases.models import Case, Interaction
from truedesk.customers.models import Tier
from truedesk.desk import selectors as desk_selectors

# A number the URL patterns accept (at most 18 digits) and no real id takes in
# practice; it marks where a row's own number goes in a reversed URL.
_SLOT = 987654321987654321


def url_for_each(name: str, kwarg: str) -> Callable[[int], str]:
    """A function giving `reverse(name, kwargs={kwarg: value})` by filling one reversed URL.

    Reversing costs about 50 µs on the reference machine; three links a row
    on a page of 50 made reversing the largest single cost of a queue page.
    """
    head, tail = reverse(name, kwargs={kwarg: _SLOT}).split(str(_SLOT))
    return lambda value: f"{head}{int(value)}{tail}"


@dataclass(frozen=True)
class CaseRow:
    """A case in a list with its links and translated labels."""

    case: Case
    number: str
    customer_cases: int
    returning: str  # the returning-customer badge, empty for a first case
    tier: str  # the tier badge, empty for the standard tier
    status: str
    priority: str
    url: str
    customer_url: str
    take_url: str


def _returning(customer_cases: int) -> str:
    earlier = customer_cases - 1
    if earlier < 1:
        return ""
    return ngettext(
        "returning · %(counter)s earlier case", "returning · %(counter)s earlier cases", earlier
    ) % {"counter": earlier}


def case_rows(cases: list[Case], *, with_customer: bool = True) -> list[CaseRow]:
    """Rows for a list of cases; with the customer, one query for the returning badges."""
    counts = (
        desk_selectors.count_cases_per_customer({case.customer_id for case in cases})
        if with_customer
        else {}
    )
    statuses = {value: str(label) for value, label in Case.Status.choices}
    priorities = {value: str(label) for value, label in Case.Priority.choices}
    tiers = {value: str(label) for value, label in Tier.choices if value != Tier.STANDARD}
    case_url = url_for_each("desk:case", "number")
    take_url = url_for_each("desk:case_take", "number")
    customer_url = url_for_each("desk:customer", "pk")
    return [
        CaseRow(
            case=case,
            number=str(case.number),
            customer_cases=counts.get(case.customer_id, 0),
            returning=_returning(counts.get(case.customer_id, 0)),
            tier=tiers.get(case.customer.tier, "") if with_customer else "",
            status=statuses.get(case.status, case.status),
            priority=priorities.get(case.priority, str(case.priority)),
            url=case_url(case.number),
            customer_url=customer_url(case.customer_id),
            take_url=take_url(case.number),
        )
        for case in cases
    ]


@dataclass(frozen=True)
class InteractionRow:
    """An interaction in a customer's contact list, with its case's link and translated labels."""

    interaction: Interaction
    case_number: str
    case_url: str
    direction: str
    channel: str


def interaction_rows(interactions: list[Interaction]) -> list[InteractionRow]:
    """Rows for interactions whose case is loaded; no queries."""
    directions = {value: str(label) for value, label in Interaction.Direction.choices}
    channels = {value: str(label) for value, label in Interaction.Channel.choices}
    case_url = url_for_each("desk:case", "number")
    return [
        InteractionRow(
            interaction=interaction,
            case_number=str(interaction.case.number),
            case_url=case_url(interaction.case.number),
            direction=directions.get(interaction.direction, interaction.direction),
            channel=channels.get(interaction.channel, interaction.channel),
        )
        for interaction in interactions
    ]

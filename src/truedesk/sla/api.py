"""SLA endpoints: the SLA state of one case, for staff and for the case's own customer.

The case is resolved through the scoped case selector: a case the caller may
not see is the same as a missing one (404).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from truedesk.api.auth import api_user
from truedesk.api.errors import READ_ERRORS
from truedesk.api.schemas import Timestamp, path_id
from truedesk.cases import selectors as case_selectors
from truedesk.sla import selectors
from truedesk.sla.selectors import ClockState

router = Router(tags=["sla"])

CaseNumber = Annotated[int, path_id("The case number.")]


class MetricName(StrEnum):
    FIRST_RESPONSE = "first_response"
    NEXT_RESPONSE = "next_response"
    RESOLUTION = "resolution"


class ClockOut(Schema):
    metric: MetricName
    cycle: int = Field(description="1 for the first clock of the metric; reopenings count on.")
    policy: str | None = Field(description="The policy's name; only shown to staff.")
    started_at: Timestamp
    due_at: Timestamp = Field(description="The deadline; while paused, as of the pause.")
    remaining_seconds: int = Field(
        description="Business time left; negative when overdue; frozen while paused or stopped."
    )
    paused: bool = Field(description="True while the case waits on the customer.")
    stopped_at: Timestamp | None
    met: bool | None = Field(description="Null while running, or stopped without a verdict.")
    breached: bool
    warning: bool = Field(description="The warning point has passed; the deadline has not.")
    text: str = Field(description='The badge text, e.g. "2 h 10 min left".')


class CaseSlaOut(Schema):
    case: int = Field(description="The case number.")
    clocks: list[ClockOut] = Field(description="The newest clock of each metric.")


def _clock_out(state: ClockState, *, staff: bool) -> ClockOut:
    return ClockOut(
        metric=MetricName(state.metric),
        cycle=state.cycle,
        policy=state.policy_name if staff else None,
        started_at=state.started_at,
        due_at=state.due_at,
        remaining_seconds=int(state.remaining.total_seconds()),
        paused=state.paused,
        stopped_at=state.stopped_at,
        met=state.met,
        breached=state.breached,
        warning=state.warning,
        text=state.text,
    )


@router.get("/cases/{number}", response={200: CaseSlaOut, **READ_ERRORS}, operation_id="getCaseSla")
def get_case_sla(request: HttpRequest, number: CaseNumber) -> CaseSlaOut:
    """The SLA clocks of a case: staff for any case, a customer for his own (others: 404)."""
    user = api_user(request)
    case = case_selectors.get_case_for_user(user, number)
    states = selectors.get_sla_state(user, case)
    return CaseSlaOut(
        case=case.number,
        clocks=[_clock_out(state, staff=user.is_staff_member) for state in states],
    )

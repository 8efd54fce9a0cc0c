"""Transfer endpoints: ask someone to take a case over; they accept or decline."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from django.http import HttpRequest
from ninja import Router, Status
from ninja.decorators import decorate_view

from truedesk.api.auth import api_user
from truedesk.api.errors import INBOX_ERRORS, READ_ERRORS, WRITE_ERRORS
from truedesk.api.idempotency import idempotent
from truedesk.api.lookups import get_department, get_user
from truedesk.api.schemas import IDEMPOTENCY_OPENAPI, path_id
from truedesk.cases import actions, selectors
from truedesk.cases.api.cases import CaseNumber, router, visible_case
from truedesk.cases.api.schemas import DeclineIn, TransferCreateIn, TransferOut, transfer_out

transfers_router = Router(tags=["transfers"])

TransferId = Annotated[int, path_id("The transfer id.")]


# --- transfers ---------------------------------------------------------------------------


@router.get(
    "/{number}/transfers",
    response={200: list[TransferOut], **READ_ERRORS},
    operation_id="listCaseTransfers",
    tags=["transfers"],
)
def list_case_transfers(request: HttpRequest, number: CaseNumber) -> list[TransferOut]:
    """Every transfer of the case, newest first (staff)."""
    user = api_user(request)
    transfers = selectors.list_transfers_for_case(user, visible_case(request, number))
    return [transfer_out(t, viewer=user, case_number=number) for t in transfers]


@router.post(
    "/{number}/transfers",
    response={201: TransferOut, **WRITE_ERRORS},
    operation_id="transferCase",
    tags=["transfers"],
    openapi_extra=IDEMPOTENCY_OPENAPI,
)
@decorate_view(idempotent)
def transfer_case(
    request: HttpRequest, number: CaseNumber, payload: TransferCreateIn
) -> Status[TransferOut]:
    """Ask a person or a department to take the case over; they accept or decline."""
    user = api_user(request)
    to_user, to_department = payload.to_user, payload.to_department
    transfer = actions.transfer_case(
        acting_user=user,
        case=visible_case(request, number),
        to_user=get_user(to_user, field="to_user", viewer=user) if to_user else None,
        to_department=get_department(to_department, field="to_department")
        if to_department
        else None,
        reason=payload.reason,
        handoff_note=payload.handoff_note,
        expires_in=timedelta(minutes=payload.expires_in_minutes),
    )
    return Status(201, transfer_out(transfer, viewer=user))


@transfers_router.get(
    "", response={200: list[TransferOut], **INBOX_ERRORS}, operation_id="listPendingTransfers"
)
def list_pending_transfers(request: HttpRequest) -> list[TransferOut]:
    """Transfers waiting for you or for one of your departments, soonest deadline first."""
    user = api_user(request)
    return [transfer_out(t, viewer=user) for t in selectors.list_pending_transfers_for(user)]


@transfers_router.get(
    "/{transfer_id}", response={200: TransferOut, **READ_ERRORS}, operation_id="getTransfer"
)
def get_transfer(request: HttpRequest, transfer_id: TransferId) -> TransferOut:
    """One transfer (staff)."""
    user = api_user(request)
    return transfer_out(selectors.get_transfer_for_user(user, transfer_id), viewer=user)


@transfers_router.post(
    "/{transfer_id}/accept",
    response={200: TransferOut, **WRITE_ERRORS},
    operation_id="acceptTransfer",
)
def accept_transfer(request: HttpRequest, transfer_id: TransferId) -> TransferOut:
    """Take the case over; 409 `transfer_not_pending` if it was answered or expired."""
    user = api_user(request)
    transfer = actions.accept_transfer(
        acting_user=user, transfer=selectors.get_transfer_for_user(user, transfer_id)
    )
    return transfer_out(transfer, viewer=user)


@transfers_router.post(
    "/{transfer_id}/decline",
    response={200: TransferOut, **WRITE_ERRORS},
    operation_id="declineTransfer",
)
def decline_transfer(
    request: HttpRequest, transfer_id: TransferId, payload: DeclineIn
) -> TransferOut:
    """Say no, with a reason; the case stays with the sender."""
    user = api_user(request)
    transfer = actions.decline_transfer(
        acting_user=user,
        transfer=selectors.get_transfer_for_user(user, transfer_id),
        note=payload.note,
    )
    return transfer_out(transfer, viewer=user)


@transfers_router.post(
    "/{transfer_id}/cancel",
    response={200: TransferOut, **WRITE_ERRORS},
    operation_id="cancelTransfer",
)
def cancel_transfer(request: HttpRequest, transfer_id: TransferId) -> TransferOut:
    """The sender withdraws a pending transfer."""
    user = api_user(request)
    transfer = actions.cancel_transfer(
        acting_user=user, transfer=selectors.get_transfer_for_user(user, transfer_id)
    )
    return transfer_out(transfer, viewer=user)

"""Merging one case into another, and links between cases."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from truedesk.accounts.models import User
from truedesk.cases import permissions
from truedesk.cases.actions._shared import Status, _lock, _record, _require_choice, _write
from truedesk.cases.actions.transfers import _cancel_pending_transfers
from truedesk.cases.errors import LinkNotAllowed, MergeNotAllowed, NotAllowed
from truedesk.cases.models import Case, CaseLink, CaseStaffContact, EventKind


def merge_cases(*, acting_user: User, source: Case, target: Case) -> Case:
    """Close `source` as merged into `target`; nothing is moved or deleted.

    The target's timeline shows the merged cases' interactions; its counters
    add the source's contacts, customer time and hand-overs, and its staff
    count includes the source's staff. Across customers only supervisors may
    merge. Returns the target.
    """
    if source.pk == target.pk:
        raise MergeNotAllowed(_("A case cannot be merged into itself."))
    if not (
        permissions.can_work_case(acting_user, source)
        and permissions.can_work_case(acting_user, target)
    ):
        raise NotAllowed()
    with transaction.atomic():
        # Lock in id order so two opposite merges cannot deadlock.
        for locked in sorted((source, target), key=lambda c: c.pk):
            _lock(locked)
        _check_merge(acting_user, source, target)
        _cancel_pending_transfers(source, acting_user=acting_user, why="merged")
        now = timezone.now()
        before_status = source.status
        _write(
            source,
            merged_into=target,
            status=Status.CLOSED,
            closed_at=now,
            updated_at=now,
        )
        for user_id in CaseStaffContact.objects.filter(case=source).values_list(
            "user_id", flat=True
        ):
            CaseStaffContact.objects.get_or_create(case=target, user_id=user_id)
        _write(
            target,
            contact_count=F("contact_count") + source.contact_count,
            customer_seconds=F("customer_seconds") + source.customer_seconds,
            transfer_count=F("transfer_count") + source.transfer_count,
            staff_touched_count=CaseStaffContact.objects.filter(case=target).count(),
            updated_at=now,
        )
        _record(
            source,
            EventKind.MERGED,
            {"into": {"id": target.pk, "number": target.number},
             "status": {"before": before_status, "after": Status.CLOSED}},
            actor=acting_user,
        )  # fmt: skip
        _record(
            target,
            EventKind.MERGE_RECEIVED,
            {"from": {"id": source.pk, "number": source.number}},
            actor=acting_user,
        )
    return target


def _check_merge(acting_user: User, source: Case, target: Case) -> None:
    if source.merged_into_id is not None:
        raise MergeNotAllowed(_("This case has already been merged."))
    if target.merged_into_id is not None:
        raise MergeNotAllowed(
            _("The target case was itself merged into another case; merge into that one.")
        )
    if source.customer_id != target.customer_id and not permissions.is_supervisor(acting_user):
        raise MergeNotAllowed(_("Only a supervisor can merge cases of different customers."))


def link_cases(*, acting_user: User, from_case: Case, to_case: Case, kind: str) -> CaseLink:
    """Link two cases (duplicate, child, related, incident); refuses self, repeats, cycles."""
    if not permissions.can_work_case(acting_user, from_case) or not permissions.can_view_case(
        acting_user, to_case
    ):
        raise NotAllowed()
    _require_choice(kind, CaseLink.Kind.values, "kind")
    if from_case.pk == to_case.pk:
        raise LinkNotAllowed(_("A case cannot be linked to itself."))
    directed = kind != CaseLink.Kind.RELATED
    with transaction.atomic():
        _lock(from_case)
        reverse = CaseLink.objects.filter(from_case=to_case, to_case=from_case, kind=kind)
        if directed and reverse.exists():
            raise LinkNotAllowed(_("The other case is already linked this way to this one."))
        try:
            with transaction.atomic():
                link = CaseLink.objects.create(
                    from_case=from_case, to_case=to_case, kind=kind, created_by=acting_user
                )
        except IntegrityError:
            raise LinkNotAllowed(_("These cases are already linked this way.")) from None
        _write(from_case)
        _record_on_both(EventKind.LINKED, link.pk, kind, from_case, to_case, acting_user)
    return link


def unlink_cases(*, acting_user: User, link: CaseLink) -> None:
    """Remove a link; both cases record it."""
    from_case, to_case = link.from_case, link.to_case
    if not permissions.can_work_case(acting_user, from_case):
        raise NotAllowed()
    with transaction.atomic():
        _lock(from_case)
        link_id, kind = link.pk, link.kind
        CaseLink.objects.filter(pk=link.pk).delete()
        _write(from_case)
        _record_on_both(EventKind.UNLINKED, link_id, kind, from_case, to_case, acting_user)


def _record_on_both(
    event: str, link_id: int, kind: str, from_case: Case, to_case: Case, acting_user: User
) -> None:
    """A link event on both cases, each naming the other."""
    data = {"link_id": link_id, "kind": kind}
    _record(from_case, event, {**data, "to": {"id": to_case.pk, "number": to_case.number}},
            actor=acting_user)  # fmt: skip
    _record(to_case, event, {**data, "from": {"id": from_case.pk, "number": from_case.number}},
            actor=acting_user)  # fmt: skip

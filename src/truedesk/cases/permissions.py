"""Who may do what with a case: pure decisions, no side effects.

The rules (PRODUCT.md capability 2; seed 003, where an escalation manager could
not see a customer's history):
* inactive users may do nothing;
* every active staff member may read every case and its whole history;
* agents may take unowned cases of departments they belong to; a case without a
  department is in the general queue, which any agent may take from;
* the owner, members of the case's department and supervisors/admins may work a
  case (reply, note, update, change status); a case without a department may be
  worked by any agent until it is routed;
* the owner or a supervisor may transfer a case;
* a customer sees only the cases of his own Customer record and never internal
  notes or internal events;
* a partner user sees the cases of customers who authorised his partner (a live
  `PartnerAuthorisation`, read on every call, never cached), never internal
  notes or internal events; with an "open and follow" grant he also opens cases
  for those customers and replies on them as the customer's side; nothing else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from truedesk.accounts.models import Department, User
from truedesk.customers.models import Customer
from truedesk.customers.selectors import is_authorised_partner

if TYPE_CHECKING:
    from truedesk.cases.models import Case


def customer_id_of(user: Any) -> int | None:
    """Return the id of the user's own Customer record, or None (staff, partners, no record)."""
    if not getattr(user, "is_authenticated", False) or not isinstance(user, User):
        return None
    if not user.is_customer:
        return None
    try:
        return int(user.customer.pk)
    except Customer.DoesNotExist:
        return None


def is_staff(user: Any) -> bool:
    """True for an active staff member (agent, supervisor or admin)."""
    return isinstance(user, User) and user.is_authenticated and user.is_staff_member


def is_supervisor(user: Any) -> bool:
    """True for an active supervisor or admin."""
    return isinstance(user, User) and user.is_authenticated and user.is_supervisor


def is_department_member(user: User, department_id: int | None) -> bool:
    """True when the user belongs to the department (one indexed query)."""
    if department_id is None:
        return False
    return Department.members.through.objects.filter(
        user_id=user.pk, department_id=department_id
    ).exists()


def can_view_internal(user: Any) -> bool:
    """Internal notes and internal events are for active staff only."""
    return is_staff(user)


def is_partner_user(user: Any) -> bool:
    """True for an active partner user (who acts for customers who authorised his partner)."""
    return isinstance(user, User) and user.is_authenticated and user.is_partner


def can_view_case(user: Any, case: Case) -> bool:
    """Staff see every case; a customer his own; a partner user his authorised customers'."""
    if is_staff(user):
        return True
    own = customer_id_of(user)
    if own is not None:
        return case.customer_id == own
    return is_partner_user(user) and is_authorised_partner(user, case.customer_id)


def can_act_for_customer(user: Any, customer_id: int) -> bool:
    """The customer himself, or a partner user with a live "open and follow" grant from him."""
    own = customer_id_of(user)
    if own is not None:
        return own == customer_id
    return is_partner_user(user) and is_authorised_partner(user, customer_id, follow_only=True)


def can_reply_as_customer(user: Any, case: Case) -> bool:
    """The case's own customer (or a partner acting for him) may add inbound replies to it."""
    return can_act_for_customer(user, case.customer_id)


def can_work_case(user: Any, case: Case) -> bool:
    """Owner, department members (any agent if unrouted) and supervisors may change a case."""
    if not is_staff(user):
        return False
    if user.is_supervisor or case.owner_id == user.pk:
        return True
    if case.department_id is None:
        return True
    return is_department_member(user, case.department_id)


def can_take_case(user: Any, case: Case) -> bool:
    """Agents take from their departments' queues (or the general one); supervisors anywhere."""
    if not is_staff(user):
        return False
    if user.is_supervisor or case.department_id is None:
        return True
    return is_department_member(user, case.department_id)


def can_assign_case(user: Any, case: Case) -> bool:
    """Only supervisors and admins choose an owner for someone else."""
    return is_supervisor(user)


def can_transfer_case(user: Any, case: Case) -> bool:
    """The owner or a supervisor may hand a case over."""
    if not is_staff(user):
        return False
    return bool(user.is_supervisor or (case.owner_id is not None and case.owner_id == user.pk))


def can_merge_cases(user: Any, source: Case, target: Case) -> bool:
    """Workers of both cases may merge one customer's cases; across customers only supervisors."""
    if not (can_work_case(user, source) and can_work_case(user, target)):
        return False
    return source.customer_id == target.customer_id or is_supervisor(user)

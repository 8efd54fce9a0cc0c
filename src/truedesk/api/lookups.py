"""Departments and staff named by id in request bodies, resolved or refused as 404.

Cases, customers and organisations are resolved through their apps'
scoped selectors; departments and users are not secret from the people who
may name them, and the actions check what each may be used for (an owner
must be active staff, a department open).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from truedesk.accounts.models import Department, User
from truedesk.api.errors import ApiError


def get_department(department_id: int, *, field: str = "department") -> Department:
    """The department with this id, or a 404 naming the field."""
    department = Department.objects.filter(pk=department_id).first()
    if department is None:
        raise ApiError(404, "not_found", _("There is no such department."), {"field": field})
    return department


def get_user(user_id: int, *, field: str, viewer: User) -> User:
    """The user with this id, or a 404 naming the field; the action checks his role.

    Only staff may name people, so customers cannot probe which user ids exist.
    """
    if not viewer.is_staff_member:
        raise ApiError(403, "not_allowed", _("Only staff can choose a person."), {"field": field})
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise ApiError(404, "not_found", _("There is no such user."), {"field": field})
    return user

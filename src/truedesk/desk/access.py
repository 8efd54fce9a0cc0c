"""Who may use the desk: signed-in, active staff members; everyone else is refused."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from truedesk.accounts.models import User
from truedesk.cases import permissions

View = Callable[..., HttpResponse]


def staff_required(view: View) -> View:
    """Anonymous visitors go to the sign-in page; customers and partners get 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not permissions.is_staff(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def acting_user(request: HttpRequest) -> User:
    """The signed-in staff member (views are wrapped in staff_required)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user

"""A signed-in user's own account pages (staff, customers and partners alike)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from truedesk.accounts import actions, errors
from truedesk.accounts.forms import PreferencesForm
from truedesk.accounts.models import User


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    """Choose the interface language and time zone; the next page already uses them."""
    user = request.user
    assert isinstance(user, User)  # login_required
    initial = {"language": user.language, "time_zone": user.time_zone}
    form = PreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_user_preferences(
                acting_user=user,
                user=user,
                language=form.cleaned_data["language"],
                time_zone=form.cleaned_data["time_zone"],
            )
        except errors.DomainError as error:
            form.add_error(error.details.get("field"), error.message)
        else:
            # Said in the newly chosen language, like the next page, which the
            # preferences middleware renders with the saved values.
            with translation.override(user.language):
                messages.success(request, _("Your preferences are saved."))
            return redirect("preferences")
    return render(request, "accounts/preferences.html", {"form": form})

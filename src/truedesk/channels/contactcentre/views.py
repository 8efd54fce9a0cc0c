"""Portal pages for a customer waiting for a call-back: ask, watch the honest wait, cancel.

The wait panel is re-fetched by htmx every WAIT_REFRESH_SECONDS (no inline script);
each fetch recomputes the queue's live state, so the figure follows the queue.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from truedesk.accounts.models import User
from truedesk.channels.contactcentre import actions, selectors
from truedesk.channels.contactcentre.errors import CallbackRefused, QueueNotFound
from truedesk.channels.contactcentre.forms import CallbackForm
from truedesk.channels.contactcentre.models import CallbackRequest
from truedesk.channels.contactcentre.wording import announcement
from truedesk.channels.portal.views import customer_required
from truedesk.customers.models import ContactPoint, Customer

WAIT_REFRESH_SECONDS = 15


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # customer_required let only customer users in
    return user


def _callback(customer: Customer, callback_id: int) -> CallbackRequest:
    try:
        return selectors.get_callback_for_customer(customer, callback_id)
    except QueueNotFound:
        raise Http404 from None


def _primary_phone(customer: Customer) -> str:
    point = (
        customer.contact_points.filter(kind=ContactPoint.Kind.PHONE)
        .order_by("-is_primary", "pk")
        .first()
    )
    return point.value if point is not None else ""


@customer_required
@require_http_methods(["GET", "POST"])
def new_callback(request: HttpRequest, customer: Customer) -> HttpResponse:
    """Ask to be called back from one of the phone lines instead of holding."""
    queues = selectors.list_phone_queues()
    form = CallbackForm(
        request.POST or None, queues=queues, initial={"phone": _primary_phone(customer)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            callback = actions.request_callback(
                acting_user=_user(request), customer=customer,
                queue=form.cleaned_data["queue"], phone=form.cleaned_data["phone"],
            )  # fmt: skip
        except CallbackRefused as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("You are in the line. We will call you back."))
            return redirect("contactcentre:callback", callback_id=callback.pk)
    context = {"form": form, "queues": queues, "nav": "callback"}
    return render(request, "contactcentre/new_callback.html", context)


def _wait_context(callback: CallbackRequest) -> dict[str, object]:
    answer = selectors.callback_wait(callback)
    return {
        "callback": callback,
        "answer": answer,
        "words": announcement(answer.announce) if answer is not None else "",
        "refresh": WAIT_REFRESH_SECONDS,
    }


@customer_required
@require_GET
def callback_detail(request: HttpRequest, customer: Customer, callback_id: int) -> HttpResponse:
    """One call-back request with its live expected wait."""
    callback = _callback(customer, callback_id)
    context = {**_wait_context(callback), "nav": "callback"}
    return render(request, "contactcentre/callback.html", context)


@customer_required
@require_GET
def callback_wait_panel(request: HttpRequest, customer: Customer, callback_id: int) -> HttpResponse:
    """The wait panel alone, for htmx to swap in place."""
    callback = _callback(customer, callback_id)
    return render(request, "contactcentre/partials/wait.html", _wait_context(callback))


@customer_required
@require_POST
def cancel(request: HttpRequest, customer: Customer, callback_id: int) -> HttpResponse:
    """Leave the line: the request stops counting in the queue."""
    callback = _callback(customer, callback_id)
    actions.cancel_callback(acting_user=_user(request), callback=callback)
    messages.success(request, _("Your call-back request is cancelled."))
    return redirect("portal:home")

"""The customer's partner page: authorise a partner, see grants and what partners did, revoke.

A grant takes effect at the partner's next request and a revocation stops it
there: nothing about grants is cached (customers.selectors reads them live).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST

from truedesk.accounts.errors import DomainError
from truedesk.channels.portal.forms import PartnerGrantForm
from truedesk.channels.portal.views import _user, customer_required
from truedesk.customers import actions, errors, selectors
from truedesk.customers.models import Customer

# How each audit action reads in the customer's activity list.
ACTIVITY_WORDS = {
    "partner.authorised": _lazy("authorised the partner"),
    "partner.revoked": _lazy("revoked the partner"),
    "partner.case_opened": _lazy("opened a case"),
    "partner.reply_added": _lazy("replied on a case"),
}
# Action field names -> form fields (anything else is a form-wide error).
FORM_FIELDS = {"scope": "scope", "expires_at": "expires_on"}


@customer_required
@require_http_methods(["GET", "POST"])
def partners(request: HttpRequest, customer: Customer) -> HttpResponse:
    """Grant a partner access (POST) and list grants, past and live, with partner activity."""
    form = PartnerGrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            grant = actions.authorise_partner(
                acting_user=_user(request),
                customer=customer,
                partner=form.cleaned_data["partner"],
                scope=form.cleaned_data["scope"],
                expires_at=form.expires_at(),
            )
        except DomainError as error:
            field = FORM_FIELDS.get(str(error.details.get("field")))
            form.add_error(field, error.message)
        else:
            messages.success(
                request,
                _("%(partner)s may now act for you.") % {"partner": grant.partner.name},
            )
            return redirect("portal:partners")
    now = timezone.now()
    grants = selectors.list_authorisations_for_customer(customer)
    context = {
        "form": form,
        "live": [g for g in grants if g.is_live(now=now)],
        "past": [g for g in grants if not g.is_live(now=now)],
        "activity": [
            (event, ACTIVITY_WORDS.get(event.action, event.action))
            for event in selectors.list_partner_activity(customer)
        ],
        "nav": "partners",
    }
    return render(request, "portal/partners.html", context)


@customer_required
@require_POST
def revoke_partner(request: HttpRequest, customer: Customer, pk: int) -> HttpResponse:
    """Withdraw one of the customer's own grants; the partner loses access at once."""
    try:
        grant = selectors.get_authorisation_for_customer(customer, pk)
    except errors.AuthorisationNotFound:
        raise Http404 from None
    actions.revoke_partner_authorisation(acting_user=_user(request), authorisation=grant)
    messages.success(
        request,
        _("%(partner)s can no longer act for you.") % {"partner": grant.partner.name},
    )
    return redirect("portal:partners")

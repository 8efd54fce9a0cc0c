"""Writes to customers, organisations, memberships and contact points; each audited."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from truedesk.accounts.actions import (
    Actor,
    record_audit_event,
    register_login,
    require_staff,
)
from truedesk.accounts.models import Partner, User
from truedesk.customers import errors
from truedesk.customers.models import (
    ContactPoint,
    Customer,
    Membership,
    Organisation,
    PartnerAuthorisation,
    Tier,
    normalise_contact_value,
)
from truedesk.lib.timezones import validate_time_zone

NAME_MAX = 200
NOTES_MAX = 20_000
TITLE_MAX = 120
CUSTOMER_FIELDS = frozenset({"name", "tier", "language", "time_zone", "notes"})
# What customers may change about themselves through the portal.
CUSTOMER_SELF_SERVICE_FIELDS = frozenset({"name", "language", "time_zone"})
ORGANISATION_FIELDS = frozenset({"name", "tier", "notes"})


# --- Validation -----------------------------------------------------------------


def _clean_field(field: str, value: Any) -> Any:
    """One cleaned customer/organisation field value, or InvalidValue naming the field."""
    if field == "name":
        value = str(value or "").strip()
        if not value or len(value) > NAME_MAX:
            raise errors.InvalidValue(field=field)
    elif field == "notes":
        value = str(value or "")
        if len(value) > NOTES_MAX:
            raise errors.InvalidValue(field=field)
    elif field == "tier":
        if value not in Tier.values:
            raise errors.InvalidValue(field=field)
    elif field == "language":
        if value not in {code for code, _name in settings.LANGUAGES}:
            raise errors.InvalidValue(field=field)
    elif field == "time_zone":
        try:
            validate_time_zone(str(value))
        except ValidationError:
            raise errors.InvalidValue(field=field) from None
    else:
        raise errors.InvalidField(field=field)
    return value


def _clean_fields(fields: dict[str, Any], allowed: frozenset[str]) -> dict[str, Any]:
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise errors.InvalidField(field=unknown[0])
    return {field: _clean_field(field, value) for field, value in fields.items()}


def _audit_value(value: Any) -> Any:
    return value.pk if isinstance(value, models.Model) else value


def _versioned_update(
    model: type[Customer] | type[Organisation],
    obj: Customer | Organisation,
    expected_version: int,
    changes: dict[str, Any],
) -> dict[str, list[Any]]:
    """Apply changes only if the row is still at expected_version; returns {field: [old, new]}.

    The UPDATE is conditional on the version, so of two editors who loaded the
    same version only the first one's write lands; the second gets StaleVersion.
    """
    current = model.objects.select_for_update().filter(pk=obj.pk).first()
    if current is None:
        raise (errors.CustomerNotFound() if model is Customer else errors.OrganisationNotFound())
    if current.version != expected_version:
        raise errors.StaleVersion(current_version=current.version)
    diff = {
        field: [getattr(current, field), value]
        for field, value in changes.items()
        if getattr(current, field) != value
    }
    if diff:
        updated = model.objects.filter(pk=obj.pk, version=expected_version).update(
            **{field: new for field, (_old, new) in diff.items()},
            version=F("version") + 1,
            updated_at=timezone.now(),
        )
        if updated != 1:
            version = model.objects.filter(pk=obj.pk).values_list("version", flat=True).first()
            raise errors.StaleVersion(current_version=version)
    obj.refresh_from_db()
    return diff


# --- Customers ------------------------------------------------------------------


@transaction.atomic
def create_customer(
    *,
    acting_user: Actor,
    name: str,
    emails: Iterable[str] = (),
    phones: Iterable[str] = (),
    tier: str = Tier.STANDARD,
    language: str = "en",
    time_zone: str | None = None,
    organisation: Organisation | None = None,
    notes: str = "",
) -> Customer:
    """Create a customer (staff or system) with contact points; the first of each kind is primary.

    An email address already owned by another customer is refused (contact_point_taken).
    """
    require_staff(acting_user)
    fields = _clean_fields(
        {
            "name": name,
            "tier": tier,
            "language": language,
            "time_zone": time_zone or Customer._meta.get_field("time_zone").get_default(),
            "notes": notes,
        },
        CUSTOMER_FIELDS,
    )
    # A lone string is one address, not a sequence of one-letter addresses.
    emails = [emails] if isinstance(emails, str) else emails
    phones = [phones] if isinstance(phones, str) else phones
    customer = Customer.objects.create(**fields)
    added = [
        _add_contact_point(customer, kind, value, is_primary=False)
        for kind, values in ((ContactPoint.Kind.EMAIL, emails), (ContactPoint.Kind.PHONE, phones))
        for value in values
    ]
    if organisation is not None:
        Membership.objects.create(customer=customer, organisation=organisation)
    record_audit_event(
        actor=acting_user,
        action="customer.created",
        target=customer,
        data={
            **fields,
            "contact_points": [[point.kind, point.value] for point in added],
            "organisation_id": organisation.pk if organisation is not None else None,
        },
    )
    return customer


@transaction.atomic
def update_customer(
    *, acting_user: Actor, customer: Customer, expected_version: int, **fields: Any
) -> Customer:
    """Change name, tier, language, time_zone or notes if nobody saved since expected_version.

    Staff may change every field; a customer may change their own name,
    language and time zone. Raises StaleVersion (with current_version) on a lost race.
    """
    if isinstance(acting_user, User) and not acting_user.is_staff_member:
        if not (acting_user.is_customer and customer.user_id == acting_user.pk):
            raise errors.NotAllowed()
        if set(fields) - CUSTOMER_SELF_SERVICE_FIELDS:
            raise errors.NotAllowed()
    changes = _clean_fields(fields, CUSTOMER_FIELDS)
    diff = _versioned_update(Customer, customer, expected_version, changes)
    if diff:
        record_audit_event(
            actor=acting_user,
            action="customer.updated",
            target=customer,
            data={"changes": diff, "version": customer.version},
        )
    return customer


@transaction.atomic
def create_customer_login(
    *,
    acting_user: Actor,
    customer: Customer,
    username: str,
    email: str,
    password: str | None = None,
) -> User:
    """Give a customer a portal login (staff); without a password they set one by reset."""
    require_staff(acting_user)
    if Customer.objects.filter(pk=customer.pk, user__isnull=False).exists():
        raise errors.AlreadyHasLogin()
    first, _sep, last = customer.name.partition(" ")
    user = register_login(
        kind=User.Kind.CUSTOMER,
        username=username,
        email=email,
        password=password,
        first_name=first[:150],
        last_name=last[:150],
    )
    # Conditional, so two staff members linking logins at once cannot both win.
    if not Customer.objects.filter(pk=customer.pk, user__isnull=True).update(user=user):
        raise errors.AlreadyHasLogin()
    customer.user = user
    record_audit_event(
        actor=acting_user,
        action="customer.login_created",
        target=customer,
        data={"user_id": user.pk, "username": user.username},
    )
    return user


# --- Contact points ---------------------------------------------------------------


def _add_contact_point(
    customer: Customer, kind: str, value: str, *, is_primary: bool
) -> ContactPoint:
    """Validate, de-duplicate and store one contact point; no authorisation, no audit."""
    cleaned = normalise_contact_value(kind, value)
    if cleaned is None:
        raise errors.InvalidContactPoint(kind=kind)
    stored, key = cleaned
    owners = set(
        ContactPoint.objects.filter(kind=kind, normalized=key).values_list("customer_id", flat=True)
    )
    if customer.pk in owners:
        raise errors.ContactPointExists(kind=kind)
    if kind == ContactPoint.Kind.EMAIL and owners:
        raise errors.ContactPointTaken(kind=kind)
    siblings = ContactPoint.objects.filter(customer=customer, kind=kind)
    if not siblings.exists():
        is_primary = True
    elif is_primary:
        siblings.update(is_primary=False)
    try:
        with transaction.atomic():
            return ContactPoint.objects.create(
                customer=customer, kind=kind, value=stored, normalized=key, is_primary=is_primary
            )
    except IntegrityError:
        # Another request stored the same address between the check and the insert.
        raise errors.ContactPointTaken(kind=kind) from None


@transaction.atomic
def add_contact_point(
    *, acting_user: Actor, customer: Customer, kind: str, value: str, is_primary: bool = False
) -> ContactPoint:
    """Add an email address or phone number (staff); emails belong to one customer only.

    The first contact point of a kind becomes primary; a new primary demotes the old one.
    """
    require_staff(acting_user)
    point = _add_contact_point(customer, kind, value, is_primary=is_primary)
    record_audit_event(
        actor=acting_user,
        action="customer.contact_point_added",
        target=customer,
        data={"kind": point.kind, "value": point.value, "is_primary": point.is_primary},
    )
    return point


@transaction.atomic
def remove_contact_point(*, acting_user: Actor, contact_point: ContactPoint) -> Customer:
    """Remove a contact point (staff); if it was primary the oldest remaining one takes over."""
    require_staff(acting_user)
    customer = contact_point.customer
    contact_point.delete()
    if contact_point.is_primary:
        successor = (
            ContactPoint.objects.filter(customer=customer, kind=contact_point.kind)
            .order_by("created_at", "id")
            .first()
        )
        if successor is not None:
            ContactPoint.objects.filter(pk=successor.pk).update(is_primary=True)
    record_audit_event(
        actor=acting_user,
        action="customer.contact_point_removed",
        target=customer,
        data={"kind": contact_point.kind, "value": contact_point.value},
    )
    return customer


# --- Organisations and memberships -----------------------------------------------


def _check_manager(manager: User | None) -> None:
    if manager is not None and not manager.is_staff_member:
        raise errors.NotStaff()


@transaction.atomic
def create_organisation(
    *,
    acting_user: Actor,
    name: str,
    tier: str = Tier.STANDARD,
    account_manager: User | None = None,
    notes: str = "",
) -> Organisation:
    """Create an organisation (staff); its account manager, if any, must be active staff."""
    require_staff(acting_user)
    fields = _clean_fields({"name": name, "tier": tier, "notes": notes}, ORGANISATION_FIELDS)
    _check_manager(account_manager)
    organisation = Organisation.objects.create(**fields, account_manager=account_manager)
    record_audit_event(
        actor=acting_user,
        action="organisation.created",
        target=organisation,
        data={**fields, "account_manager_id": _audit_value(account_manager)},
    )
    return organisation


@transaction.atomic
def update_organisation(
    *, acting_user: Actor, organisation: Organisation, expected_version: int, **fields: Any
) -> Organisation:
    """Change name, tier or notes (staff) if nobody saved since expected_version."""
    require_staff(acting_user)
    changes = _clean_fields(fields, ORGANISATION_FIELDS)
    diff = _versioned_update(Organisation, organisation, expected_version, changes)
    if diff:
        record_audit_event(
            actor=acting_user,
            action="organisation.updated",
            target=organisation,
            data={"changes": diff, "version": organisation.version},
        )
    return organisation


@transaction.atomic
def set_account_manager(
    *, acting_user: Actor, organisation: Organisation, manager: User | None
) -> Organisation:
    """Name the organisation's account manager (staff); the manager must be active staff."""
    require_staff(acting_user)
    _check_manager(manager)
    before = organisation.account_manager_id
    Organisation.objects.filter(pk=organisation.pk).update(
        account_manager=manager, version=F("version") + 1, updated_at=timezone.now()
    )
    organisation.refresh_from_db()
    record_audit_event(
        actor=acting_user,
        action="organisation.account_manager_set",
        target=organisation,
        data={"before": before, "after": _audit_value(manager)},
    )
    return organisation


@transaction.atomic
def add_membership(
    *,
    acting_user: Actor,
    customer: Customer,
    organisation: Organisation,
    title: str = "",
    is_primary_contact: bool = False,
) -> Membership:
    """Make a customer a member of an organisation (staff); one primary contact per organisation."""
    require_staff(acting_user)
    title = (title or "").strip()
    if len(title) > TITLE_MAX:
        raise errors.InvalidValue(field="title")
    if Membership.objects.filter(customer=customer, organisation=organisation).exists():
        raise errors.MembershipExists()
    if is_primary_contact:
        Membership.objects.filter(organisation=organisation).update(is_primary_contact=False)
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                customer=customer,
                organisation=organisation,
                title=title,
                is_primary_contact=is_primary_contact,
            )
    except IntegrityError:
        raise errors.MembershipExists() from None
    record_audit_event(
        actor=acting_user,
        action="organisation.member_added",
        target=organisation,
        data={"customer_id": customer.pk, "title": title, "primary": is_primary_contact},
    )
    return membership


@transaction.atomic
def remove_membership(*, acting_user: Actor, membership: Membership) -> Organisation:
    """End a customer's membership of an organisation (staff); their cases are kept."""
    require_staff(acting_user)
    organisation = membership.organisation
    customer_id = membership.customer_id
    membership.delete()
    record_audit_event(
        actor=acting_user,
        action="organisation.member_removed",
        target=organisation,
        data={"customer_id": customer_id},
    )
    return organisation


# --- partner authorisations ------------------------------------------------------------

CONSENT_NOTE_MAX = 2000


def _grant_via(acting_user: User, customer: Customer, consent_note: str) -> str:
    """Who grants: the customer himself, or staff who note how the customer consented."""
    if acting_user.is_customer and customer.user_id == acting_user.pk:
        return PartnerAuthorisation.GrantedVia.CUSTOMER
    if not acting_user.is_staff_member:
        raise errors.NotAllowed()
    if not consent_note.strip():
        raise errors.InvalidValue(
            _("Note how and when the customer gave consent."), field="consent_note"
        )
    return PartnerAuthorisation.GrantedVia.STAFF


def authorise_partner(
    *,
    acting_user: User,
    customer: Customer,
    partner: Partner,
    scope: str = PartnerAuthorisation.Scope.FOLLOW,
    expires_at: datetime | None = None,
    consent_note: str = "",
) -> PartnerAuthorisation:
    """Let a partner act for the customer; by the customer, or staff with a consent note.

    A live grant for the same partner is revoked and replaced, so scope and
    expiry can be changed by granting again. Audited on the customer record.
    """
    consent_note = str(consent_note or "")
    via = _grant_via(acting_user, customer, consent_note)
    if scope not in PartnerAuthorisation.Scope.values:
        raise errors.InvalidValue(field="scope")
    if expires_at is not None and expires_at <= timezone.now():
        raise errors.InvalidValue(_("The expiry must be in the future."), field="expires_at")
    if len(consent_note) > CONSENT_NOTE_MAX:
        raise errors.InvalidValue(field="consent_note")
    with transaction.atomic():
        now = timezone.now()
        PartnerAuthorisation.objects.filter(
            customer=customer, partner=partner, revoked_at__isnull=True
        ).update(revoked_at=now, revoked_by=acting_user)
        grant = PartnerAuthorisation.objects.create(
            customer=customer,
            partner=partner,
            scope=scope,
            granted_via=via,
            granted_by=acting_user,
            consent_note=consent_note,
            granted_at=now,
            expires_at=expires_at,
        )
        record_audit_event(
            actor=acting_user,
            action="partner.authorised",
            target=customer,
            data={"authorisation_id": grant.pk, "partner_id": partner.pk,
                  "partner": partner.name, "scope": scope, "granted_via": via,
                  "expires_at": expires_at, "consent_note": consent_note},
        )  # fmt: skip
    return grant


def revoke_partner_authorisation(
    *, acting_user: User, authorisation: PartnerAuthorisation
) -> PartnerAuthorisation:
    """Withdraw a grant at once (the customer himself or staff); revoking twice changes nothing."""
    customer = authorisation.customer
    if not (
        (acting_user.is_customer and customer.user_id == acting_user.pk)
        or acting_user.is_staff_member
    ):
        raise errors.NotAllowed()
    with transaction.atomic():
        now = timezone.now()
        changed = PartnerAuthorisation.objects.filter(
            pk=authorisation.pk, revoked_at__isnull=True
        ).update(revoked_at=now, revoked_by=acting_user)
        authorisation.refresh_from_db()
        if changed:
            record_audit_event(
                actor=acting_user,
                action="partner.revoked",
                target=customer,
                data={"authorisation_id": authorisation.pk,
                      "partner_id": authorisation.partner_id,
                      "partner": authorisation.partner.name},
            )  # fmt: skip
    return authorisation

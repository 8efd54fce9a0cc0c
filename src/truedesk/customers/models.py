"""Customers (people), organisations, memberships and contact points."""

from __future__ import annotations

import re
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from truedesk.lib.timezones import validate_time_zone


class Tier(models.TextChoices):
    """Recognition level for repeat and high-value customers (seed 001 §6)."""

    STANDARD = "standard", _("Standard")
    SILVER = "silver", _("Silver")
    GOLD = "gold", _("Gold")
    PLATINUM = "platinum", _("Platinum")


class Organisation(models.Model):
    """An institutional account: a company or public body with several contacts."""

    name = models.CharField(_("name"), max_length=200)
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices, default=Tier.STANDARD)
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_organisations",
        limit_choices_to={"kind": "staff"},
        verbose_name=_("account manager"),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name


class Customer(models.Model):
    """A person the company serves; may sign in to the portal through `user`."""

    name = models.CharField(_("name"), max_length=200)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="customer",
        limit_choices_to={"kind": "customer"},
    )
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices, default=Tier.STANDARD)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Vilnius", validators=[validate_time_zone]
    )
    notes = models.TextField(_("notes"), blank=True)
    organisations = models.ManyToManyField(
        Organisation, through="Membership", related_name="customers", blank=True
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name"]
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A customer's place in an organisation; one person can belong to several."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    title = models.CharField(_("title"), max_length=120, blank=True)
    is_primary_contact = models.BooleanField(_("primary contact"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "organisation"], name="one_membership_per_pair"
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer} @ {self.organisation}"


class ContactPoint(models.Model):
    """An email address or phone number at which a customer is reached."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Phone")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contact_points")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    value = models.CharField(_("value"), max_length=254)
    # Lower-cased email or digits-only phone: what lookups match on.
    normalized = models.CharField(max_length=254, editable=False)
    is_primary = models.BooleanField(_("primary"), default=False)
    is_failing = models.BooleanField(_("failing"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")
        constraints = [
            # An email address identifies one customer (inbound mail is matched
            # on it); a phone number may be shared, e.g. by a household.
            models.UniqueConstraint(
                fields=["kind", "normalized"],
                condition=models.Q(kind="email"),
                name="email_contact_point_unique",
            )
        ]
        indexes = [
            models.Index(fields=["customer", "kind"]),
            models.Index(fields=["kind", "normalized"]),
        ]

    def __str__(self) -> str:
        return self.value


# Separators people type inside phone numbers; anything else makes it invalid.
_PHONE_SEPARATORS = re.compile(r"[\s\-().\/]")
_PHONE_DIGITS = re.compile(r"\+?[0-9]{6,15}")


def normalise_email(value: str) -> tuple[str, str] | None:
    """(address as typed but stripped, lower-cased match key), or None if not an address."""
    value = (value or "").strip()
    try:
        EmailValidator()(value)
    except ValidationError:
        return None
    return value, value.lower()


def normalise_phone(value: str) -> tuple[str, str] | None:
    """(E.164-like "+digits" or "digits", digits-only match key), or None if not a number.

    A leading international "00" is read as "+", so "+370 600 12345" and
    "00370 600 12345" match the same customer.
    """
    compact = _PHONE_SEPARATORS.sub("", (value or "").strip())
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if not _PHONE_DIGITS.fullmatch(compact):
        return None
    return compact, compact.lstrip("+")


def normalise_contact_value(kind: str, value: str) -> tuple[str, str] | None:
    """(stored value, match key) for a contact point of this kind, or None if invalid."""
    if kind == ContactPoint.Kind.EMAIL:
        return normalise_email(value)
    if kind == ContactPoint.Kind.PHONE:
        return normalise_phone(value)
    return None


class PartnerAuthorisation(models.Model):
    """A customer's consent that a partner may act for him (PRODUCT.md capability 4).

    Access is decided from these rows on every request, never cached: a row
    with `revoked_at` set or an `expires_at` in the past grants nothing, so a
    revocation stops the partner at its next request.
    """

    class Scope(models.TextChoices):
        FOLLOW = "follow", _("Open and follow cases")
        READ = "read", _("Read cases only")

    class GrantedVia(models.TextChoices):
        CUSTOMER = "customer", _("The customer, in the portal")
        STAFF = "staff", _("Staff, on the customer's behalf")

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="partner_authorisations"
    )
    partner = models.ForeignKey(
        "accounts.Partner",
        on_delete=models.PROTECT,
        related_name="authorisations",
        verbose_name=_("partner"),
    )
    scope = models.CharField(_("scope"), max_length=16, choices=Scope.choices, default=Scope.FOLLOW)
    granted_via = models.CharField(_("granted by"), max_length=16, choices=GrantedVia.choices)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # When staff record it: how and when the customer gave consent.
    consent_note = models.TextField(_("note of the customer's consent"), blank=True)
    granted_at = models.DateTimeField(_("granted"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("partner authorisation")
        verbose_name_plural = _("partner authorisations")
        ordering = ["-granted_at", "-id"]
        constraints = [
            # One live authorisation per pair; a new grant replaces (revokes) the old one.
            models.UniqueConstraint(
                fields=["customer", "partner"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_live_partner_authorisation",
            ),
            models.CheckConstraint(
                name="staff_grant_notes_consent",
                condition=~models.Q(granted_via="staff") | ~models.Q(consent_note=""),
            ),
        ]
        indexes = [models.Index(fields=["partner", "customer"], name="partner_auth_lookup")]

    def __str__(self) -> str:
        return f"{self.partner} for {self.customer}"

    def is_live(self, *, now: datetime | None = None) -> bool:
        moment = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > moment)

"""What a visitor can write about: topics that route web-form cases to a department."""

from __future__ import annotations

from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from truedesk.accounts.models import Department
from truedesk.cases.models import Case, Interaction


class ContactTopic(models.Model):
    """A choice on the public contact form; its department's queue receives the case."""

    label = models.CharField(_("label (English)"), max_length=120)
    label_lt = models.CharField(_("label (Lithuanian)"), max_length=120, blank=True)
    label_uk = models.CharField(_("label (Ukrainian)"), max_length=120, blank=True)
    label_ru = models.CharField(_("label (Russian)"), max_length=120, blank=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )
    kind = models.CharField(
        _("case kind"), max_length=32, choices=Case.Kind.choices, default=Case.Kind.QUESTION
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("shown on the form"), default=True)

    class Meta:
        verbose_name = _("contact form topic")
        verbose_name_plural = _("contact form topics")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label

    def label_in(self, language: str | None = None) -> str:
        """The label in the visitor's language, English when none was written."""
        code = (language or translation.get_language() or "en")[:2]
        return str(getattr(self, f"label_{code}", "") or self.label)


class WebFormSender(models.Model):
    """Who the form says wrote a web-form interaction: an address nobody has proved to own.

    When the address already belonged to a customer, anyone who knows it could
    have typed it, so the desk marks the interaction "sender not verified" and
    shows the name that was typed; the customer's record is never changed.
    """

    interaction = models.OneToOneField(
        Interaction, on_delete=models.CASCADE, related_name="+", verbose_name=_("interaction")
    )
    email = models.EmailField(_("address typed"), max_length=254)
    typed_name = models.CharField(_("name typed"), max_length=200)
    address_was_known = models.BooleanField(
        _("address of an existing customer"),
        help_text=_("The case went to that customer's record without proof the sender owns it."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("web form sender")
        verbose_name_plural = _("web form senders")

    def __str__(self) -> str:
        return f"{self.email} (interaction {self.interaction_id})"

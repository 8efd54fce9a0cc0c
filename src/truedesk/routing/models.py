"""Skills granted by training, agents' presence and capacity, and the routing hold queue.

An agent *has* a skill while a completed, unexpired training record of a
module that grants it exists (read at the moment of routing, never stored), so
a lapsed certification stops routing at once. A case needs the skills of its
queue and department, its customer's language and any a staff member adds.
"""

from __future__ import annotations

from datetime import datetime

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from truedesk.accounts.models import Department, User
from truedesk.calendars.models import Channel
from truedesk.cases.models import Case
from truedesk.workforce.models import ContactQueue

MAX_CAPACITY = 100

# Concurrent cases an agent handles on a channel when no capacity row says
# otherwise: one call at a time, a few chats, a pile of emails.
DEFAULT_CAPACITY: dict[str, int] = {
    Channel.PHONE: 1,
    Channel.IN_PERSON: 1,
    Channel.CHAT: 3,
}
DEFAULT_OTHER_CAPACITY = 8


def default_capacity(channel: str) -> int:
    """The concurrent-case limit on `channel` for an agent without a capacity row."""
    return DEFAULT_CAPACITY.get(channel, DEFAULT_OTHER_CAPACITY)


class Skill(models.Model):
    """Something a case may need from its agent: a language, a product, a level."""

    class Kind(models.TextChoices):
        LANGUAGE = "language", _("Language")
        PRODUCT = "product", _("Product")
        LEVEL = "level", _("Level")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    code = models.SlugField(
        _("code"),
        max_length=40,
        help_text=_("Languages: the language code customers have (en, lt, uk, ru)."),
    )
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["kind", "name", "pk"]
        constraints = [models.UniqueConstraint(fields=["kind", "code"], name="skill_kind_code")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"


class TrainingModule(models.Model):
    """A course or certification; completing it grants its skills."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    description = models.TextField(_("description"), blank=True)
    skills = models.ManyToManyField(
        Skill, related_name="modules", blank=True, verbose_name=_("skills granted")
    )
    valid_for_days = models.PositiveIntegerField(
        _("valid for (days)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(36_500)],
        help_text=_("Certifications expire this long after completion; empty: never."),
    )

    class Meta:
        verbose_name = _("training module")
        verbose_name_plural = _("training modules")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TrainingRecord(models.Model):
    """That an agent completed a module on a day; it grants the skills until `expires_on`."""

    agent = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="training_records",
        verbose_name=_("agent"),
        limit_choices_to={"kind": "staff"},
    )
    module = models.ForeignKey(
        TrainingModule, on_delete=models.PROTECT, related_name="records", verbose_name=_("module")
    )
    completed_on = models.DateField(_("completed on"))
    expires_on = models.DateField(
        _("expires on"),
        null=True,
        blank=True,
        help_text=_("The first day it no longer counts; empty: never expires."),
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        ordering = ["agent__username", "-completed_on", "pk"]
        indexes = [models.Index(fields=["agent", "expires_on"], name="training_agent_expiry")]
        constraints = [
            models.CheckConstraint(
                name="training_expires_after_completion",
                condition=Q(expires_on__isnull=True) | Q(expires_on__gt=F("completed_on")),
            )
        ]

    def __str__(self) -> str:
        return f"{self.agent} · {self.module}"


class AgentCapacity(models.Model):
    """How many cases an agent handles at once on a channel (absent: DEFAULT_CAPACITY)."""

    agent = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="channel_capacities",
        verbose_name=_("agent"),
        limit_choices_to={"kind": "staff"},
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    limit = models.PositiveSmallIntegerField(
        _("concurrent cases"), validators=[MaxValueValidator(MAX_CAPACITY)]
    )

    class Meta:
        verbose_name = _("agent capacity")
        verbose_name_plural = _("agent capacities")
        ordering = ["agent__username", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["agent", "channel"], name="capacity_once_per_channel"),
            models.CheckConstraint(name="capacity_bounded", condition=Q(limit__lte=MAX_CAPACITY)),
        ]

    def __str__(self) -> str:
        return f"{self.agent} · {self.channel} · {self.limit}"


class Presence(models.TextChoices):
    AVAILABLE = "available", _("Available")
    BUSY = "busy", _("Busy")
    AWAY = "away", _("Away")


class AgentPresence(models.Model):
    """What the agent says they are doing; only `available` agents on shift receive cases.

    The row is also the lock the engine takes before counting an agent's load,
    so two workers never both hand the agent's last free slot away.
    """

    agent = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="presence", verbose_name=_("agent")
    )
    status = models.CharField(
        _("presence"), max_length=16, choices=Presence.choices, default=Presence.AWAY
    )
    changed_at = models.DateTimeField(_("since"), default=timezone.now)
    last_routed_at = models.DateTimeField(_("last routed"), null=True, blank=True)

    class Meta:
        verbose_name = _("agent presence")
        verbose_name_plural = _("agent presence")
        indexes = [models.Index(fields=["status"], name="presence_status")]

    def __str__(self) -> str:
        return f"{self.agent} · {self.status}"

    @property
    def idle_since(self) -> datetime:
        """When the agent last received work or became available, whichever is later."""
        if self.last_routed_at is None:
            return self.changed_at
        return max(self.changed_at, self.last_routed_at)


class QueueSkill(models.Model):
    """A skill every case in a queue (a department on one channel) needs."""

    queue = models.ForeignKey(
        ContactQueue, on_delete=models.CASCADE, related_name="+", verbose_name=_("queue")
    )
    skill = models.ForeignKey(
        Skill, on_delete=models.PROTECT, related_name="queue_needs", verbose_name=_("skill")
    )

    class Meta:
        verbose_name = _("skill a queue needs")
        verbose_name_plural = _("skills queues need")
        constraints = [models.UniqueConstraint(fields=["queue", "skill"], name="queue_skill_once")]

    def __str__(self) -> str:
        return f"{self.queue} · {self.skill}"


class DepartmentSkill(models.Model):
    """A skill every case in a department needs, on every channel."""

    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="+", verbose_name=_("department")
    )
    skill = models.ForeignKey(
        Skill, on_delete=models.PROTECT, related_name="department_needs", verbose_name=_("skill")
    )

    class Meta:
        verbose_name = _("skill a department needs")
        verbose_name_plural = _("skills departments need")
        constraints = [
            models.UniqueConstraint(fields=["department", "skill"], name="department_skill_once")
        ]

    def __str__(self) -> str:
        return f"{self.department} · {self.skill}"


class CaseSkill(models.Model):
    """A skill a staff member says this one case needs."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="case_needs")
    added_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "skill"], name="case_skill_once")]

    def __str__(self) -> str:
        return f"#{self.case_id} · {self.skill_id}"


class HoldReason(models.TextChoices):
    """Why a case waits in the hold queue (its latest routing attempt)."""

    NOT_TRIED = "not_tried", _("Not tried yet")
    DEPARTMENT_CLOSED = "department_closed", _("Department closed")
    NOBODY_AVAILABLE = "nobody_available", _("Nobody available on shift")
    MISSING_SKILL = "missing_skill", _("Nobody available has the skills")
    AT_CAPACITY = "at_capacity", _("Everyone is at capacity")


class RoutingItem(models.Model):
    """A case's place in routing: waiting in the hold queue, routed, or withdrawn.

    One per case. The row lock (select_for_update) makes routing a case
    at-most-once however many workers try; state moves only away from waiting.
    """

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        ROUTED = "routed", _("Routed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="routing")
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.WAITING
    )
    entered_at = models.DateTimeField(_("waiting since"), default=timezone.now)
    reason = models.CharField(
        _("reason"), max_length=32, choices=HoldReason.choices, default=HoldReason.NOT_TRIED
    )
    reason_data = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_tried_at = models.DateTimeField(null=True, blank=True)
    routed_to = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("routing item")
        verbose_name_plural = _("routing items")
        indexes = [models.Index(fields=["state", "entered_at"], name="routing_waiting")]

    def __str__(self) -> str:
        return f"#{self.case_id} · {self.state}"

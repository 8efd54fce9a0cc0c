"""State shared by every process: when each periodic job last ran."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext_lazy as _

# A start so long ago that a job seen for the first time is due at once.
NEVER = datetime(2000, 1, 1, tzinfo=UTC)


class PeriodicJobStateQuerySet(models.QuerySet["PeriodicJobState"]):
    def claim(self, *, name: str, every: timedelta, now: datetime) -> bool:
        """Mark the job as run at `now` if its interval has passed; True for exactly one caller."""
        self._ensure_row(name)
        # One conditional UPDATE is atomic on SQLite and PostgreSQL: when several
        # workers wake together, the first moves last_run_at forward and every
        # other UPDATE then matches no row.
        claimed = self.filter(name=name, last_run_at__lte=now - every).update(last_run_at=now)
        return claimed == 1

    def _ensure_row(self, name: str) -> None:
        if self.filter(name=name).exists():
            return
        try:
            with transaction.atomic():
                self.create(name=name, last_run_at=NEVER)
        except IntegrityError:
            pass  # another worker created it first


class PeriodicJobState(models.Model):
    """One row per periodic job name: the moment a worker last claimed it."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    last_run_at = models.DateTimeField(_("last run"))

    objects = PeriodicJobStateQuerySet.as_manager()

    class Meta:
        verbose_name = _("periodic job")
        verbose_name_plural = _("periodic jobs")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

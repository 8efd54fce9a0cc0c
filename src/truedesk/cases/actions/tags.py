"""A case's tags: set_tags, and the name rules update_case uses too."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from truedesk.accounts.models import User
from truedesk.cases import permissions
from truedesk.cases.actions._shared import _lock, _record, _write
from truedesk.cases.errors import InvalidInput, NotAllowed
from truedesk.cases.models import Case, EventKind, Tag

MAX_TAGS = 20


def _normalise_tags(tags: Sequence[str]) -> list[str]:
    if isinstance(tags, str):
        raise InvalidInput(_("Tags must be a list."), field="tags")
    names: list[str] = []
    for raw in tags:
        name = slugify(str(raw), allow_unicode=True)
        if not name:
            continue
        if len(name) > 50:
            raise InvalidInput(_("A tag is longer than 50 characters."), field="tags")
        if name not in names:
            names.append(name)
    if len(names) > MAX_TAGS:
        raise InvalidInput(
            _("A case can have at most %(count)d tags.") % {"count": MAX_TAGS}, field="tags"
        )
    return names


def _apply_tags(case: Case, names: list[str]) -> None:
    tags = [Tag.objects.get_or_create(name=name)[0] for name in names]
    case.tags.set(tags)


def set_tags(*, acting_user: User, case: Case, tags: Sequence[str]) -> Case:
    """Replace the case's tags with the slugified, de-duplicated list (at most 20)."""
    if not permissions.can_work_case(acting_user, case):
        raise NotAllowed()
    names = _normalise_tags(tags)
    with transaction.atomic():
        _lock(case)
        before = sorted(case.tags.values_list("name", flat=True))
        if before == sorted(names):
            return case
        _apply_tags(case, names)
        _write(case)
        _record(
            case,
            EventKind.TAGS_CHANGED,
            {"tags": {"before": before, "after": sorted(names)}},
            actor=acting_user,
        )
    return case

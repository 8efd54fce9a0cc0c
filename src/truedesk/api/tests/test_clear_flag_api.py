"""POST /api/v1/cases/{number}/clear-flag: owner or supervisor, idempotent, 409 when stale."""

from __future__ import annotations

import pytest
from django.utils import timezone

from truedesk.cases.actions import take_case
from truedesk.cases.models import Case, CaseEvent, EventKind


@pytest.fixture
def flagged(world, daves_case) -> Case:
    take_case(acting_user=world.alice, case=daves_case)
    Case.objects.filter(pk=daves_case.pk).update(
        flagged_at=timezone.now(), flag_reason="Promise missed: Fix due 2026-11-20 17:00"
    )
    daves_case.refresh_from_db()
    return daves_case


def path(case: Case) -> str:
    return f"/cases/{case.number}/clear-flag"


def test_staff_see_the_flag_and_the_owner_clears_it_once(api, world, flagged):
    read = api.get(f"/cases/{flagged.number}", as_="alice")
    assert read.body["flag"]["reason"].startswith("Promise missed")
    assert api.get(f"/cases/{flagged.number}", as_="dave").body["flag"] is None

    body = {"reason": "Fixed and confirmed with Dave", "version": read.body["version"]}
    first = api.post(path(flagged), body, as_="alice")
    again = api.post(path(flagged), body, as_="alice")

    assert first.status == 200 and first.body["flag"] is None
    assert first.body["version"] == read.body["version"] + 1
    assert again.status == 200 and again.body["version"] == first.body["version"]
    assert CaseEvent.objects.filter(case=flagged, kind=EventKind.FLAG_CLEARED).count() == 1


def test_a_stale_version_is_409_and_others_are_refused(api, world, flagged):
    stale = api.post(path(flagged), {"reason": "done", "version": flagged.version - 1}, as_="carol")
    assert stale.status == 409
    assert stale.body["code"] == "stale_version"
    assert stale.body["details"]["current_version"] == flagged.version

    assert (
        api.post(path(flagged), {"reason": "done", "version": flagged.version}, as_="bob").status
        == 403
    )
    assert api.post(
        path(flagged), {"reason": "done", "version": flagged.version}, as_="dave"
    ).status in (403, 404)
    assert (
        api.post(path(flagged), {"reason": "", "version": flagged.version}, as_="alice").status
        == 422
    )
    assert Case.objects.get(pk=flagged.pk).flagged_at is not None

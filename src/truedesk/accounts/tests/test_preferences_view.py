"""Every signed-in user chooses his language and time zone; pages follow at once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from truedesk.accounts.models import AuditEvent, User
from truedesk.cases.actions import open_case


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("preferences"))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("persona", ["alice", "carol", "dave_user", "erin"])
def test_every_kind_of_user_sees_his_current_language_and_time_zone(world, persona):
    user = getattr(world, persona)
    User.objects.filter(pk=user.pk).update(time_zone="Asia/Tokyo")

    html = _client(user).get(reverse("preferences")).content.decode()

    assert '<option value="en" selected>English</option>' in html
    assert '<option value="Asia/Tokyo" selected>Asia/Tokyo</option>' in html
    assert '<optgroup label="Europe">' in html
    assert '<option value="America/New_York">America/New York</option>' in html
    for code in ("lt", "uk", "ru"):
        assert f'<option value="{code}"' in html


def test_saving_changes_the_user_and_the_next_page_speaks_lithuanian(world):
    client = _client(world.dave_user)

    response = client.post(
        reverse("preferences"), {"language": "lt", "time_zone": "America/New_York"}
    )

    world.dave_user.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == reverse("preferences")
    assert (world.dave_user.language, world.dave_user.time_zone) == ("lt", "America/New_York")
    page = client.get(reverse("portal:home"))
    assert '<html lang="lt">' in page.content.decode()
    assert page["Content-Language"] == "lt"
    assert AuditEvent.objects.filter(
        action="user.preferences_changed", object_id=str(world.dave_user.pk)
    ).exists()


def test_times_are_shown_in_the_chosen_time_zone(world):
    with time_machine.travel(datetime(2025, 3, 10, 10, 0, tzinfo=UTC), tick=False):
        open_case(
            acting_user=world.dave_user,
            customer=world.dave,
            subject="Router",
            body="Down again.",
            channel="portal",
        )
    client = _client(world.dave_user)
    vilnius = client.get(reverse("portal:home")).content.decode()

    client.post(reverse("preferences"), {"language": "en", "time_zone": "America/New_York"})
    new_york = client.get(reverse("portal:home")).content.decode()

    assert 'datetime="2025-03-10T12:00:00+02:00"' in vilnius
    assert 'datetime="2025-03-10T06:00:00-04:00"' in new_york


def test_staff_preferences_are_saved_too(world):
    response = _client(world.alice).post(
        reverse("preferences"), {"language": "uk", "time_zone": "Europe/Kyiv"}
    )

    world.alice.refresh_from_db()
    assert response.status_code == 302
    assert (world.alice.language, world.alice.time_zone) == ("uk", "Europe/Kyiv")


@pytest.mark.parametrize(
    ("language", "time_zone"),
    [("xx", "Europe/Vilnius"), ("lt", "Mars/Olympus_Mons"), ("", ""), ("lt", "../../etc")],
)
def test_unknown_values_are_refused_and_nothing_changes(world, language, time_zone):
    response = _client(world.dave_user).post(
        reverse("preferences"), {"language": language, "time_zone": time_zone}
    )

    world.dave_user.refresh_from_db()
    assert response.status_code == 200
    assert "Please check the highlighted fields." in response.content.decode()
    assert (world.dave_user.language, world.dave_user.time_zone) == ("en", "Europe/Vilnius")


def test_the_next_page_confirms_the_save(world):
    client = _client(world.alice)

    response = client.post(
        reverse("preferences"), {"language": "en", "time_zone": "Europe/Vilnius"}, follow=True
    )

    assert "Your preferences are saved." in response.content.decode()

"""List rows: links and labels computed once per page give what reverse() and the models say."""

from __future__ import annotations

import zoneinfo

from django.urls import reverse
from django.utils import timezone, translation

from truedesk.cases.models import Case
from truedesk.desk.rows import case_rows, url_for_each
from truedesk.desk.templatetags.desk_tags import ago, choice_label


def test_filled_urls_equal_reversed_ones():
    case_url = url_for_each("desk:case", "number")
    customer_url = url_for_each("desk:customer", "pk")

    for value in (1, 42, 100999, 10**17):
        assert case_url(value) == reverse("desk:case", kwargs={"number": value})
        assert customer_url(value) == reverse("desk:customer", kwargs={"pk": value})


def test_rows_carry_links_labels_and_the_returning_and_tier_badges(world, make_case):
    first = make_case(priority=4)
    make_case()
    world.fiona.tier = "gold"
    world.fiona.save()
    fionas = make_case(customer=world.fiona)

    rows = {row.case: row for row in case_rows([first, fionas])}

    assert (rows[first].status, rows[first].priority) == ("New", "Urgent")
    assert rows[first].returning == "returning · 1 earlier case"
    assert (rows[fionas].returning, rows[fionas].tier) == ("", "Gold")
    assert rows[first].tier == ""  # dave is a standard customer
    assert rows[first].url == f"/desk/cases/{first.number}/"
    assert rows[first].take_url == f"/desk/cases/{first.number}/take/"
    assert rows[first].customer_url == f"/desk/customers/{world.dave.pk}/"


def test_row_labels_are_in_the_viewers_language(world, make_case):
    case = make_case()
    with translation.override("lt"):
        [row] = case_rows([case])
        expected = str(Case.Status(case.status).label)
    assert row.status == expected


def test_ago_names_the_moment_in_the_viewers_time_zone():
    moment = timezone.now()
    vilnius = zoneinfo.ZoneInfo("Europe/Vilnius")
    with timezone.override(vilnius):
        html = ago(moment)
    local = timezone.localtime(moment, timezone=vilnius)

    assert html.startswith(f'<time datetime="{local.isoformat(timespec="seconds")}"')
    assert f'title="{local:%Y-%m-%d %H:%M}"' in html and html.endswith("now</time>")
    assert ago(None) == "—"


def test_choice_labels_match_the_models_in_each_language(world, case):
    interaction = case.interactions.get()
    for language in ("en", "lt", "ru"):
        with translation.override(language):
            assert choice_label(interaction, "direction") == interaction.get_direction_display()
            assert choice_label(interaction, "channel") == interaction.get_channel_display()

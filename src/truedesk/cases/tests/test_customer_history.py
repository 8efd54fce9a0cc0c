from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from truedesk.accounts.errors import NotAllowed
from truedesk.cases.customer_history import (
    get_customer_360,
    get_organisation_overview,
    get_recognition,
)
from truedesk.cases.models import Case, Interaction
from truedesk.cases.numbering import next_case_number

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def make_case(world, *, customer=None, days=0, status="open", owner=None, **fields):
    return Case.objects.create(
        number=next_case_number(),
        subject=f"Case on day {days}",
        customer=customer or world.dave,
        status=status,
        owner=owner or world.alice,
        department=world.support,
        created_at=START + timedelta(days=days),
        **fields,
    )


def make_interaction(case, *, minutes=0, channel="email", direction="inbound", handled_by=None):
    return Interaction.objects.create(
        case=case,
        channel=channel,
        direction=direction,
        handled_by=handled_by,
        body="Hello",
        created_at=case.created_at + timedelta(minutes=minutes),
    )


def build_history(world, cases):
    for day in range(cases):
        case = make_case(world, days=day, status="closed" if day % 2 else "open")
        make_interaction(case, channel="phone", handled_by=world.bob)
        make_interaction(case, minutes=5, direction="outbound", handled_by=world.alice)


def test_the_360_shows_every_case_and_interaction_newest_first(world):
    first = make_case(world, days=0, status="closed")
    second = make_case(world, days=3)
    make_case(world, customer=world.fiona, days=1)
    call = make_interaction(first, channel="phone", handled_by=world.bob)
    reply = make_interaction(second, minutes=1, direction="outbound", handled_by=world.alice)
    view = get_customer_360(user=world.alice, customer=world.dave)
    assert view.cases == [second, first]
    assert view.interactions == [reply, call]
    assert view.interactions[1].case.number == first.number
    assert view.interactions[1].channel == "phone"
    assert view.interactions[1].handled_by == world.bob
    assert [m.organisation.name for m in view.customer.memberships.all()] == ["Acme Ltd"]


def test_the_360_includes_what_the_customer_wrote_on_other_peoples_cases(world):
    fionas_case = make_case(world, customer=world.fiona)
    note = Interaction.objects.create(
        case=fionas_case,
        channel="portal",
        direction="inbound",
        author_customer=world.dave,
        body="Me too",
    )
    assert get_customer_360(user=world.alice, customer=world.dave).interactions == [note]


def test_the_360_interactions_are_bounded_by_limit(world):
    build_history(world, 3)
    view = get_customer_360(user=world.alice, customer=world.dave, limit=4)
    assert len(view.interactions) == 4 and view.interactions_truncated
    assert not get_customer_360(user=world.alice, customer=world.dave).interactions_truncated


def test_the_360_needs_a_constant_number_of_queries(world, django_assert_max_num_queries):
    def count_queries():
        with CaptureQueriesContext(connection) as captured:
            view = get_customer_360(user=world.alice, customer=world.dave)
            shown = [(case.owner.username, case.department.name) for case in view.cases]
            shown += [(i.case.number, i.handled_by.username) for i in view.interactions]
            shown += [point.value for point in view.customer.contact_points.all()]
            shown += [m.organisation.name for m in view.customer.memberships.all()]
        assert shown
        return len(captured)

    build_history(world, 1)
    small = count_queries()
    build_history(world, 15)
    with django_assert_max_num_queries(small):
        count_queries()
    # Customer, contact points, memberships; case figures; one page of cases;
    # the interactions on his cases and those he wrote elsewhere.
    assert small <= 7


def test_recognition_marks_returning_customers_with_lifetime_figures(world):
    make_case(world, days=0, status="closed")
    make_case(world, days=2, status="resolved")
    make_case(world, days=5, status="open")
    make_case(world, days=6, status="closed", merged_into=make_case(world, days=6))
    world.dave.tier = "gold"
    world.dave.save()
    recognition = get_customer_360(user=world.alice, customer=world.dave).recognition
    assert recognition.tier == "gold"
    assert recognition.returning
    assert (recognition.lifetime_cases, recognition.earlier_cases, recognition.open_cases) == (
        4,
        3,
        2,
    )
    assert recognition.first_contact_at == START
    assert get_recognition(world.dave) == recognition


def test_a_first_time_customer_is_not_returning(world):
    make_case(world, customer=world.fiona)
    recognition = get_recognition(world.fiona)
    assert not recognition.returning
    assert (recognition.lifetime_cases, recognition.earlier_cases) == (1, 0)
    empty = get_customer_360(user=world.alice, customer=world.dave).recognition
    assert (empty.returning, empty.lifetime_cases, empty.first_contact_at) == (False, 0, None)


def test_recognition_on_a_case_page_counts_only_earlier_cases(world):
    first = make_case(world, days=0)
    second = make_case(world, days=1)
    make_case(world, days=2)
    assert get_recognition(world.dave, as_of=first).returning is False
    on_second = get_recognition(world.dave, as_of=second)
    assert (on_second.returning, on_second.earlier_cases, on_second.lifetime_cases) == (True, 1, 3)


def test_recognition_is_one_query(world, django_assert_num_queries):
    build_history(world, 5)
    with django_assert_num_queries(1):
        get_recognition(world.dave)


@pytest.mark.parametrize("persona", ["dave_user", "erin"])
def test_only_staff_open_the_360_or_an_organisation_overview(world, persona):
    user = getattr(world, persona)
    with pytest.raises(NotAllowed):
        get_customer_360(user=user, customer=world.dave)
    with pytest.raises(NotAllowed):
        get_organisation_overview(user=user, organisation=world.acme)


def test_the_organisation_overview_has_members_manager_and_cases(world):
    older = make_case(world, days=0, organisation=world.acme, status="closed")
    newer = make_case(world, days=1, organisation=world.acme)
    make_case(world, days=2)  # dave's own case, not the organisation's
    overview = get_organisation_overview(user=world.bob, organisation=world.acme)
    assert overview.account_manager == world.carol
    assert [m.customer for m in overview.members] == [world.dave]
    assert overview.cases == [newer, older]
    assert (overview.open_cases, overview.cases_truncated) == (1, False)
    limited = get_organisation_overview(user=world.bob, organisation=world.acme, limit=1)
    assert limited.cases == [newer] and limited.cases_truncated


def test_the_360_lists_cases_by_page_newest_first(world):
    build_history(world, 5)
    newest_first = list(Case.objects.filter(customer=world.dave).order_by("-created_at"))

    pages = [
        get_customer_360(user=world.alice, customer=world.dave, cases_page=n, cases_per_page=2)
        for n in (1, 2, 3)
    ]

    assert [view.cases for view in pages] == [newest_first[:2], newest_first[2:4], newest_first[4:]]
    assert {(view.cases_total, view.cases_pages) for view in pages} == {(5, 3)}


def test_a_360_case_page_past_the_end_shows_the_last_page(world):
    build_history(world, 3)
    view = get_customer_360(user=world.alice, customer=world.dave, cases_page=99, cases_per_page=2)
    assert view.cases_page == 2 and len(view.cases) == 1


def test_older_contacts_continue_where_the_newest_stopped_until_none_are_left(world):
    build_history(world, 4)
    fionas_case = make_case(world, customer=world.fiona, days=2)
    Interaction.objects.create(
        case=fionas_case, channel="portal", direction="inbound", author_customer=world.dave,
        body="Me too", created_at=fionas_case.created_at + timedelta(minutes=2),
    )  # fmt: skip
    everything = list(
        Interaction.objects.filter(
            Q(case__customer=world.dave) | Q(author_customer=world.dave)
        ).order_by("-created_at", "-id")
    )

    seen, before = [], None
    while True:
        view = get_customer_360(user=world.alice, customer=world.dave, limit=3, before=before)
        seen += view.interactions
        if view.older is None:
            break
        assert view.interactions_truncated
        before = view.older

    assert seen == everything


def test_what_he_wrote_on_his_own_case_is_listed_once(world):
    case = make_case(world)
    own = Interaction.objects.create(
        case=case, channel="portal", direction="inbound", author_customer=world.dave, body="Hi"
    )
    assert get_customer_360(user=world.alice, customer=world.dave).interactions == [own]

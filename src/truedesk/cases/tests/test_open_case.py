import threading

import pytest
from django.conf import settings
from django.db import connection

from truedesk.cases.actions import open_case, subscribe_to_case_events, unsubscribe_from_case_events
from truedesk.cases.attachments import AttachmentUpload
from truedesk.cases.errors import InvalidInput, NotAllowed
from truedesk.cases.models import Case, CaseEvent, CaseStaffContact, Interaction
from truedesk.customers.models import Membership, Organisation
from truedesk.testing.personas import build_world

# Threads need a real server: PostgreSQL runs these tests in transactions of
# their own. (SQLite's flush would also trip the append-only event triggers.)
ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def test_agent_opening_a_customers_email_creates_a_new_case_with_an_inbound_first_message(
    world, make_case
):
    case = make_case()
    assert case.status == "new"
    assert case.number >= 1000
    assert case.owner is None
    first = case.interactions.get()
    assert first.direction == "inbound"
    assert first.author_customer == world.dave
    assert first.handled_by == world.alice
    assert case.contact_count == 1
    assert case.staff_touched_count == 1
    assert case.last_customer_activity_at is not None
    assert case.version == 2


def test_opening_a_case_writes_an_opened_event_with_its_details(world, make_case):
    case = make_case(priority=Case.Priority.HIGH)
    event = CaseEvent.objects.get(case=case)
    assert event.kind == "case_opened"
    assert event.actor == world.alice
    assert event.data["priority"] == Case.Priority.HIGH
    assert event.data["department"] == {"id": world.support.pk, "name": "Technical support"}


def test_company_initiated_case_starts_with_an_outbound_message(world, make_case):
    case = make_case(initiated_by="company")
    first = case.interactions.get()
    assert first.direction == "outbound"
    assert first.author_user == world.alice
    assert case.last_customer_activity_at is None


def test_customer_opens_his_own_case_from_the_portal(world):
    case = open_case(
        acting_user=world.dave_user,
        customer=world.dave,
        subject="Bill wrong",
        body="Charged twice",
        channel="portal",
        initiated_by="company",
    )
    assert case.initiated_by == "customer"
    first = case.interactions.get()
    assert first.direction == "inbound" and first.handled_by is None
    assert case.staff_touched_count == 0
    assert not CaseStaffContact.objects.filter(case=case).exists()


def test_customer_cannot_open_a_case_for_someone_else(world):
    with pytest.raises(NotAllowed):
        open_case(
            acting_user=world.dave_user,
            customer=world.fiona,
            subject="x",
            body="y",
            channel="portal",
        )
    assert not Case.objects.exists()


def test_customer_cannot_choose_an_owner(world):
    with pytest.raises(NotAllowed):
        open_case(
            acting_user=world.dave_user,
            customer=world.dave,
            subject="x",
            body="y",
            channel="portal",
            owner=world.alice,
        )


def test_partner_users_cannot_open_cases_yet(world):
    with pytest.raises(NotAllowed):
        open_case(
            acting_user=world.erin, customer=world.dave, subject="x", body="y", channel="portal"
        )


def test_agent_can_open_a_case_owned_by_herself_which_starts_open(world, make_case):
    case = make_case(owner=world.alice)
    assert case.owner == world.alice
    assert case.status == "open"


def test_agent_cannot_give_a_new_case_to_a_colleague(world, make_case):
    with pytest.raises(NotAllowed):
        make_case(owner=world.bob)


def test_supervisor_can_give_a_new_case_to_an_agent(world, make_case):
    case = make_case(acting_user=world.carol, owner=world.bob)
    assert case.owner == world.bob


def test_the_only_organisation_of_the_customer_is_filled_in(world, make_case):
    assert make_case().organisation == world.acme


def test_an_organisation_the_customer_does_not_belong_to_is_refused(world, make_case):
    other = Organisation.objects.create(name="Globex")
    with pytest.raises(InvalidInput) as error:
        make_case(organisation=other)
    assert error.value.field == "organisation"


def test_with_several_organisations_none_is_guessed(world, make_case):
    other = Organisation.objects.create(name="Globex")
    Membership.objects.create(customer=world.dave, organisation=other)
    assert make_case().organisation is None
    assert make_case(organisation=other).organisation == other


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("subject", "   "),
        ("body", ""),
        ("channel", "pigeon"),
        ("kind", "rant"),
        ("priority", 9),
        ("severity", 0),
        ("subject", "x" * 251),
    ],
)
def test_bad_values_are_refused_with_the_field_named(make_case, field, value):
    with pytest.raises(InvalidInput) as error:
        make_case(**{field: value})
    assert error.value.field == field
    assert not Case.objects.exists()


def test_subject_line_breaks_are_flattened_so_they_cannot_inject_mail_headers(make_case):
    case = make_case(subject="Hello\r\nBcc: victim@example.com")
    assert case.subject == "Hello Bcc: victim@example.com"


def test_html_body_is_sanitised_and_its_text_kept(make_case):
    case = make_case(body="", body_html="<p>Help <script>alert(1)</script><b>now</b></p>")
    first = case.interactions.get()
    assert first.body_html == "<p>Help <b>now</b></p>"
    assert first.body == "Help now"


def test_a_closed_department_is_refused(world, make_case):
    world.billing.is_active = False
    world.billing.save()
    with pytest.raises(InvalidInput):
        make_case(department=world.billing)


def test_attachments_arrive_with_the_first_message(make_case):
    case = make_case(attachments=[AttachmentUpload("photo.png", b"\x89PNG...", "image/png")])
    attachment = case.attachments.get()
    assert attachment.interaction == case.interactions.get()
    assert attachment.filename == "photo.png"


def test_subscribers_hear_about_the_case_only_after_commit(
    world, make_case, django_capture_on_commit_callbacks
):
    heard = []
    subscribe_to_case_events(heard.append)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            make_case()
        assert heard == []
        for callback in callbacks:
            callback()
    finally:
        unsubscribe_from_case_events(heard.append)
    assert [event.kind for event in heard] == ["case_opened"]


def test_a_failing_subscriber_does_not_break_the_action(
    make_case, django_capture_on_commit_callbacks
):
    def broken(event):
        raise RuntimeError("mail server down")

    subscribe_to_case_events(broken)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            case = make_case()
    finally:
        unsubscribe_from_case_events(broken)
    assert Case.objects.filter(pk=case.pk).exists()


def test_a_failing_subscriber_loses_only_its_own_writes(
    make_case, django_capture_on_commit_callbacks
):
    # The subscribers share one transaction; each one's writes stand or fall alone.
    def broken(event):
        Organisation.objects.create(name="Written by the broken subscriber")
        raise RuntimeError("half done")

    def working(event):
        Organisation.objects.create(name=f"Heard {event.kind}")

    subscribe_to_case_events(broken)
    subscribe_to_case_events(working)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            make_case()
    finally:
        unsubscribe_from_case_events(broken)
        unsubscribe_from_case_events(working)
    names = set(Organisation.objects.values_list("name", flat=True))
    assert "Heard case_opened" in names
    assert "Written by the broken subscriber" not in names


@pytest.mark.django_db(transaction=ON_POSTGRESQL)
def test_cases_opened_at_the_same_time_get_different_numbers():
    world = build_world()
    if connection.vendor != "postgresql":
        # SQLite's in-memory test database cannot serve several threads; its
        # writers are serialised by IMMEDIATE transactions, so sequential
        # opening exercises the same counter path.
        numbers = [
            open_case(
                acting_user=world.alice,
                customer=world.dave,
                subject=f"c{i}",
                body="b",
                channel="phone",
            ).number
            for i in range(6)
        ]
        assert len(set(numbers)) == 6
        return
    barrier = threading.Barrier(6)
    numbers, errors = [], []

    def open_one(i):
        try:
            barrier.wait()
            case = open_case(
                acting_user=world.alice,
                customer=world.dave,
                subject=f"c{i}",
                body="b",
                channel="phone",
            )
            numbers.append(case.number)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=open_one, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(numbers)) == 6
    assert Interaction.objects.count() == 6


def test_events_committed_in_a_batch_are_heard_together_at_its_end_and_rolled_back_ones_never(
    world, make_case, django_capture_on_commit_callbacks
):
    from django.db import transaction

    from truedesk.cases.events import announced_together

    heard = []
    subscribe_to_case_events(heard.append)
    try:
        with announced_together():
            with django_capture_on_commit_callbacks(execute=False) as callbacks:
                first = make_case(subject="First")
                with pytest.raises(RuntimeError), transaction.atomic():
                    make_case(subject="Rolled back")
                    raise RuntimeError("this one failed")
                second = make_case(subject="Second")
            for callback in callbacks:  # the batch's commit
                callback()
            assert heard == []  # held back until the batch ends
    finally:
        unsubscribe_from_case_events(heard.append)
    assert [(event.kind, event.case_id) for event in heard] == [
        ("case_opened", first.pk),
        ("case_opened", second.pk),
    ]

import pytest

from truedesk.customers import errors
from truedesk.customers.actions import add_contact_point, create_customer
from truedesk.customers.selectors import (
    CustomerFilters,
    find_customer_by_email,
    find_customers_by_phone,
    get_customer,
    get_customer_for_user,
    get_organisation_for_user,
    list_customers,
    list_organisations,
    search_customers,
)


def test_a_customer_is_found_by_email_whatever_its_case(world):
    assert find_customer_by_email("  DAVE@Example.com ") == world.dave
    assert find_customer_by_email("nobody@example.com") is None
    assert find_customer_by_email("not an address") is None


def test_everyone_sharing_a_phone_number_is_found(world):
    for customer in (world.dave, world.fiona):
        add_contact_point(
            acting_user=world.alice, customer=customer, kind="phone", value="+370 600 12345"
        )
    assert find_customers_by_phone("0037060012345") == [world.dave, world.fiona]
    assert find_customers_by_phone("+44 20 7946 0000") == []
    assert find_customers_by_phone("rubbish") == []


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("davis", ["Dave Davis"]),
        ("FIONA@", ["Fiona Fox"]),
        ("acme", ["Dave Davis"]),
        ("600 123", ["Fiona Fox"]),
        ("x", []),
        ("zzz", []),
    ],
)
def test_staff_search_by_name_email_phone_or_organisation(world, query, names):
    add_contact_point(
        acting_user=world.alice, customer=world.fiona, kind="phone", value="+370 600 12345"
    )
    assert [c.name for c in search_customers(world.alice, query)] == names


def test_search_is_bounded_by_limit(world):
    for number in range(5):
        create_customer(acting_user=world.alice, name=f"Smith {number}")
    assert len(search_customers(world.alice, "smith", limit=3)) == 3


def test_only_staff_search_or_list_customers(world):
    for user in (world.dave_user, world.erin):
        with pytest.raises(errors.NotAllowed):
            search_customers(user, "dave")
        with pytest.raises(errors.NotAllowed):
            list_customers(user)
        with pytest.raises(errors.NotAllowed):
            list_organisations(user)


def test_customer_pages_follow_the_cursor_without_gaps_or_repeats(world):
    for number in range(5):
        create_customer(acting_user=world.alice, name=f"Extra {number}")
    seen, cursor = [], None
    while True:
        page = list_customers(world.alice, cursor=cursor, limit=3)
        seen += [customer.pk for customer in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == sorted(seen)
    assert len(seen) == len(set(seen)) == 7


def test_customer_list_filters(world):
    gold = create_customer(acting_user=world.alice, name="Goldie", tier="gold")
    by_tier = list_customers(world.alice, filters=CustomerFilters(tier="gold"))
    assert by_tier.items == [gold]
    by_org = list_customers(world.alice, filters=CustomerFilters(organisation_id=world.acme.pk))
    assert by_org.items == [world.dave]
    by_query = list_customers(world.alice, filters=CustomerFilters(query="fiona@example"))
    assert by_query.items == [world.fiona]


def test_customer_list_query_count_does_not_grow_with_the_page(
    world, django_assert_max_num_queries
):
    for number in range(20):
        create_customer(
            acting_user=world.alice,
            name=f"Extra {number}",
            emails=[f"extra{number}@example.com"],
            organisation=world.acme,
        )
    with django_assert_max_num_queries(3):
        page = list_customers(world.alice, limit=50)
        for customer in page.items:
            [point.value for point in customer.contact_points.all()]
            [m.organisation.name for m in customer.memberships.all()]


def test_get_customer_loads_contacts_and_organisations(world, django_assert_num_queries):
    with django_assert_num_queries(3):
        customer = get_customer(world.dave.pk)
        assert [p.normalized for p in customer.contact_points.all()] == ["dave@example.com"]
        assert [m.organisation.name for m in customer.memberships.all()] == ["Acme Ltd"]


@pytest.mark.parametrize("bad_id", [0, -1, 999999, "abc", None])
def test_get_customer_says_not_found_for_bad_ids(world, bad_id):
    with pytest.raises(errors.CustomerNotFound) as caught:
        get_customer(bad_id)
    assert caught.value.code == "not_found"


def test_staff_see_any_customer_but_customers_only_themselves(world):
    assert get_customer_for_user(world.alice, world.fiona.pk) == world.fiona
    assert get_customer_for_user(world.dave_user, world.dave.pk) == world.dave
    for user, customer in ((world.dave_user, world.fiona), (world.erin, world.dave)):
        with pytest.raises(errors.CustomerNotFound):
            get_customer_for_user(user, customer.pk)


def test_organisations_are_listed_for_staff_with_member_counts(world):
    [acme] = list_organisations(world.alice)
    assert acme.member_count == 1 and acme.account_manager == world.carol
    assert list_organisations(world.alice, query="nomatch") == []


def test_members_may_see_their_organisation_and_nobody_else_may(world):
    assert get_organisation_for_user(world.alice, world.acme.pk) == world.acme
    assert get_organisation_for_user(world.dave_user, world.acme.pk) == world.acme
    for user in (world.fiona_user, world.erin):
        with pytest.raises(errors.OrganisationNotFound):
            get_organisation_for_user(user, world.acme.pk)

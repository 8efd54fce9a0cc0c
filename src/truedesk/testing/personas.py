"""The small named world every test can use (healthchecks-style personas).

alice and bob are agents in Technical support; bob is also in Billing; carol
supervises both; dave and fiona are customers with portal logins; erin works
for the partner Travelwise.
"""

from __future__ import annotations

from dataclasses import dataclass

from truedesk.accounts.models import Department, Partner, User
from truedesk.customers.models import ContactPoint, Customer, Membership, Organisation

PASSWORD = "correct-horse-battery"


@dataclass
class World:
    alice: User
    bob: User
    carol: User
    dave_user: User
    dave: Customer
    fiona_user: User
    fiona: Customer
    erin: User
    partner: Partner
    support: Department
    billing: Department
    acme: Organisation


def make_staff(username: str, role: str, full_name: str) -> User:
    first, _, last = full_name.partition(" ")
    user = User(
        username=username,
        kind="staff",
        role=role,
        first_name=first,
        last_name=last,
        email=f"{username}@truedesk.test",
        is_staff=role == "admin",
    )
    user.set_password(PASSWORD)
    user.save()
    return user


def make_customer(username: str, full_name: str, email: str) -> tuple[User, Customer]:
    user = User(
        username=username,
        kind="customer",
        role="",
        email=email,
        first_name=full_name.split()[0],
        last_name=full_name.split()[-1],
    )
    user.set_password(PASSWORD)
    user.save()
    customer = Customer.objects.create(name=full_name, user=user)
    ContactPoint.objects.create(
        customer=customer, kind="email", value=email, normalized=email.lower(), is_primary=True
    )
    return user, customer


def build_world() -> World:
    alice = make_staff("alice", "agent", "Alice Adams")
    bob = make_staff("bob", "agent", "Bob Brown")
    carol = make_staff("carol", "supervisor", "Carol Clark")
    support = Department.objects.create(name="Technical support", slug="support")
    billing = Department.objects.create(name="Billing", slug="billing")
    support.members.add(alice, bob, carol)
    billing.members.add(bob, carol)
    dave_user, dave = make_customer("dave", "Dave Davis", "dave@example.com")
    fiona_user, fiona = make_customer("fiona", "Fiona Fox", "fiona@example.com")
    acme = Organisation.objects.create(name="Acme Ltd", account_manager=carol)
    Membership.objects.create(customer=dave, organisation=acme, title="IT manager")
    partner = Partner.objects.create(name="Travelwise")
    erin = User(
        username="erin",
        kind="partner",
        role="",
        partner=partner,
        first_name="Erin",
        last_name="Evans",
        email="erin@travelwise.test",
    )
    erin.set_password(PASSWORD)
    erin.save()
    return World(
        alice=alice,
        bob=bob,
        carol=carol,
        dave_user=dave_user,
        dave=dave,
        fiona_user=fiona_user,
        fiona=fiona,
        erin=erin,
        partner=partner,
        support=support,
        billing=billing,
        acme=acme,
    )

"""Staff in departments, organisations, and customers with contact points and memberships."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from bench import BENCH_AGENT
from bench.generate.plumbing import Context
from bench.samples import NAMES, ascii_stem
from truedesk.accounts.models import Department, User
from truedesk.customers.models import ContactPoint, Customer, Membership, Organisation, Tier

# A known password so a person can sign in to a generated database and look
# around (`truedesk run` with the same DATABASE_URL); bench data only.
BENCH_PASSWORD = "bench-password-1"

DEPARTMENTS = [  # (slug, name, weight of cases)
    ("support", "Technical support", 35),
    ("billing", "Billing", 25),
    ("orders", "Orders and delivery", 12),
    ("accounts", "Accounts and contracts", 10),
    ("sales", "Sales", 10),
    ("complaints", "Complaints", 8),
]
LANGUAGES = [("lt", 45), ("en", 20), ("ru", 20), ("uk", 15)]
TIME_ZONES = {
    "lt": "Europe/Vilnius",
    "en": "Europe/London",
    "ru": "Europe/Vilnius",
    "uk": "Europe/Kyiv",
}
TIERS = [(Tier.STANDARD, 80), (Tier.SILVER, 12), (Tier.GOLD, 6), (Tier.PLATINUM, 2)]


@dataclass
class Staff:
    """The staff the cases are spread over, by department."""

    bench_agent_id: int
    all_ids: list[int]
    by_department: dict[int, list[int]]  # without the bench agent
    department_ids: list[int]
    department_weights: list[int]
    user_names: dict[int, str]
    department_names: dict[int, str]


@dataclass
class People:
    """The customers, by position: what the case builder needs to know about each."""

    ids: list[int]
    languages: list[str]
    organisations: list[tuple[int, ...]]
    user_ids: list[int | None]  # portal logins


def _person(ctx: Context, language: str) -> tuple[str, str, str]:
    """(first name, last name, ascii email stem) in the language's own script."""
    male_first, female_first, male_last, female_last = NAMES[language]
    female = ctx.rng.random() < 0.5
    first = ctx.rng.choice((female_first if female else male_first).split())
    last = ctx.rng.choice((female_last if female else male_last).split())
    return first, last, f"{ascii_stem(first)}.{ascii_stem(last)}"


def create_staff(ctx: Context, agents: int) -> Staff:
    """The departments, the bench agent in all of them, and agents in one or two each."""
    departments = []
    for slug, name, _weight in DEPARTMENTS:
        department, _ = Department.objects.get_or_create(slug=slug, defaults={"name": name})
        departments.append(department)
    password = make_password(BENCH_PASSWORD)  # hashed once: PBKDF2 per user takes minutes
    users = [
        User(
            username=BENCH_AGENT,
            first_name="Bench",
            last_name="Agent",
            kind="staff",
            role="agent",
            email="bench-agent@example.com",
            password=password,
        )
    ]
    for index in range(2, agents + 1):
        first, last, stem = _person(ctx, ctx.pick([("lt", 70), ("en", 15), ("ru", 15)]))
        role = "supervisor" if index % 10 == 0 else "agent"
        users.append(
            User(
                username=f"agent-{index:03d}",
                first_name=first,
                last_name=last,
                kind="staff",
                role=role,
                email=f"{stem}.{index}@example.com",
                password=password,
            )
        )
    users = ctx.insert(User, users)
    through = Department.members.through
    links = [through(department_id=d.pk, user_id=users[0].pk) for d in departments]
    by_department: dict[int, list[int]] = {d.pk: [] for d in departments}
    for position, user in enumerate(users[1:]):
        homes = {departments[position % len(departments)]}
        if ctx.rng.random() < 0.4:
            homes.add(ctx.rng.choice(departments))
        for department in sorted(homes, key=lambda d: d.pk):
            links.append(through(department_id=department.pk, user_id=user.pk))
            by_department[department.pk].append(user.pk)
    through.objects.bulk_create(links)
    return Staff(
        bench_agent_id=users[0].pk,
        all_ids=[u.pk for u in users],
        by_department=by_department,
        department_ids=[d.pk for d in departments],
        department_weights=[weight for _s, _n, weight in DEPARTMENTS],
        user_names={u.pk: u.display_name for u in users},
        department_names={d.pk: d.name for d in departments},
    )


def create_organisations(ctx: Context, count: int, staff: Staff) -> list[int]:
    """Organisations with made-up names, some with an account manager; returns their ids."""
    first = [
        "Baltic",
        "Nord",
        "Amber",
        "Neris",
        "Vilnius",
        "Kaunas",
        "Green",
        "Rapid",
        "Union",
        "Sigma",
    ]
    second = [
        "Logistics",
        "Foods",
        "Energy",
        "Travel",
        "Software",
        "Clinic",
        "Hotels",
        "Motors",
        "Telecom",
        "Build",
    ]
    forms = ["UAB", "AB", "Ltd", "LLC"]
    combos = len(first) * len(second) * len(forms)
    rows = []
    for index in range(count):
        name = f"{forms[index % 4]} {first[(index // 4) % 10]} {second[(index // 40) % 10]}"
        if index >= combos:
            name += f" {index // combos + 1}"
        manager = ctx.rng.choice(staff.all_ids) if ctx.rng.random() < 0.3 else None
        rows.append(Organisation(name=name, tier=ctx.pick(TIERS), account_manager_id=manager))
    with ctx.bar("organisations", count) as bar:
        return [org.pk for org in ctx.insert(Organisation, rows, bar)]


# (language, first name, last name, email, has a portal login)
_Draft = tuple[str, str, str, str, bool]


def create_customers(ctx: Context, count: int, organisation_ids: list[int]) -> People:
    """Customers with an email each, a phone for most, some in organisations."""
    org_weights = ctx.nprng.lognormal(0.0, 1.0, len(organisation_ids)) if organisation_ids else None
    drafts = _customer_drafts(ctx, count)
    created = _insert_customers(ctx, drafts)
    points, memberships, people = [], [], People([], [], [], [])
    primary_taken: set[int] = set()
    for customer, (language, _first, _last, email, _login) in zip(created, drafts, strict=True):
        points.append(
            ContactPoint(
                customer_id=customer.pk,
                kind="email",
                value=email,
                normalized=email.lower(),
                is_primary=True,
            )
        )
        if ctx.rng.random() < 0.6:
            digits = f"3706{ctx.rng.randrange(10**7):07d}"
            points.append(
                ContactPoint(
                    customer_id=customer.pk, kind="phone", value=f"+{digits}", normalized=digits
                )
            )
        orgs: tuple[int, ...] = ()
        if org_weights is not None and ctx.rng.random() < 0.35:
            size = 2 if ctx.rng.random() < 0.05 else 1
            orgs = tuple(
                dict.fromkeys(ctx.rng.choices(organisation_ids, org_weights.tolist(), k=size))
            )
            for org in orgs:
                memberships.append(
                    Membership(
                        customer_id=customer.pk,
                        organisation_id=org,
                        is_primary_contact=org not in primary_taken,
                    )
                )
                primary_taken.add(org)
        people.ids.append(customer.pk)
        people.languages.append(language)
        people.organisations.append(orgs)
        people.user_ids.append(customer.user_id)
    with ctx.bar("contact points", len(points) + len(memberships)) as bar:
        ctx.insert(ContactPoint, points, bar)
        ctx.insert(Membership, memberships, bar)
    return people


def _customer_drafts(ctx: Context, count: int) -> list[_Draft]:
    """Who the customers are, drawn before any row is written."""
    drafts = []
    for index in range(count):
        language = ctx.pick(LANGUAGES)
        first, last, stem = _person(ctx, language)
        email = f"{stem}.{index + 1}@example.{('com', 'net', 'org')[index % 3]}"
        drafts.append((language, first, last, email, ctx.rng.random() < 0.1))
    return drafts


def _insert_customers(ctx: Context, drafts: list[_Draft]) -> list[Customer]:
    """The portal logins, then the customers linked to them; returns the customers in order."""
    portal_users = [
        User(
            username=email,
            email=email,
            first_name=first,
            last_name=last,
            kind="customer",
            role="",
            language=language,
            password=make_password(None),
        )
        for language, first, last, email, has_login in drafts
        if has_login
    ]
    with ctx.bar("customers", len(drafts)) as bar:
        user_ids = iter(u.pk for u in ctx.insert(User, portal_users))
        rows = [
            Customer(
                name=f"{first} {last}",
                language=language,
                time_zone=TIME_ZONES[language],
                tier=ctx.pick(TIERS),
                user_id=next(user_ids) if has_login else None,
            )
            for language, first, last, email, has_login in drafts
        ]
        return ctx.insert(Customer, rows, bar)

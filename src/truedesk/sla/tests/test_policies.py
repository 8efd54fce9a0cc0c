"""Which policy applies to a case, and who may define one."""

from __future__ import annotations

from datetime import timedelta

import pytest

from truedesk.accounts.errors import NotAllowed
from truedesk.accounts.models import AuditEvent
from truedesk.cases.errors import InvalidInput
from truedesk.sla.actions import save_policy
from truedesk.sla.models import SlaPolicy
from truedesk.sla.selectors import find_policy_for_case, list_active_policies, match_policy


def _match(priority=2, kind="question", tier="standard"):
    return match_policy(list_active_policies(), priority=priority, kind=kind, tier=tier)


def test_the_policy_matching_the_most_criteria_wins(make_policy):
    anything = make_policy(name="Anything")
    urgent = make_policy(name="Urgent", priority=4)
    urgent_complaint = make_policy(name="Urgent complaint", priority=4, case_kind="complaint")

    assert _match(priority=4, kind="complaint") == urgent_complaint
    assert _match(priority=4, kind="question") == urgent
    assert _match(priority=2, kind="complaint") == anything


def test_a_customer_tier_counts_as_a_criterion(make_policy):
    make_policy(name="Anything")
    gold = make_policy(name="Gold customers", customer_tier="gold")

    assert _match(tier="gold") == gold
    assert _match(tier="silver").name == "Anything"


def test_among_equally_close_matches_the_lower_order_wins(make_policy):
    make_policy(name="Later", priority=3, order=20)
    first = make_policy(name="First", case_kind="complaint", order=10)

    assert _match(priority=3, kind="complaint") == first


def test_an_inactive_policy_never_matches(make_policy):
    make_policy(name="Switched off", priority=4, is_active=False)

    assert _match(priority=4) is None


def test_the_policy_for_a_case_uses_its_customers_tier(world, make_policy, make_case):
    world.dave.tier = "platinum"
    world.dave.save()
    platinum = make_policy(name="Platinum", customer_tier="platinum")

    assert find_policy_for_case(make_case()) == platinum


def test_a_policy_states_its_targets_and_warning_point_in_business_time(make_policy):
    policy = make_policy(first_response_minutes=240, warning_percent=80, warning_minutes=30)

    assert policy.target_for("first_response") == timedelta(hours=4)
    assert policy.target_for("resolution") is None
    # 80 % of 4 h is 3 h 12 min; 30 min before the deadline is 3 h 30 min: the earlier wins.
    assert policy.warning_after(timedelta(hours=4)) == timedelta(hours=3, minutes=12)


def test_a_supervisor_saves_a_policy_and_each_change_bumps_its_version(world, make_policy):
    policy = make_policy(name="Standard")
    policy.first_response_minutes = 120

    save_policy(acting_user=world.carol, policy=policy)

    policy.refresh_from_db()
    assert (policy.version, policy.first_response_minutes) == (2, 120)
    actions = list(
        AuditEvent.objects.filter(object_id=str(policy.pk)).values_list("action", flat=True)
    )
    assert sorted(actions) == ["sla_policy.changed", "sla_policy.created"]


def test_an_agent_may_not_define_policies(world):
    with pytest.raises(NotAllowed):
        save_policy(acting_user=world.alice, policy=SlaPolicy(name="Mine", resolution_minutes=60))

    assert not SlaPolicy.objects.exists()


def test_a_policy_without_any_target_is_refused(world):
    with pytest.raises(InvalidInput):
        save_policy(acting_user=world.carol, policy=SlaPolicy(name="Empty"))


def test_a_warning_at_the_whole_target_is_refused(world):
    with pytest.raises(InvalidInput) as refused:
        save_policy(
            acting_user=world.carol,
            policy=SlaPolicy(name="Late", resolution_minutes=60, warning_percent=100),
        )

    assert refused.value.field == "warning_percent"

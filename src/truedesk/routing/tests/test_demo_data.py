"""Routing in the demo right after `truedesk demo`: skills, a lapsed certification, a held case."""

from __future__ import annotations

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import time_machine
from django.core.management import call_command
from django.test import TestCase, override_settings

from truedesk.accounts.models import User
from truedesk.cases.models import CaseEvent
from truedesk.routing import selectors
from truedesk.routing.models import AgentPresence, RoutingItem, Skill

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A working Wednesday morning: support is open and the day shift is on.
WEDNESDAY = datetime(2026, 3, 4, 15, 0, tzinfo=ZoneInfo("Europe/Vilnius"))


@time_machine.travel(WEDNESDAY)
class TestRoutingInTheDemo(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
            call_command("demo", stdout=StringIO(), stderr=StringIO())

    def test_bobs_fibre_certification_lapsed_and_alices_is_on_the_watch_list(self):
        fibre = Skill.objects.get(code="fibre")
        bob = User.objects.get(username="bob")
        alice = User.objects.get(username="alice")
        assert bob.training_records.filter(module__name="Fibre installation").exists()
        assert not selectors.agent_has_skill(bob, fibre)
        assert selectors.agent_has_skill(alice, fibre)
        expiring = {r.agent.username for r in selectors.list_expiring_records()}
        assert "alice" in expiring and "bob" not in expiring

    def test_presence_is_set_and_a_case_waits_with_its_reason_on_the_page(self):
        assert AgentPresence.objects.get(agent__username="alice").status == "available"
        item = RoutingItem.objects.get(
            case__subject="Fibre drops every evening after the router update"
        )
        assert item.state == "waiting"
        assert item.reason == "missing_skill"
        assert CaseEvent.objects.filter(case=item.case, kind="case_held").exists()
        self.client.force_login(User.objects.get(username="carol"))
        page = self.client.get("/desk/routing/").content.decode()
        assert "Fibre drops every evening" in page
        assert "Held:" in page

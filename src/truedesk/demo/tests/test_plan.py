from __future__ import annotations

from datetime import datetime, timedelta

from truedesk.demo import content
from truedesk.demo.plan import LOCAL, MARGIN, all_stories, schedule
from truedesk.demo.script import CaseStory, Opened, reply

# A Wednesday morning, local time.
NOW = datetime(2025, 3, 12, 8, 0, tzinfo=LOCAL)


def story(opened: Opened, *steps) -> CaseStory:
    return CaseStory(key="s", customer="dave", subject="s", body="b", opened=opened,
                     steps=steps)  # fmt: skip


def test_the_same_content_makes_the_same_stories():
    assert all_stories() == all_stories()


def test_nothing_is_planned_after_now_and_every_story_runs_in_order():
    timed = schedule(all_stories(), NOW)

    assert max(item.at for item in timed) <= NOW - MARGIN
    by_story: dict[str, list] = {}
    for item in timed:
        by_story.setdefault(item.story.key, []).append(item)
    for items in by_story.values():
        assert items[0].step is None
        assert [item.at for item in items] == sorted(item.at for item in items)


def test_a_story_for_later_today_moves_back_a_day_keeping_its_time():
    planned = schedule([story(Opened(days_ago=0, at="10:05"), reply(1, "alice", "hi"))], NOW)

    opened = planned[0].at.astimezone(LOCAL)
    assert (opened.date(), opened.hour, opened.minute) == (NOW.date() - timedelta(days=1), 10, 5)


def test_stories_open_on_workdays_unless_anchored_to_a_weekday():
    sunday = schedule([story(Opened(days_ago=3))], NOW)[0].at
    anchored = schedule([story(Opened(days_ago=3, weekday=6))], NOW)[0].at

    assert sunday.astimezone(LOCAL).weekday() == 4
    assert anchored.astimezone(LOCAL).weekday() == 6


def test_sergeis_week_starts_on_a_monday_and_his_saturday_call_falls_on_saturday():
    timed = [item for item in schedule(all_stories(), NOW) if item.story.key == "sergei_runaround"]

    assert timed[0].at.astimezone(LOCAL).weekday() == 0
    bob_call = next(item for item in timed if item.step and item.step.actor == "bob")
    assert bob_call.at.astimezone(LOCAL).weekday() == 5


def test_everyday_cases_go_to_customers_who_could_have_written_them():
    people = {person.key: person for person in content.CUSTOMERS}
    vignettes = {vignette.subject: vignette for vignette in content.VIGNETTES}
    for made in all_stories():
        vignette = vignettes.get(made.subject)
        if vignette is None or not made.key.startswith("vignette_"):
            continue
        person = people[made.customer]
        assert person.language == vignette.language
        assert vignette.speaker in ("", person.gender), made.subject
        assert not (vignette.home and person.organisation), made.subject

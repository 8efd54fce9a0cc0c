"""Calendar fixtures: a Vilnius office calendar made through the real action."""

from datetime import time

import pytest

from truedesk.calendars.actions import create_calendar

OFFICE_HOURS = {day: [(time(8), time(17))] for day in range(5)}


@pytest.fixture
def office(world):
    """Mon-Fri 08:00-17:00 Europe/Vilnius with Lithuanian public holidays, by carol."""
    return create_calendar(
        acting_user=world.carol,
        name="Vilnius office",
        time_zone="Europe/Vilnius",
        country="LT",
        hours=OFFICE_HOURS,
    )

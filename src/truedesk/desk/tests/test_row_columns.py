"""Every table row has as many cells as its table's header, the SLA column included."""

from __future__ import annotations

import re

import pytest

from truedesk.sla import actions as sla_actions
from truedesk.sla.models import SlaPolicy

CELL = re.compile(r"<td(?: colspan=\"(\d+)\")?[ >]")


def _width(row: str) -> int:
    return sum(int(span or 1) for span in CELL.findall(row))


def _header_and_rows(page: str) -> tuple[int, list[str]]:
    table = page[page.index("<table") : page.index("</table>")]
    header = table[table.index("<thead>") : table.index("</thead>")].count("<th ")
    rows = re.findall(r"<tr id=.*?</tr>", table, flags=re.S)
    return header, rows


@pytest.mark.parametrize("with_sla", [False, True])
def test_a_taken_queue_row_spans_the_whole_table(world, make_case, client_for, with_sla):
    if with_sla:
        sla_actions.save_policy(
            acting_user=world.carol,
            policy=SlaPolicy(name="Any", first_response_minutes=60, resolution_minutes=600),
        )
    case = make_case(acting_user=world.dave_user)
    sla_actions.sync_case_clocks(case_id=case.pk)
    client = client_for(world.alice)

    header, rows = _header_and_rows(client.get("/desk/queue/support/").content.decode())
    assert [_width(row) for row in rows] == [header]
    form = dict(re.findall(r'name="(view|sla_column|next)" value="([^"]*)"', rows[0]))
    answer = client.post(f"/desk/cases/{case.number}/take/", form, HTTP_HX_REQUEST="true")

    assert answer.status_code == 200
    assert "Taken by you" in answer.content.decode()
    assert _width(answer.content.decode()) == header


def test_the_home_table_rows_match_their_header(world, make_case, client_for):
    sla_actions.save_policy(
        acting_user=world.carol,
        policy=SlaPolicy(name="Any", first_response_minutes=60, resolution_minutes=600),
    )
    case = make_case(owner=world.alice)
    sla_actions.sync_case_clocks(case_id=case.pk)
    page = client_for(world.alice).get("/desk/").content.decode()
    table = page[page.index('<table class="cases"') :]
    table = table[: table.index("</table>")]
    header = table[: table.index("</thead>")].count("<th ")
    rows = re.findall(r"<tr>\s*<td.*?</tr>", table, flags=re.S)
    assert rows and all(_width(row) == header for row in rows)

import pytest

from truedesk.accounts.models import Partner
from truedesk.lib.sweeps import for_each_due


@pytest.mark.django_db
def test_each_due_row_is_stepped_once_and_a_failing_row_does_not_stop_the_rest(caplog):
    for name in ("a", "b", "c", "d", "e"):
        Partner.objects.create(name=name)
    settled: set[int] = set()
    bad = Partner.objects.get(name="c").pk

    def due():
        return Partner.objects.exclude(pk__in=settled).order_by("pk")

    def step(pk: int) -> bool:
        if pk == bad:
            raise RuntimeError("broken row")
        settled.add(pk)
        return True

    assert for_each_due(due, step, batch=2, what="test") == 4
    assert bad not in settled and len(settled) == 4
    assert "test sweep step step failed" in caplog.text

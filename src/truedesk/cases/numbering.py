"""Case numbers: short, human-readable, never duplicated under parallel creation."""

from __future__ import annotations

from django.db import connection
from django.db.models import F, Max

from truedesk.cases.models import Case, CaseNumberCounter


def next_case_number() -> int:
    """Return a fresh case number; must be called inside the creating transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval('cases_case_number_seq')")
            return int(cursor.fetchone()[0])
    # SQLite has no sequences. The UPDATE takes the database write lock, so the
    # read that follows sees this transaction's own increment and no other.
    if not CaseNumberCounter.objects.filter(pk=1).update(value=F("value") + 1):
        # The row is missing only after a wholesale table flush (tests, a
        # restore): carry on after the highest number ever handed out.
        highest = Case.objects.aggregate(highest=Max("number"))["highest"] or 999
        CaseNumberCounter.objects.create(pk=1, value=highest + 1)
    return int(CaseNumberCounter.objects.values_list("value", flat=True).get(pk=1))

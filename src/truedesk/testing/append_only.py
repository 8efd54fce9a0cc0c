"""Let SQLite test flushes empty the append-only tables.

PostgreSQL test teardown uses TRUNCATE, which row triggers do not see. SQLite
flushes with DELETE, which the append-only triggers refuse, so around
transactional tests the DELETE triggers are dropped just before the flush and
recreated before the next test.
"""

from __future__ import annotations

from django.db import connection

APPEND_ONLY_TABLES = {
    "cases_caseevent": "case events are append-only",
    "accounts_auditevent": "audit events are append-only",
}


def restore_delete_triggers() -> None:
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for table, message in APPEND_ONLY_TABLES.items():
            cursor.execute(
                f"CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )


def drop_delete_triggers() -> None:
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for table in APPEND_ONLY_TABLES:
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")

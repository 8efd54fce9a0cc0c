"""Audit events are append-only in the database itself.

Triggers refuse UPDATE and DELETE on accounts_auditevent, so even a raw SQL
write or an admin mistake cannot rewrite who changed what (same pattern as
cases/migrations/0002 for case events).
"""

from django.db import migrations


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            """
            CREATE OR REPLACE FUNCTION accounts_auditevent_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'audit events are append-only';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        for op in ("UPDATE", "DELETE"):
            schema_editor.execute(
                f"CREATE TRIGGER accounts_auditevent_no_{op.lower()} BEFORE {op} "
                "ON accounts_auditevent "
                "FOR EACH ROW EXECUTE FUNCTION accounts_auditevent_append_only()"
            )
    elif vendor == "sqlite":
        for op in ("UPDATE", "DELETE"):
            schema_editor.execute(
                f"CREATE TRIGGER accounts_auditevent_no_{op.lower()} BEFORE {op} "
                "ON accounts_auditevent "
                "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"
            )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for op in ("update", "delete"):
        if vendor == "postgresql":
            schema_editor.execute(
                f"DROP TRIGGER IF EXISTS accounts_auditevent_no_{op} ON accounts_auditevent"
            )
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS accounts_auditevent_no_{op}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS accounts_auditevent_append_only()")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_alter_user_managers_auditevent")]
    operations = [migrations.RunPython(forwards, backwards)]

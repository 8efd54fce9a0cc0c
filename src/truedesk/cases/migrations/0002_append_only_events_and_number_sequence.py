"""Database-level guarantees the ORM cannot give on its own.

* case events are append-only: triggers refuse UPDATE and DELETE, so even a
  raw SQL write or an admin mistake cannot rewrite the audit trail;
* case numbers come from a PostgreSQL sequence (no lock, no duplicates under
  parallel creation); SQLite serialises writers and uses a counter row.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("CREATE SEQUENCE IF NOT EXISTS cases_case_number_seq START 1000")
        schema_editor.execute(
            """
            CREATE OR REPLACE FUNCTION cases_caseevent_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'case events are append-only';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        for op in ("UPDATE", "DELETE"):
            schema_editor.execute(
                f"CREATE TRIGGER cases_caseevent_no_{op.lower()} BEFORE {op} ON cases_caseevent "
                "FOR EACH ROW EXECUTE FUNCTION cases_caseevent_append_only()"
            )
    elif vendor == "sqlite":
        apps.get_model("cases", "CaseNumberCounter").objects.create(pk=1, value=999)
        for op in ("UPDATE", "DELETE"):
            schema_editor.execute(
                f"CREATE TRIGGER cases_caseevent_no_{op.lower()} BEFORE {op} ON cases_caseevent "
                "BEGIN SELECT RAISE(ABORT, 'case events are append-only'); END"
            )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for op in ("update", "delete"):
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS cases_caseevent_no_{op} ON cases_caseevent")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS cases_caseevent_no_{op}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS cases_caseevent_append_only()")
        schema_editor.execute("DROP SEQUENCE IF EXISTS cases_case_number_seq")


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]

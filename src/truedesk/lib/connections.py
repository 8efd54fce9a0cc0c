"""Database connections of the long-running processes (`truedesk worker`, `truedesk smtpd`)."""

from __future__ import annotations

from django.db import connections

# How long a long-running process keeps a database connection open between uses.
LONG_RUNNING_CONN_MAX_AGE = 600


def keep_connections_open(max_age: int = LONG_RUNNING_CONN_MAX_AGE) -> None:
    """Reuse database connections across tasks and messages in this process.

    With the web's default CONN_MAX_AGE of 0 every `close_old_connections()`
    (once per task in the worker, once per stored message in the SMTP receiver)
    closes the connection, so each task or message paid for a new PostgreSQL
    backend. A process that opts in keeps its connections for `max_age` seconds
    unless DATABASE_CONN_MAX_AGE asks for longer, with health checks, so a
    connection that broke (the database restarted) is still dropped and reopened
    before its next use. Call it once, before the first query.
    """
    for alias in connections:
        settings_dict = connections.settings[alias]
        age = settings_dict.get("CONN_MAX_AGE")
        if age is not None and age < max_age:
            settings_dict["CONN_MAX_AGE"] = max_age
        settings_dict["CONN_HEALTH_CHECKS"] = True
    # A connection opened before this call keeps its old deadline: let it go.
    connections.close_all()

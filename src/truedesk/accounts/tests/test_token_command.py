from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from truedesk.accounts.models import ApiToken, AuditEvent
from truedesk.accounts.tokens import authenticate_api_token


def run(*args, stderr=None):
    out = StringIO()
    call_command("token", *args, stdout=out, stderr=stderr or StringIO())
    return out.getvalue()


def test_create_prints_only_the_token_on_stdout_and_expiry_and_warning_on_stderr(world):
    notes = StringIO()
    output = run("create", "--user", "alice", "--name", "ci", "--days", "30", stderr=notes)
    raw = output.strip()
    assert raw.startswith("td_") and "\n" not in raw
    assert authenticate_api_token(raw) == world.alice
    assert "expires" in notes.getvalue()
    assert "cannot be shown again" in notes.getvalue()
    token = ApiToken.objects.get(user=world.alice, name="ci")
    assert (token.expires_at - token.created_at).days == 30


def test_create_is_audited_as_the_command_line(world):
    run("create", "--user", "alice", "--name", "ci")
    event = AuditEvent.objects.get(action="api_token.minted")
    assert event.actor is None
    assert event.actor_label == "cli"


def test_create_for_an_unknown_user_fails_clearly(world):
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        run("create", "--user", "nobody", "--name", "ci")


def test_create_with_a_duplicate_name_fails_clearly(world):
    run("create", "--user", "alice", "--name", "ci")
    with pytest.raises(CommandError, match="already has a token with that name"):
        run("create", "--user", "alice", "--name", "ci")


def test_create_with_a_bad_lifetime_fails_clearly(world):
    with pytest.raises(CommandError, match="between 1 and 3650 days"):
        run("create", "--user", "alice", "--name", "ci", "--days", "0")


def test_list_shows_names_and_status_but_never_the_secret(world):
    raw = run("create", "--user", "alice", "--name", "ci").splitlines()[0]
    run("create", "--user", "alice", "--name", "old")
    run("revoke", "--user", "alice", "--name", "old")
    output = run("list", "--user", "alice")
    lines = output.splitlines()
    assert any(line.startswith("ci\t") and "active" in line for line in lines)
    assert any(line.startswith("old\t") and "revoked" in line for line in lines)
    assert raw.split("_", 2)[2] not in output


def test_list_says_when_there_are_no_tokens(world):
    assert "has no API tokens" in run("list", "--user", "bob")


def test_revoke_stops_the_token_working(world):
    raw = run("create", "--user", "alice", "--name", "ci").splitlines()[0]
    output = run("revoke", "--user", "alice", "--name", "ci")
    assert "Revoked" in output
    assert authenticate_api_token(raw) is None


def test_revoke_of_an_unknown_token_name_fails_clearly(world):
    with pytest.raises(CommandError, match="has no token named 'ci'"):
        run("revoke", "--user", "alice", "--name", "ci")


def test_revoke_twice_fails_clearly(world):
    run("create", "--user", "alice", "--name", "ci")
    run("revoke", "--user", "alice", "--name", "ci")
    with pytest.raises(CommandError, match="already been revoked"):
        run("revoke", "--user", "alice", "--name", "ci")

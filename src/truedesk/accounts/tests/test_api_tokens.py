import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection

from truedesk.accounts import errors
from truedesk.accounts.actions import SystemActor, mint_api_token, revoke_api_token
from truedesk.accounts.models import ApiToken, AuditEvent
from truedesk.accounts.selectors import list_api_tokens
from truedesk.accounts.tokens import authenticate_api_token, find_usable_api_token, token_digest

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_minted_token_has_the_documented_format_and_at_least_128_random_bits(world):
    token, raw = mint_api_token(acting_user=world.alice, user=world.alice, name="ci")
    match = re.fullmatch(r"td_([0-9a-f]{8})_([A-Za-z0-9_-]+)", raw)
    assert match is not None
    assert match.group(1) == token.prefix
    assert len(match.group(2)) * 6 >= 128


def test_the_database_never_contains_the_plaintext_token(world):
    token, raw = mint_api_token(acting_user=world.alice, user=world.alice, name="ci")
    secret = raw.split("_", 2)[2]
    token.refresh_from_db()
    assert token.digest == token_digest(raw)
    stored = [str(value) for row in ApiToken.objects.values_list() for value in row] + [
        str(row.data) for row in AuditEvent.objects.all()
    ]
    assert not any(secret in value for value in stored)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM accounts_apitoken WHERE digest = %s", [raw])
        assert cursor.fetchone()[0] == 0


def test_a_minted_token_authenticates_its_user(world):
    _token, raw = mint_api_token(acting_user=world.alice, user=world.alice, name="ci")
    assert authenticate_api_token(raw) == world.alice


@pytest.mark.parametrize(
    "mangle",
    [
        lambda raw: raw[:-1] + ("A" if raw[-1] != "A" else "B"),
        lambda raw: "",
        lambda raw: "td_zzzzzzzz_secret",
        lambda raw: raw.replace("td_", "xx_", 1),
        lambda raw: raw + "x" * 200,
        lambda raw: "Bearer " + raw,
    ],
)
def test_a_wrong_or_malformed_token_authenticates_nobody(world, mangle):
    _token, raw = mint_api_token(acting_user=world.alice, user=world.alice, name="ci")
    assert authenticate_api_token(mangle(raw)) is None


def test_a_token_stops_working_when_it_expires(world):
    with time_machine.travel(NOW, tick=False):
        token, raw = mint_api_token(acting_user=world.alice, user=world.alice, name="ci", days=30)
    assert token.expires_at == NOW + timedelta(days=30)
    with time_machine.travel(NOW + timedelta(days=29, hours=23), tick=False):
        assert authenticate_api_token(raw) == world.alice
    with time_machine.travel(NOW + timedelta(days=30), tick=False):
        assert authenticate_api_token(raw) is None


def test_the_default_lifetime_comes_from_settings(world, settings):
    settings.API_TOKEN_DEFAULT_DAYS = 7
    with time_machine.travel(NOW, tick=False):
        token, _raw = mint_api_token(acting_user=world.alice, user=world.alice, name="ci")
    assert token.expires_at == NOW + timedelta(days=7)


def test_a_revoked_token_is_refused_at_once(world):
    token, raw = mint_api_token(acting_user=world.alice, user=world.alice, name="ci")
    revoke_api_token(acting_user=world.alice, token=token)
    assert authenticate_api_token(raw) is None
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_a_deactivated_users_token_is_refused(world):
    _token, raw = mint_api_token(acting_user=world.alice, user=world.alice, name="ci")
    world.alice.is_active = False
    world.alice.save()
    assert authenticate_api_token(raw) is None


def test_last_used_is_written_at_most_once_a_minute(world, django_assert_num_queries):
    with time_machine.travel(NOW, tick=False):
        token, raw = mint_api_token(acting_user=world.alice, user=world.alice, name="ci")
        with django_assert_num_queries(2):  # lookup + first stamp
            assert find_usable_api_token(raw) is not None
    with (
        time_machine.travel(NOW + timedelta(seconds=30), tick=False),
        django_assert_num_queries(1),  # lookup only
    ):
        assert find_usable_api_token(raw) is not None
    assert ApiToken.objects.get(pk=token.pk).last_used_at == NOW
    with time_machine.travel(NOW + timedelta(seconds=61), tick=False):
        find_usable_api_token(raw)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == NOW + timedelta(seconds=61)


def test_tokens_with_the_same_prefix_are_told_apart_by_digest(world):
    first, raw_first = mint_api_token(acting_user=world.alice, user=world.alice, name="one")
    _second, raw_second = mint_api_token(acting_user=world.bob, user=world.bob, name="two")
    # Force a prefix collision between two users' tokens.
    ApiToken.objects.exclude(pk=first.pk).update(prefix=first.prefix)
    forged_second = f"td_{first.prefix}_{raw_second.split('_', 2)[2]}"
    ApiToken.objects.exclude(pk=first.pk).update(digest=token_digest(forged_second))
    assert authenticate_api_token(raw_first) == world.alice
    assert authenticate_api_token(forged_second) == world.bob


def test_minting_writes_an_audit_row_without_the_secret(world):
    token, raw = mint_api_token(acting_user=world.alice, user=world.alice, name="ci")
    event = AuditEvent.objects.get(action="api_token.minted")
    assert event.actor == world.alice
    assert event.object_id == str(token.pk)
    assert event.data["prefix"] == token.prefix
    assert raw not in str(event.data)


def test_an_admin_may_mint_for_someone_else(world):
    admin = world.carol
    admin.role = "admin"
    admin.save()
    token, _raw = mint_api_token(acting_user=admin, user=world.alice, name="ci")
    assert token.user == world.alice


def test_another_agent_may_not_mint_or_revoke_for_you(world):
    with pytest.raises(errors.NotAllowed):
        mint_api_token(acting_user=world.bob, user=world.alice, name="ci")
    token, _raw = mint_api_token(acting_user=world.alice, user=world.alice, name="ci")
    with pytest.raises(errors.NotAllowed):
        revoke_api_token(acting_user=world.bob, token=token)
    with pytest.raises(errors.NotAllowed):
        revoke_api_token(acting_user=world.carol, token=token)  # supervisors are not admins
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_no_token_is_minted_for_a_deactivated_user(world):
    world.alice.is_active = False
    world.alice.save()
    with pytest.raises(errors.NotAllowed):
        mint_api_token(acting_user=SystemActor("cli"), user=world.alice, name="ci")


def test_token_names_are_unique_per_user(world):
    mint_api_token(acting_user=world.alice, user=world.alice, name="ci")
    with pytest.raises(errors.TokenNameTaken) as caught:
        mint_api_token(acting_user=world.alice, user=world.alice, name=" ci ")
    assert caught.value.code == "token_name_taken"
    mint_api_token(acting_user=world.bob, user=world.bob, name="ci")


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_token_needs_a_sensible_name(world, name):
    with pytest.raises(errors.InvalidTokenName):
        mint_api_token(acting_user=world.alice, user=world.alice, name=name)


@pytest.mark.parametrize("days", [0, -1, 3651])
def test_token_lifetime_is_bounded(world, days):
    with pytest.raises(errors.InvalidTokenLifetime):
        mint_api_token(acting_user=world.alice, user=world.alice, name="ci", days=days)


def test_revoking_twice_says_it_is_already_revoked(world):
    token, _raw = mint_api_token(acting_user=world.alice, user=world.alice, name="ci")
    revoke_api_token(acting_user=world.alice, token=token)
    with pytest.raises(errors.TokenAlreadyRevoked):
        revoke_api_token(acting_user=world.alice, token=token)
    assert AuditEvent.objects.filter(action="api_token.revoked").count() == 1


def test_listing_shows_the_users_tokens_newest_first(world):
    with time_machine.travel(NOW, tick=False):
        mint_api_token(acting_user=world.alice, user=world.alice, name="old")
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        mint_api_token(acting_user=world.alice, user=world.alice, name="new")
    mint_api_token(acting_user=world.bob, user=world.bob, name="bobs")
    assert [token.name for token in list_api_tokens(world.alice)] == ["new", "old"]

"""`truedesk token create|list|revoke`: manage API tokens from the server's shell."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from truedesk.accounts import actions, selectors
from truedesk.accounts.errors import DomainError
from truedesk.accounts.models import ApiToken, User

# Whoever runs this has a shell on the server, so the command acts as the
# system operator; the audit trail records it as "cli".
OPERATOR = actions.SystemActor(label="cli")


class Command(BaseCommand):
    help = _("Create, list and revoke API tokens.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        create = sub.add_parser("create", help=_("Issue a token and print it once."))
        create.add_argument("--user", required=True, help=_("User name of the token's owner."))
        create.add_argument("--name", required=True, help=_("A name to recognise the token by."))
        create.add_argument("--days", type=int, default=None, help=_("Lifetime in days."))
        listing = sub.add_parser("list", help=_("List a user's tokens (never their secrets)."))
        listing.add_argument("--user", required=True)
        revoke = sub.add_parser("revoke", help=_("Revoke a token at once."))
        revoke.add_argument("--user", required=True)
        revoke.add_argument("--name", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        user = selectors.find_user_by_username(options["user"])
        if user is None:
            raise CommandError(_("No user named %(name)r.") % {"name": options["user"]})
        try:
            if options["subcommand"] == "create":
                self._create(user, options["name"], options["days"])
            elif options["subcommand"] == "list":
                self._list(user)
            else:
                self._revoke(user, options["name"])
        except DomainError as exc:
            raise CommandError(exc.message) from None

    def _create(self, user: User, name: str, days: int | None) -> None:
        token, raw = actions.mint_api_token(acting_user=OPERATOR, user=user, name=name, days=days)
        # The token alone goes to stdout so scripts can capture it with $(...);
        # the notes for the person go to stderr.
        self.stdout.write(raw)
        self.stderr.write(
            _("Token %(name)r for %(user)s expires %(expires)s.")
            % {"name": token.name, "user": user.username, "expires": _iso(token.expires_at)},
            style_func=str,
        )
        self.stderr.write(
            self.style.WARNING(_("Copy it now: it is not stored and cannot be shown again."))
        )

    def _list(self, user: User) -> None:
        tokens = selectors.list_api_tokens(user)
        if not tokens:
            self.stdout.write(_("%(user)s has no API tokens.") % {"user": user.username})
            return
        for token in tokens:
            self.stdout.write(
                "\t".join(
                    [
                        token.name,
                        f"td_{token.prefix}_…",
                        _status(token),
                        _("created %(when)s") % {"when": _iso(token.created_at)},
                        _("expires %(when)s") % {"when": _iso(token.expires_at)},
                        _("last used %(when)s")
                        % {"when": _iso(token.last_used_at) if token.last_used_at else _("never")},
                    ]
                )
            )

    def _revoke(self, user: User, name: str) -> None:
        token = selectors.find_api_token(user=user, name=name)
        if token is None:
            raise CommandError(
                _("%(user)s has no token named %(name)r.") % {"user": user.username, "name": name}
            )
        actions.revoke_api_token(acting_user=OPERATOR, token=token)
        self.stdout.write(
            _("Revoked token %(name)r of %(user)s.") % {"name": token.name, "user": user.username}
        )


def _status(token: ApiToken) -> str:
    if token.revoked_at is not None:
        return _("revoked")
    if token.expires_at <= timezone.now():
        return _("expired")
    return _("active")


def _iso(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z")

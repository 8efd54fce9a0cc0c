"""`truedesk demo`: build a believable service organisation and print its logins."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm

from truedesk.demo.build import (
    DEFAULT_PASSWORD,
    DemoContentError,
    DemoLogin,
    Entry,
    build_demo,
    database_is_empty,
    demo_exists,
    list_demo_logins,
    password_opens_demo,
    password_problems,
)


class Command(BaseCommand):
    help = _(
        "Build a demo service organisation (departments, agents, customers, organisations and "
        "cases in four languages) and print its logins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=_(
                "Build only on an empty database; when the demo is already there, just print "
                "its logins."
            ),
        )
        parser.add_argument(
            "--password",
            default=None,
            help=_("Password for every demo login (default: %(default)s).")
            % {"default": DEFAULT_PASSWORD},
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = options["password"] or DEFAULT_PASSWORD
        if demo_exists():
            if not options["if_empty"]:
                raise CommandError(
                    _(
                        "This database already has the demo logins (alice, bob, carol…). Use "
                        "--if-empty to keep them, or start from an empty database."
                    )
                )
            self.stdout.write(_("The demo is already there; nothing to do."))
            known = password if password_opens_demo(password) else None
            self._print_logins(list_demo_logins(), known)
            return
        if options["if_empty"] and not database_is_empty():
            self.stdout.write(
                _("The database already holds other data; --if-empty leaves it alone.")
            )
            return
        problems = password_problems(password)
        if problems:
            raise CommandError(_("Choose another password: %(problems)s") % {
                "problems": " ".join(problems)})  # fmt: skip
        started = time.monotonic()
        try:
            summary = build_demo(password=password, progress=_progress_bar)
        except DemoContentError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Built the demo in %(seconds).1f s: %(cases)d cases, %(customers)d "
                    "customers, %(interactions)d interactions."
                )
                % {
                    "seconds": time.monotonic() - started,
                    "cases": summary.cases,
                    "customers": summary.customers,
                    "interactions": summary.interactions,
                }
            )
        )
        self._print_logins(summary.logins, password)

    def _print_logins(self, logins: list[DemoLogin], password: str | None) -> None:
        header = (_("User name"), _("Name"), _("Role"), _("Sign in at"))
        rows = [header, *((login.username, login.name, login.role, login.url) for login in logins)]
        widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
        self.stdout.write("")
        for number, row in enumerate(rows):
            cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            line = "  ".join(cells).rstrip()
            self.stdout.write(self.style.MIGRATE_HEADING(line) if number == 0 else line)
        self.stdout.write("")
        if password is None:
            self.stdout.write(
                _("Every demo login shares the password chosen when the demo was built.")
            )
        else:
            self.stdout.write(
                _("Every demo login uses the password: %(password)s") % {"password": password}
            )


def _progress_bar(entries: list[Entry]) -> Iterable[Entry]:
    # To the terminal only: disable=None turns the bar off when stderr is not a
    # terminal (logs, CI, tests).
    return tqdm(entries, desc=_("Building the demo"), unit=_("step"), file=sys.stderr,
                disable=None, leave=False)  # fmt: skip

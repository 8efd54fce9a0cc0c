"""`truedesk fetchmail`: poll the IMAP mailboxes configured in the admin."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils.translation import gettext as _

from truedesk.channels.email.imap import poll_all


class Command(BaseCommand):
    help = _("Fetch new mail from the configured IMAP mailboxes (once, or every --every seconds).")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--every", type=float, default=0, help=_("Keep polling, this many seconds apart.")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        every = max(0.0, float(options["every"]))
        while True:
            close_old_connections()
            results = poll_all()
            if not results:
                self.stdout.write(_("No mailbox is set up for IMAP polling (see the admin)."))
            for result in results:
                line = _("%(mailbox)s: %(stored)d stored, %(failed)d failed") % {
                    "mailbox": result.mailbox, "stored": result.stored, "failed": result.failed,
                }  # fmt: skip
                if result.error:
                    self.stderr.write(f"{line}; {result.error}")
                else:
                    self.stdout.write(line)
            if not every:
                return
            time.sleep(every)

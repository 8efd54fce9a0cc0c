"""`truedesk smtpd --host H --port P`: receive mail from the company's MTA and store it."""

from __future__ import annotations

import signal
import threading
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from truedesk.channels.email.smtp_receiver import make_receiver
from truedesk.channels.email.store import store_dir
from truedesk.lib.connections import keep_connections_open


class Command(BaseCommand):
    help = _("Receive email over SMTP (behind your MTA); 250 only after it is stored durably.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help=_("Address to listen on."))
        parser.add_argument("--port", type=int, default=2525, help=_("Port to listen on."))

    def handle(self, *args: Any, **options: Any) -> None:
        port = options["port"]
        if not 0 < port < 65536:
            raise CommandError(_("The port must be between 1 and 65535."))
        try:
            store_dir().mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CommandError(_("Cannot use the mail store: %(error)s") % {"error": exc}) from None
        keep_connections_open()  # one connection per receiving thread, not one per message
        receiver = make_receiver(options["host"], port)
        stop = threading.Event()

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stop.set()

        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, on_signal)
        try:
            receiver.start()
        except (OSError, RuntimeError) as exc:
            raise CommandError(
                _("Cannot listen on %(host)s:%(port)s: %(error)s")
                % {"host": options["host"], "port": port, "error": exc}
            ) from None
        self.stdout.write(
            _("Receiving mail on %(host)s:%(port)s; storing in %(dir)s")
            % {"host": options["host"], "port": port, "dir": store_dir()},
        )
        self.stdout.flush()
        try:
            stop.wait()
        finally:
            receiver.stop()

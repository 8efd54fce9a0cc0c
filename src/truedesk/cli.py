"""The `truedesk` command: every Django management command, plus Truedesk's own.

Truedesk's commands (`run`, `worker`, `demo`, `token`, `erlang`, …) are
management commands in the apps, so `truedesk help` lists them all.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "truedesk.config.settings")
    from django.core.exceptions import ImproperlyConfigured

    try:
        from django.core.management import execute_from_command_line

        args = sys.argv[1:] if argv is None else argv
        # `truedesk check-promises` runs the check_promises command.
        args = [args[0].replace("-", "_"), *args[1:]] if args and args[0][:1] != "-" else args
        execute_from_command_line(["truedesk", *args])
    except ImproperlyConfigured as exc:
        # Bad configuration is reported as one clear line, not a traceback.
        print(f"truedesk: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()

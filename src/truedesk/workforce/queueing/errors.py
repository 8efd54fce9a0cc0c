"""The one error the queueing engine raises: a request that has no meaningful answer."""

from __future__ import annotations

from typing import Any


def gettext_noop(message: str) -> str:
    """Mark a message for translation without importing Django (the engine stays pure).

    `makemessages` extracts calls by this name; interfaces translate `template` themselves.
    """
    return message


class QueueingInputError(ValueError):
    """Inputs that are impossible or out of range, with a message a planner can act on.

    `template` is an untranslated %-format string and `params` its values, so an
    interface can show `gettext(template) % params`; `str(error)` is the English text.
    """

    def __init__(self, template: str, **params: Any) -> None:
        self.template = template
        self.params = params
        super().__init__(template % params)

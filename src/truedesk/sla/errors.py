"""Domain errors of the SLA app.

SLA actions and selectors raise the case errors they share with cases,
re-exported here: `NotAllowed` (403), `NotFound` (404, existence never
revealed), `InvalidInput` (422, with `field`).
"""

from __future__ import annotations

from truedesk.cases.errors import InvalidInput, NotAllowed, NotFound

__all__ = ["InvalidInput", "NotAllowed", "NotFound"]

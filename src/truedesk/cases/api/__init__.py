"""REST API v1 for cases, their interactions, transfers, links, merges and attachments.

`router` is mounted at /cases, `transfers_router` at /transfers and
`attachments_router` at /attachments (see truedesk.api.v1).
"""

from truedesk.cases.api.attachments import attachments_router
from truedesk.cases.api.cases import router
from truedesk.cases.api.transfers import transfers_router

__all__ = ["attachments_router", "router", "transfers_router"]

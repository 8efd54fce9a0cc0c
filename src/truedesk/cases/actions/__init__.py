"""Every write to a case: opening, ownership, replies, notes, transfers, merges, links, tags.

Each action is keyword-only, takes the acting user, runs in one transaction,
checks permissions and invariants (raising `truedesk.cases.errors`), writes one
CaseEvent per changed case with before/after data, bumps `Case.version` and
`updated_at` on every case write, and announces its events to subscribers only
after the commit.

One module per slice (opening, ownership, details, interactions, transfers,
merging, tags, flags) on the pieces in `_shared`. Import from this package,
not from its modules; a test that patches `truedesk.cases.actions.X` reaches
the callers that look X up here when they call it.
"""

from truedesk.cases.actions._shared import ALLOWED_TRANSITIONS, MAX_BODY_CHARS, REOPENED_BY_CUSTOMER
from truedesk.cases.actions.details import UNSET, CaseChanges, change_status, update_case
from truedesk.cases.actions.flags import MAX_FLAG_NOTE_CHARS, can_clear_flag, clear_case_flag
from truedesk.cases.actions.interactions import (
    MAX_MERGE_DEPTH,
    add_internal_note,
    record_interaction,
    reply_to_case,
)
from truedesk.cases.actions.merging import link_cases, merge_cases, unlink_cases
from truedesk.cases.actions.opening import FirstContact, open_case
from truedesk.cases.actions.ownership import assign_case, take_case
from truedesk.cases.actions.tags import MAX_TAGS, set_tags
from truedesk.cases.actions.transfers import (
    MAX_TRANSFER_WAIT,
    accept_transfer,
    cancel_transfer,
    decline_transfer,
    expire_transfers,
    transfer_case,
)

# After-commit announcements live in truedesk.cases.events; re-exported for apps above cases.
from truedesk.cases.events import (
    RECORDABLE_EVENT_KINDS,
    record_case_event,
    subscribe_to_case_events,
    unsubscribe_from_case_events,
)

__all__ = [
    "ALLOWED_TRANSITIONS",
    "MAX_BODY_CHARS",
    "MAX_FLAG_NOTE_CHARS",
    "MAX_MERGE_DEPTH",
    "MAX_TAGS",
    "MAX_TRANSFER_WAIT",
    "RECORDABLE_EVENT_KINDS",
    "REOPENED_BY_CUSTOMER",
    "UNSET",
    "CaseChanges",
    "FirstContact",
    "accept_transfer",
    "add_internal_note",
    "assign_case",
    "can_clear_flag",
    "cancel_transfer",
    "change_status",
    "clear_case_flag",
    "decline_transfer",
    "expire_transfers",
    "link_cases",
    "merge_cases",
    "open_case",
    "record_case_event",
    "record_interaction",
    "reply_to_case",
    "set_tags",
    "subscribe_to_case_events",
    "take_case",
    "transfer_case",
    "unlink_cases",
    "unsubscribe_from_case_events",
    "update_case",
]

import pytest
from django.utils import translation

from truedesk.cases import errors

EXPECTED = {
    errors.NotAllowed: ("not_allowed", 403),
    errors.NotFound: ("not_found", 404),
    errors.InvalidTransition: ("invalid_transition", 409),
    errors.TransferNotPending: ("transfer_not_pending", 409),
    errors.InvalidTransfer: ("invalid_transfer", 422),
    errors.AttachmentRejected: ("attachment_rejected", 422),
    errors.MergeNotAllowed: ("merge_not_allowed", 422),
    errors.LinkNotAllowed: ("link_not_allowed", 422),
    errors.InvalidInput: ("invalid_input", 422),
    errors.InvalidCursor: ("invalid_cursor", 400),
}


@pytest.mark.parametrize(("cls", "expected"), EXPECTED.items())
def test_each_error_has_a_stable_code_status_and_a_message(cls, expected):
    error = cls()
    assert (error.code, error.http_status) == expected
    assert isinstance(error, errors.CaseError)
    assert error.message and str(error) == error.message


def test_conflicts_carry_what_the_client_needs_to_recover():
    stale = errors.StaleVersion(current_version=7)
    assert (stale.code, stale.http_status, stale.current_version) == ("stale_version", 409, 7)
    owned = errors.AlreadyOwned(owner_name="Alice Adams")
    assert (owned.code, owned.http_status) == ("already_owned", 409)
    assert "Alice Adams" in owned.message


def test_a_given_message_replaces_the_default():
    assert errors.InvalidInput("Write a subject.", field="subject").message == "Write a subject."
    assert errors.InvalidInput(field="subject").field == "subject"


def test_messages_follow_the_active_language():
    with translation.override("en"):
        assert errors.NotFound().message == "Not found."


def test_case_errors_are_domain_errors_that_interfaces_render_alike():
    from truedesk.accounts import errors as account_errors

    error = errors.StaleVersion(current_version=3)
    assert isinstance(error, account_errors.DomainError)
    assert error.as_dict() == {
        "code": "stale_version",
        "message": error.message,
        "current_version": 3,
    }
    assert isinstance(errors.NotAllowed(), account_errors.NotAllowed)
    assert errors.InvalidInput(field="subject").as_dict()["field"] == "subject"
    assert errors.AlreadyOwned(owner_name="Bob Brown").details == {"owner": "Bob Brown"}

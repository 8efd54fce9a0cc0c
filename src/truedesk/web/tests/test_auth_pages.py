from __future__ import annotations

import re

from django.conf import settings
from django.core import mail

from truedesk.testing.personas import PASSWORD

NEW_PASSWORD = "plum-orchard-sailing-42"


def reset_link(message: mail.EmailMessage) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def without_csrf_tokens(html: str) -> str:
    return re.sub(r"[A-Za-z0-9]{64}", "", html)


def sign_in(client, username: str, password: str):
    # A real POST, not client.login(): axes needs the request to count failures.
    return client.post("/accounts/login/", {"username": username, "password": password})


def ask_for_reset(client, email: str):
    return client.post("/accounts/password-reset/", {"email": email})


def test_the_sign_in_page_offers_a_password_reset(client):
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    assert 'href="/accounts/password-reset/"' in response.content.decode()


def test_the_reset_page_is_truedesks_own_not_the_admin_one(client):
    response = client.get("/accounts/password-reset/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="narrow card"' in html
    assert 'name="email"' in html
    assert "Django administration" not in html


def test_a_reset_email_arrives_and_its_link_sets_a_new_password(client, world):
    response = ask_for_reset(client, "dave@example.com")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["dave@example.com"]
    assert message.subject == "Choose a new Truedesk password"
    assert "dave" in message.body

    form_page = client.get(reset_link(message), follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert "Your password has been changed" in done.content.decode()

    client.logout()
    assert sign_in(client, "dave", PASSWORD).status_code == 200
    assert sign_in(client, "dave", NEW_PASSWORD).status_code == 302


def test_an_unknown_address_sees_the_same_sent_page_and_no_email_leaves(client, world):
    known = ask_for_reset(client, "dave@example.com")
    known_page = client.get(known["Location"])
    unknown = ask_for_reset(client, "nobody@example.com")
    unknown_page = client.get(unknown["Location"])

    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"]
    assert without_csrf_tokens(unknown_page.content.decode()) == without_csrf_tokens(
        known_page.content.decode()
    )
    assert [message.to for message in mail.outbox] == [["dave@example.com"]]


def test_a_reset_link_works_only_once(client, world):
    ask_for_reset(client, "dave@example.com")
    link = reset_link(mail.outbox[0])
    form_page = client.get(link, follow=True)
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    again = client.get(link, follow=True)

    html = again.content.decode()
    assert "This link no longer works" in html
    assert 'name="new_password1"' not in html


def test_a_weak_new_password_is_refused_with_the_reason(client, world):
    ask_for_reset(client, "dave@example.com")
    form_page = client.get(reset_link(mail.outbox[0]), follow=True)

    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "12345", "new_password2": "12345"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "too short" in html
    assert sign_in(client, "dave", PASSWORD).status_code == 302


def test_the_right_password_signs_in(client, world):
    response = sign_in(client, "alice", PASSWORD)

    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_after_too_many_failures_even_the_right_password_is_refused(client, world):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "alice", "wrong password")

    response = sign_in(client, "alice", PASSWORD)

    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()
    assert 'href="/accounts/password-reset/"' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_failures_below_the_limit_do_not_lock_the_account(client, world):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "alice", "wrong password")

    response = sign_in(client, "alice", PASSWORD)

    assert response.status_code == 302


def test_one_locked_account_does_not_lock_out_another(client, world, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        sign_in(client, "alice", "wrong password")

    assert sign_in(client, "alice", PASSWORD).status_code == 429
    assert sign_in(client, "bob", PASSWORD).status_code == 302

# ruff: noqa: RUF001
"""Parsing hostile and old-fashioned mail: charsets, broken MIME, huge headers, deep nesting."""

from __future__ import annotations

import time

import pytest

from truedesk.channels.email.parsing import parse_message
from truedesk.channels.email.tests import mail

LIMITS = {"attachment_bytes": 1024 * 1024, "attachments": 20}

TEXTS = {
    "utf-8": ("Sveiki, neveikia internetas. Ačiū! Привіт, ґанок", "Laba diena"),
    "windows-1251": ("Здравствуйте, у меня не работает интернет уже третий день.", "Проблема"),
    "koi8-r": ("Добрый день, счёт выставлен неверно, прошу проверить.", "Счёт"),
    "iso-8859-13": ("Laba diena, mano sąskaitoje klaida, prašau patikrinti.", "Sąskaita"),
    "windows-1257": ("Sveiki, užsakymas vėluoja jau savaitę, kada gausiu?", "Užsakymas"),
    "iso-8859-5": ("Добрый вечер, роутер перезагружается каждые пять минут.", "Роутер"),
}


@pytest.mark.parametrize("charset", sorted(TEXTS))
def test_legacy_charsets_read_as_the_customer_wrote(charset):
    body, subject = TEXTS[charset]
    raw = mail.message(body=body, subject=subject, charset=charset)
    parsed = parse_message(raw, limits=LIMITS)
    assert parsed.visible_text == body
    assert parsed.subject == subject
    assert parsed.warnings == []


@pytest.mark.parametrize("charset", ["windows-1251", "koi8-r", "windows-1257"])
def test_raw_8bit_legacy_charset_without_transfer_encoding(charset):
    body = TEXTS[charset][0]
    raw = mail.legacy(charset=charset, subject="Hello", body=body)
    assert parse_message(raw, limits=LIMITS).visible_text == body


def test_a_mislabelled_charset_is_detected_and_the_agent_warned():
    body = "Здравствуйте! Оплата прошла дважды, верните, пожалуйста, лишние деньги на карту."
    raw = mail.legacy(charset="windows-1251", declared="utf-8", subject="Payment", body=body)
    parsed = parse_message(raw, limits=LIMITS)
    assert "Оплата прошла дважды" in parsed.visible_text
    assert [w.code for w in parsed.warnings] == ["charset_guessed"]


def test_an_unknown_charset_still_gives_text_and_a_warning():
    body = "Здравствуйте! Оплата прошла дважды, верните, пожалуйста, лишние деньги на карту."
    raw = mail.legacy(charset="windows-1251", declared="x-no-such-charset", subject="?", body=body)
    parsed = parse_message(raw, limits=LIMITS)
    assert "верните" in parsed.visible_text
    assert parsed.warnings[0].code == "charset_unknown"


def test_encoded_words_in_subject_and_sender_are_decoded():
    raw = (
        b"From: =?koi8-r?B?9MXT1M/X2cogSS4=?= <test@example.com>\r\n"
        b"Subject: =?windows-1257?Q?U=FEsakymas?=\r\nMessage-ID: <a@b>\r\n\r\nhi\r\n"
    )
    parsed = parse_message(raw, limits=LIMITS)
    assert parsed.subject == "Užsakymas"
    assert parsed.sender_address == "test@example.com"
    assert parsed.sender_name.startswith("Тестовый")


@pytest.mark.parametrize(
    "header",
    [
        # The display name decodes to someone else's address; the real one is the attacker's.
        b"=?utf-8?q?dave=40example=2Ecom?= <attacker@evil.example>",
        b"=?utf-8?b?ZGF2ZUBleGFtcGxlLmNvbQ==?= <attacker@evil.example>",
        b'"dave@example.com" <attacker@evil.example>',
    ],
)
def test_a_name_that_looks_like_an_address_never_becomes_the_sender(header):
    raw = b"From: " + header + b"\r\nSubject: Invoices\r\nMessage-ID: <f@evil>\r\n\r\nx\r\n"
    parsed = parse_message(raw, limits=LIMITS)
    assert parsed.sender_address == "attacker@evil.example"
    assert "dave@example.com" in parsed.sender_name


@pytest.mark.parametrize(
    "header",
    [
        b"=?utf-8?q?dave=40example=2Ecom?=",  # an address only inside an encoded word
        b"dave@example.com, attacker@evil.example",  # two senders name nobody
    ],
)
def test_a_sender_hidden_in_an_encoded_word_or_doubled_is_nobody(header):
    raw = b"From: " + header + b"\r\nSubject: Invoices\r\nMessage-ID: <g@evil>\r\n\r\nx\r\n"
    parsed = parse_message(raw, limits=LIMITS)
    assert parsed.sender_address == ""


def test_encoded_newlines_in_the_subject_never_survive():
    raw = b"From: a@example.com\r\nSubject: =?utf-8?q?Hi=0D=0ABcc:_evil@example.com?=\r\n\r\nx\r\n"
    parsed = parse_message(raw, limits=LIMITS)
    assert "\n" not in parsed.subject and "\r" not in parsed.subject
    assert parsed.subject == "Hi Bcc: evil@example.com"


def test_malformed_mime_is_read_as_well_as_possible_with_a_warning():
    raw = (
        b"From: dave@example.com\r\nSubject: broken\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="XX"\r\n\r\n'
        b"--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe text survives\r\n"
        b"--XX\r\nContent-Type: application/pdf; name=a.pdf\r\nContent-Transfer-Encoding: base64"
        b"\r\n\r\n!!!not base64!!!\r\n"
    )  # no closing boundary
    parsed = parse_message(raw, limits=LIMITS)
    assert parsed.visible_text == "The text survives"
    assert "malformed" in [w.code for w in parsed.warnings]


def test_a_huge_header_is_shortened_quickly():
    raw = b"From: dave@example.com\r\nSubject: " + b"A" * 2_000_000 + b"\r\n\r\nbody\r\n"
    started = time.perf_counter()
    parsed = parse_message(raw, limits=LIMITS)
    assert time.perf_counter() - started < 10  # a guard against quadratic parsing, not a target
    assert len(parsed.subject) == 250
    assert "header_truncated" in [w.code for w in parsed.warnings]


def test_deep_nesting_is_cut_off_with_a_warning_not_a_crash():
    depth = 2000
    head = b"From: dave@example.com\r\nSubject: deep\r\nMIME-Version: 1.0\r\n"
    parts = b""
    for level in range(depth):
        parts += (
            f'Content-Type: multipart/mixed; boundary="b{level}"\r\n\r\n--b{level}\r\n'.encode()
        )
    parts += b"Content-Type: text/plain\r\n\r\ninnermost\r\n"
    for level in reversed(range(depth)):
        parts += f"--b{level}--\r\n".encode()
    parsed = parse_message(head + parts, limits=LIMITS)
    assert "too_deep" in [w.code for w in parsed.warnings]


def test_an_oversize_attachment_is_dropped_with_a_warning_and_the_rest_kept():
    raw = mail.message(
        attachments=[
            ("big.bin", b"x" * (LIMITS["attachment_bytes"] + 1), "application/octet-stream"),
            ("small.pdf", b"%PDF-1.4 small", "application/pdf"),
        ]
    )
    parsed = parse_message(raw, limits=LIMITS)
    assert [a.name for a in parsed.attachments] == ["small.pdf"]
    assert parsed.warnings[0].code == "attachment_too_large"
    assert "big.bin" in parsed.warnings[0].detail


def test_html_only_mail_is_sanitised_and_remote_images_dropped():
    html = (
        '<p>Hello <b>team</b></p><img src="https://tracker.example/pixel.gif">'
        '<script>alert(1)</script><a href="javascript:alert(1)">x</a>'
    )
    parsed = parse_message(mail.message(body="", html=html), limits=LIMITS)
    assert "<img" not in parsed.html and "<script" not in parsed.html
    assert "tracker.example" not in parsed.html and "javascript:" not in parsed.html
    assert "<b>team</b>" in parsed.html
    assert parsed.visible_text == "Hello team\nx"


def test_plain_text_is_preferred_over_html():
    parsed = parse_message(
        mail.message(body="plain words", html="<p>html words</p>"), limits=LIMITS
    )
    assert parsed.visible_text == "plain words"


def test_filenames_are_decoded_and_attachments_kept():
    raw = mail.message(attachments=[("Sąskaita №5.pdf", b"%PDF", "application/pdf")])
    parsed = parse_message(raw, limits=LIMITS)
    assert parsed.attachments[0].name == "Sąskaita №5.pdf"
    assert parsed.attachments[0].data == b"%PDF"


def test_delivery_status_notification_names_the_original_message():
    raw = (
        b"From: MAILER-DAEMON@mx.example\r\nTo: support@truedesk.test\r\nSubject: Undelivered\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="R"\r\n\r\n'
        b"--R\r\nContent-Type: text/plain\r\n\r\nCould not deliver.\r\n"
        b"--R\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n"
        b"\r\nFinal-Recipient: rfc822; gone@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        b"Diagnostic-Code: smtp; 550 5.1.1 No such user\r\n"
        b"--R\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <ours-1@truedesk.test>\r\n"
        b"Subject: [#1] Re: x\r\n\r\n--R--\r\n"
    )
    bounce = parse_message(raw, limits=LIMITS).bounce
    assert bounce is not None
    assert bounce.original_message_ids == ("ours-1@truedesk.test",)
    assert bounce.recipients == ("gone@example.com",)
    assert bounce.status == "5.1.1" and "No such user" in bounce.diagnostic


def test_a_large_base64_attachment_is_decoded_exactly_without_the_line_by_line_parser():
    data = bytes(range(256)) * (3 * 1024 * 1024 // 256)
    raw = mail.message(attachments=[("big.bin", data, "application/octet-stream")])
    parsed = parse_message(raw, limits={"attachment_bytes": 10 * 1024 * 1024, "attachments": 5})
    assert parsed.attachments[0].data == data
    assert parsed.visible_text == "Hello, my printer does not print."


@pytest.mark.parametrize("charset", ["utf-8", "windows-1251"])
def test_the_text_has_one_kind_of_line_ending_whatever_the_transport_used(charset):
    raw = mail.message(body="Первая строка\nвторая строка\n\nтретья", charset=charset)
    assert b"\r\n" in raw  # SMTP's line endings, inside the body too
    parsed = parse_message(raw, limits=LIMITS)
    assert parsed.visible_text == "Первая строка\nвторая строка\n\nтретья"
    assert "\r" not in parsed.full_text

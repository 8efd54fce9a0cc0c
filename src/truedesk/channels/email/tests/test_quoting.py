# ruff: noqa: RUF001, E501
"""Quoted history and signatures from the mail clients our customers use, in four languages."""

from __future__ import annotations

import pytest

from truedesk.channels.email.quoting import strip_quoted

CASES = {
    "gmail_en": "Thanks, that worked.\n\nOn Mon, 3 Jun 2024 at 10:00, Alice <alice@x.test> wrote:\n> Try again\n",
    "gmail_en_wrapped": "Thanks, that worked.\n\nOn Mon, 3 Jun 2024 at 10:00, Alice Adams from support\n<alice@x.test> wrote:\n> Try again\n",
    "gmail_lt": "Ačiū, veikia.\n\n2024-06-03, pr, 10:00 Alice <alice@x.test> rašė:\n> Pabandykite dar\n",
    "gmail_uk": "Дякую, працює.\n\nпн, 3 черв. 2024 р. о 10:00 Alice <alice@x.test> пише:\n> Спробуйте ще\n",
    "gmail_ru": "Спасибо, работает.\n\nпн, 3 июн. 2024 г. в 10:00, Alice <alice@x.test>:\nAlice написал(а):\n> Попробуйте\n",
    "thunderbird_ru": "Спасибо, работает.\n\n03.06.2024 10:00, Alice пишет:\n> Попробуйте\n",
    "outlook_en": "Thanks, that worked.\n\n-----Original Message-----\nFrom: Alice\nSent: Monday\nTo: Dave\n\nTry again\n",
    "outlook_block": "Thanks, that worked.\n\nFrom: Alice Adams <alice@x.test>\nSent: Monday, June 3, 2024 10:00\nTo: Dave\nSubject: RE: x\n\nTry again\n",
    "outlook_ru": "Thanks, that worked.\n\nОт: Alice Adams <alice@x.test>\nОтправлено: 3 июня 2024 г. 10:00\nКому: Dave\n\nПопробуйте\n",
    "outlook_uk": "Thanks, that worked.\n\nВід: Alice Adams\nНадіслано: 3 червня 2024 р.\n\nСпробуйте\n",
    "outlook_lt": "Thanks, that worked.\n\nNuo: Alice Adams\nIšsiųsta: 2024 m. birželio 3 d.\n\nPabandykite\n",
    "german": "Thanks, that worked.\n\nAm 03.06.2024 um 10:00 schrieb Alice <alice@x.test>:\n> x\n",
    "french": "Thanks, that worked.\n\nLe lun. 3 juin 2024 à 10:00, Alice <alice@x.test> a écrit :\n> x\n",
    "signature": "Thanks, that worked.\n-- \nDave Davis\nAcme Ltd, +370 600 00000\n",
    "mobile": "Thanks, that worked.\n\nSent from my iPhone\n",
    "bare_quote": "Thanks, that worked.\n\n> Try again\n> Alice\n",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_only_the_new_words_remain(name):
    expected = CASES[name].split("\n\n")[0].split("\n-- ")[0].strip()
    assert strip_quoted(CASES[name]) == expected


def test_inline_answers_between_quotes_are_kept():
    text = "> Which model?\nThe X100.\n> Which year?\n2021.\n"
    assert strip_quoted(text) == text.strip()


def test_a_message_that_is_all_quote_keeps_everything():
    assert strip_quoted("> only a quote\n> nothing new") == "> only a quote\n> nothing new"

"""What the demo organisation is made of: people, hand-written stories and vignettes."""

from __future__ import annotations

from truedesk.demo.content import stories_en, stories_lt, stories_ru, stories_uk
from truedesk.demo.content.people import (
    COMPANY,
    CUSTOMERS,
    DEPARTMENTS,
    ORGANISATIONS,
    PARTNER_NAME,
    PARTNER_USER,
    STAFF,
)

STORIES = stories_en.STORIES + stories_lt.STORIES + stories_uk.STORIES + stories_ru.STORIES
VIGNETTES = (
    stories_en.VIGNETTES + stories_lt.VIGNETTES + stories_uk.VIGNETTES + stories_ru.VIGNETTES
)

__all__ = [
    "COMPANY",
    "CUSTOMERS",
    "DEPARTMENTS",
    "ORGANISATIONS",
    "PARTNER_NAME",
    "PARTNER_USER",
    "STAFF",
    "STORIES",
    "VIGNETTES",
]

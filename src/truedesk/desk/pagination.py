"""Bounded lists on desk pages: page numbers and links that keep the other query parameters.

Every list a desk page renders is cut to a fixed page size, so a page costs
the same whether a queue holds ten cases or ten thousand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest

from truedesk.cases.selectors import Position

PER_PAGE = 50

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class PageLinks:
    """Where a bounded list is and the links to its neighbours (None at either end)."""

    number: int
    pages: int
    total: int
    previous_url: str | None
    next_url: str | None

    @property
    def is_paginated(self) -> bool:
        return self.pages > 1


def page_number(request: HttpRequest, name: str = "page") -> int:
    """The page asked for in the query string; 1 when absent or not a positive number."""
    raw = request.GET.get(name, "")
    return int(raw) if raw.isdigit() and 0 < len(raw) < 10 and int(raw) > 0 else 1


def position_from(request: HttpRequest, name: str = "before") -> Position | None:
    """Where a "show older" link continues from; None without one, InvalidCursor if it is bad."""
    raw = request.GET.get(name, "")
    return Position.decode(raw) if raw else None


def url_with(
    request: HttpRequest,
    changes: Mapping[str, str | int | None],
    *,
    anchor: str = "",
    path: str = "",
) -> str:
    """This page's URL (or `path`) with some query parameters changed (None removes one)."""
    query = request.GET.copy()
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = str(value)
    encoded = query.urlencode()
    return (
        f"{path or request.path}{'?' + encoded if encoded else ''}{'#' + anchor if anchor else ''}"
    )


def page_links(
    request: HttpRequest, *, number: int, pages: int, total: int, name: str = "page",
    anchor: str = "",
) -> PageLinks:  # fmt: skip
    """Links to the previous and next page; the first page's link drops the parameter."""

    def link(target: int) -> str:
        return url_with(request, {name: target if target > 1 else None}, anchor=anchor)

    return PageLinks(
        number=number,
        pages=pages,
        total=total,
        previous_url=link(number - 1) if number > 1 else None,
        next_url=link(number + 1) if number < pages else None,
    )


def paginate(
    request: HttpRequest, rows: QuerySet[M], *, total: int | None = None,
    per_page: int | None = None, name: str = "page", anchor: str = "",
) -> tuple[list[M], PageLinks]:  # fmt: skip
    """One page of `rows` (one sliced query, plus a COUNT unless `total` is known) and its links.

    A number past the end shows the last page, so an old link still lands somewhere.
    """
    per_page = per_page or PER_PAGE
    count = rows.count() if total is None else total
    pages = max(1, -(-count // per_page))
    number = min(page_number(request, name), pages)
    offset = (number - 1) * per_page
    shown = list(rows[offset : offset + per_page])
    links = page_links(request, number=number, pages=pages, total=count, name=name, anchor=anchor)
    return shown, links

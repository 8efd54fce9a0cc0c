"""What every generator step shares: the random sources, batched inserts, and the database.

The context carries the two seeded generators; a step that draws from either must keep
its order of draws, or the same seed stops giving the same data.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import numpy as np
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from tqdm import tqdm

from truedesk.cases.models import Case, CaseEvent, CaseNumberCounter, CaseStaffContact, Interaction
from truedesk.cases.numbering import next_case_number

M = TypeVar("M", bound=models.Model)


@dataclass
class Context:
    """The seeded random sources, the fixed "now" and how rows are inserted."""

    rng: random.Random
    nprng: np.random.Generator
    now: datetime
    batch_size: int
    progress: bool

    _tables: dict[int, tuple[list[Any], list[int]]] = field(default_factory=dict)

    def pick(self, weighted: Sequence[tuple[Any, int]]) -> Any:
        """One value drawn by weight; the tables are module constants, so cache by identity."""
        table = self._tables.get(id(weighted))
        if table is None:
            values = [value for value, _weight in weighted]
            cumulative = list(itertools.accumulate(weight for _value, weight in weighted))
            table = self._tables[id(weighted)] = (values, cumulative)
        return self.rng.choices(table[0], cum_weights=table[1])[0]

    def bar(self, label: str, total: int | None, position: int = 0) -> tqdm[Any]:
        return tqdm(
            total=total,
            desc=f"{label:>14}",
            unit=" rows",
            unit_scale=True,
            position=position,
            disable=not self.progress,
            dynamic_ncols=True,
            smoothing=0.1,
        )

    def insert(self, model: type[M], rows: list[M], bar: tqdm[Any] | None = None) -> list[M]:
        created = model._default_manager.bulk_create(rows, batch_size=self.batch_size)
        if bar is not None:
            bar.update(len(rows))
        return created


@contextmanager
def fast_writes() -> Iterator[None]:
    """Skip waiting for the disk while generating; a crash loses only bench data."""
    if connection.in_atomic_block:  # inside a test transaction: leave the session alone
        yield
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET synchronous_commit = off")
        elif connection.vendor == "sqlite":
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA cache_size = -262144")  # 256 MiB
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("RESET synchronous_commit")
            elif connection.vendor == "sqlite":
                cursor.execute("PRAGMA synchronous = NORMAL")


def reserve_case_numbers(count: int) -> int:
    """Take a block of `count` numbers; the app's next case is numbered after it.

    Not safe against cases opened by the app during generation: bench databases only.
    """
    with transaction.atomic():
        first = next_case_number()
        last = first + count - 1
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT setval('cases_case_number_seq', %s)", [last])
        else:
            CaseNumberCounter.objects.filter(pk=1).update(value=last)
    return first


def next_id(model: type[models.Model]) -> int:
    return int(model._default_manager.aggregate(top=Max("id"))["top"] or 0) + 1


def reset_sequences() -> None:
    """Rows were inserted with explicit ids: move PostgreSQL's id sequences past them."""
    if connection.vendor != "postgresql":
        return  # SQLite's AUTOINCREMENT already follows the largest id used
    tables: list[type[models.Model]] = [
        Case,
        Interaction,
        CaseStaffContact,
        CaseEvent,
        Case.tags.through,
    ]
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), tables):
            cursor.execute(statement)


def analyze() -> None:
    """Give the query planner statistics, as a maintained production database has."""
    if connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

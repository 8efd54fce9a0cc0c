"""Fixed-window submission counters in the shared cache (the database, or Redis).

Every process sees the same counts because the cache is shared (settings
CACHES). The database cache's increment is a read and a write, so a burst of
simultaneous submissions can overshoot a limit by a few; Redis counts exactly.
If the cache itself fails the form stays open (logged): a customer's message
matters more than a perfect count.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass

from django.core.cache import cache

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after_seconds: int = 0


def digest(value: str) -> str:
    # Keys stay short and hold no address in clear.
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]


def hit(scope: str, value: str, *, limit: int, window_seconds: int) -> Verdict:
    """Count one use of `value` in `scope`; refused once more than `limit` fall in the window."""
    now = time.time()
    window = int(now // window_seconds)
    key = f"webform:{scope}:{digest(value)}:{window}"
    try:
        cache.add(key, 0, timeout=window_seconds + 60)
        used = int(cache.incr(key))
    except Exception:
        logger.exception("web form rate limit unavailable; letting the submission through")
        return Verdict(allowed=True)
    if used <= limit:
        return Verdict(allowed=True)
    return Verdict(allowed=False, retry_after_seconds=int((window + 1) * window_seconds - now) + 1)


def case_for_stamp(stamp: str) -> int | None:
    """The case number a form submission (by its stamp) already opened, if any."""
    try:
        value = cache.get(f"webform:stamp:{digest(stamp)}")
    except Exception:
        logger.exception("web form stamp memory unavailable")
        return None
    return int(value) if value is not None else None


def remember_stamp(stamp: str, number: int, *, seconds: int) -> None:
    try:
        cache.set(f"webform:stamp:{digest(stamp)}", number, timeout=seconds)
    except Exception:
        logger.exception("web form stamp memory unavailable")

"""One HTTP attempt at a checked address, with urllib3 (docs/decisions/0023).

Runs in a dispatcher thread and touches no database. The host name is
resolved and checked here (addresses.py), and the connection goes to that
checked address; the URL's host name still travels in the Host header and,
for https, in SNI and certificate verification. Redirects are never followed
(a 3xx is a failed attempt) and every attempt is bounded by short timeouts.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import urllib3
from urllib3.exceptions import HTTPError as Urllib3Error

from truedesk.channels.webhooks.addresses import IPNetwork, parse_url, resolve
from truedesk.channels.webhooks.errors import WebhookError

CONNECT_TIMEOUT = 3.0
TOTAL_TIMEOUT = 10.0
EXCERPT_BYTES = 500
USER_AGENT = "Truedesk-Webhooks/1"


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to: an HTTP status, or the reason there was none."""

    status_code: int | None
    error: str
    excerpt: str
    duration_ms: int
    retry_after: int | None = None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _retry_after(value: str | None) -> int | None:
    try:
        seconds = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return seconds if seconds >= 0 else None


def _pool(
    scheme: str, address: str, port: int, host: str, timeout: urllib3.Timeout
) -> urllib3.HTTPConnectionPool:
    if scheme == "https":
        return urllib3.HTTPSConnectionPool(
            address,
            port,
            timeout=timeout,
            retries=False,
            cert_reqs="CERT_REQUIRED",
            server_hostname=host,
            assert_hostname=host,
        )
    return urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False)


def post(
    *,
    url: str,
    body: bytes,
    headers: dict[str, str],
    allowed: list[IPNetwork],
    connect_timeout: float = CONNECT_TIMEOUT,
    total_timeout: float = TOTAL_TIMEOUT,
) -> Outcome:
    """POST `body` to `url` once; never raises, never follows a redirect."""
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        target = parse_url(url)
        address = resolve(target, allowed)
    except WebhookError as exc:
        return Outcome(None, f"{exc.code}: {exc.message}"[:500], "", elapsed())
    default_port = 443 if target.scheme == "https" else 80
    name = f"[{target.host}]" if ":" in target.host else target.host
    host_header = name if target.port == default_port else f"{name}:{target.port}"
    timeout = urllib3.Timeout(connect=connect_timeout, total=total_timeout)
    pool = _pool(target.scheme, str(address), target.port, target.host, timeout)
    request_headers = {
        "Host": host_header,
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        **headers,
    }
    try:
        response = pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers=request_headers,
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            excerpt = response.read(EXCERPT_BYTES, decode_content=False)
        finally:
            response.release_conn()
    except (Urllib3Error, OSError) as exc:
        return Outcome(None, f"{type(exc).__name__}: {exc}"[:500], "", elapsed())
    finally:
        pool.close()
    status = int(response.status)
    error = "" if 200 <= status < 300 else f"HTTP {status}"
    if 300 <= status < 400:
        error = f"HTTP {status}: redirects are not followed"
    return Outcome(
        status,
        error,
        excerpt.decode("utf-8", "replace"),
        elapsed(),
        _retry_after(response.headers.get("Retry-After")),
    )

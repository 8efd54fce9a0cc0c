"""`Idempotency-Key` on create requests: the same key twice creates one resource.

The first request with a key claims it by inserting a placeholder row (the
unique constraint on (user, key) makes exactly one concurrent request win),
runs, and stores its response. A repeat with the same key and the same body
gets the stored response again; the same key with a different body is refused,
and a repeat that arrives while the first still runs gets 409 to retry later.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from truedesk.accounts.models import IdempotencyRecord
from truedesk.api.auth import user_from_bearer

HEADER = "Idempotency-Key"
KEEP_FOR = timedelta(days=1)
IN_PROGRESS = 0


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "details": None}, status=status)


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode() if request.method else b"")
    digest.update(request.path.encode())
    digest.update(request.body)
    return digest.hexdigest()


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = JsonResponse(record.body, status=record.status_code, safe=False)
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap a ninja operation's `run` so that its create is done once per key."""

    @wraps(run)
    def wrapper(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        key = request.headers.get(HEADER, "").strip()
        user = user_from_bearer(request) or (
            request.user if request.user.is_authenticated else None
        )
        if not key or user is None:
            return run(request, **kwargs)
        if len(key) > 200:
            return _error(422, "invalid_idempotency_key", _("Idempotency-Key is too long."))
        try:
            fingerprint = _fingerprint(request)
        except RequestDataTooBig:
            # Nothing will be created; let the operation answer 413 in the error shape.
            return run(request, **kwargs)
        IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - KEEP_FOR).delete()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=user,
                    key=key,
                    method=request.method or "",
                    path=request.path,
                    fingerprint=fingerprint,
                    status_code=IN_PROGRESS,
                    body={},
                )
        except IntegrityError:
            existing = IdempotencyRecord.objects.get(user=user, key=key)
            if existing.fingerprint != fingerprint:
                return _error(
                    422,
                    "idempotency_key_reused",
                    _("This Idempotency-Key was used for a different request."),
                )
            if existing.status_code == IN_PROGRESS:
                return _error(
                    409,
                    "idempotency_in_progress",
                    _("A request with this Idempotency-Key is still running; retry shortly."),
                )
            return _replay(existing)
        try:
            response = run(request, **kwargs)
        except BaseException:
            record.delete()
            raise
        if 200 <= response.status_code < 300:
            record.status_code = response.status_code
            record.body = json.loads(response.content or b"null")
            record.save(update_fields=["status_code", "body"])
        else:
            # Failures are not remembered: the client may fix the request and retry.
            record.delete()
        return response

    return wrapper

"""Storing attachment files safely and serving them only as downloads.

A customer's file name and content type are metadata: the file is stored under
a random key, hashed while it is read, refused past ATTACHMENT_MAX_BYTES, and
always served with `Content-Disposition: attachment`, `nosniff` and a sandbox
CSP so an uploaded HTML or SVG file can never run in our origin.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from django.conf import settings
from django.core.files import File
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from truedesk.cases.errors import AttachmentRejected

if TYPE_CHECKING:
    from truedesk.cases.models import Attachment, Case, Interaction

MAX_ATTACHMENTS_PER_INTERACTION = 20
MAX_FILENAME_LENGTH = 255
_CHUNK = 64 * 1024
_CONTENT_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,62}/[a-z0-9][a-z0-9!#$&^_.+-]{0,62}$")

# Types a browser shows without running code; everything else is served as
# application/octet-stream. Still always as a download.
SAFE_CONTENT_TYPES = frozenset(
    {"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"}
)


@dataclass(frozen=True)
class AttachmentUpload:
    """A file to attach that did not come through a Django upload (email parts, API, tests)."""

    name: str
    content: bytes | IO[bytes]
    content_type: str = "application/octet-stream"


Upload = AttachmentUpload | File


def sanitize_filename(name: str) -> str:
    """Keep a file name as display metadata: no path parts, control or bidi characters, ≤255."""
    name = unicodedata.normalize("NFC", str(name))
    name = re.split(r"[\\/]", name)[-1]
    # Cc covers NUL, CR and LF (header injection); Cf covers bidi overrides that
    # disguise "invoice\u202egpj.exe" as a picture.
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf"))
    name = name.strip().strip(".").strip()
    if not name:
        return "attachment"
    if len(name) > MAX_FILENAME_LENGTH:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 16 and stem:
            name = stem[: MAX_FILENAME_LENGTH - len(ext) - 1] + "." + ext
        else:
            name = name[:MAX_FILENAME_LENGTH]
    return name


def normalize_content_type(content_type: str | None) -> str:
    """Return a lower-case `type/subtype` without parameters, or application/octet-stream."""
    value = (content_type or "").split(";", 1)[0].strip().lower()
    return value if _CONTENT_TYPE.match(value) else "application/octet-stream"


def _chunks(upload: Upload) -> Iterator[bytes]:
    if isinstance(upload, AttachmentUpload):
        if isinstance(upload.content, bytes | bytearray):
            data = bytes(upload.content)
            for start in range(0, len(data), _CHUNK):
                yield data[start : start + _CHUNK]
            return
        while chunk := upload.content.read(_CHUNK):
            yield chunk
        return
    if hasattr(upload, "seek"):
        upload.seek(0)
    yield from upload.chunks(_CHUNK)


def _describe(upload: Upload) -> tuple[str, str]:
    if isinstance(upload, AttachmentUpload):
        return upload.name, upload.content_type
    return str(upload.name or ""), str(getattr(upload, "content_type", "") or "")


def check_uploads(uploads: tuple[Upload, ...] | list[Upload]) -> None:
    """Refuse too many files before anything is stored."""
    if len(uploads) > MAX_ATTACHMENTS_PER_INTERACTION:
        raise AttachmentRejected(
            _("At most %(count)d files can be attached at once.")
            % {"count": MAX_ATTACHMENTS_PER_INTERACTION}
        )


def store_attachment(*, case: Case, interaction: Interaction, upload: Upload) -> Attachment:
    """Stream the file to storage under a random key; refuse it past ATTACHMENT_MAX_BYTES.

    The SHA-256 and size are computed while reading, so a large file is never
    held in memory. Call inside the action's transaction.
    """
    from truedesk.cases.models import Attachment

    limit = int(settings.ATTACHMENT_MAX_BYTES)
    name, content_type = _describe(upload)
    filename = sanitize_filename(name)
    digest = hashlib.sha256()
    size = 0
    with tempfile.SpooledTemporaryFile(max_size=2 * 1024 * 1024) as spool:
        try:
            for chunk in _chunks(upload):
                size += len(chunk)
                if size > limit:
                    raise AttachmentRejected(
                        _("“%(name)s” is larger than the limit of %(limit)s.")
                        % {"name": filename, "limit": filesizeformat(limit)}
                    )
                digest.update(chunk)
                spool.write(chunk)
        except OSError:
            raise AttachmentRejected(
                _("“%(name)s” could not be read.") % {"name": filename}
            ) from None
        spool.seek(0)
        attachment = Attachment(
            case=case,
            interaction=interaction,
            storage_key=secrets.token_hex(16),
            filename=filename,
            content_type=normalize_content_type(content_type),
            size=size,
            sha256=digest.hexdigest(),
        )
        attachment.file.save(attachment.storage_key, File(spool), save=False)
    attachment.save()
    return attachment


def served_content_type(attachment: Attachment) -> str:
    """The Content-Type to send: the stored type if it cannot run code, else octet-stream."""
    stored = normalize_content_type(attachment.content_type)
    return stored if stored in SAFE_CONTENT_TYPES else "application/octet-stream"


def attachment_response(attachment: Attachment) -> FileResponse:
    """A download response that cannot render active content in our origin.

    Authorise first (selectors.get_attachment_for_user); this only serves.
    """
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=served_content_type(attachment),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response

"""Turn raw bytes into what routing needs, defensively: a pure function, no database.

Every header, name, charset and part is hostile. Nothing here raises for bad
input except `parse_message` on bytes that are not mail at all; everything else
becomes a warning the agent sees on the interaction.
"""

from __future__ import annotations

import base64
import codecs
import contextvars
import email.header
import email.parser
import email.policy
import email.utils
import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from email.message import Message

from charset_normalizer import from_bytes

from truedesk.channels.email.quoting import strip_quoted
from truedesk.lib.sanitize import html_to_text, sanitize_html

MAX_HEADER_CHARS = 4000
MAX_DEPTH = 20
MAX_PARTS = 300
MAX_TEXT_CHARS = 150_000
MAX_REFERENCES = 40
_MSGID = re.compile(r"<([^<>\s]{1,250})>")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Warning_:
    """A problem the agent should see; `code` picks the translated wording (display.py)."""

    code: str
    detail: str = ""

    def as_json(self) -> dict[str, str]:
        return {"code": self.code, "detail": self.detail[:300]}


@dataclass(frozen=True)
class ParsedAttachment:
    name: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Bounce:
    """A delivery status notification: which of our messages failed, and why."""

    original_message_ids: tuple[str, ...]
    recipients: tuple[str, ...]
    status: str
    diagnostic: str


@dataclass
class ParsedEmail:
    message_key: str
    message_id: str
    sender_name: str
    sender_address: str
    subject: str
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    full_text: str = ""
    visible_text: str = ""
    html: str = ""
    attachments: list[ParsedAttachment] = field(default_factory=list)
    warnings: list[Warning_] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    bounce: Bounce | None = None
    language: str = ""


# --- headers ---------------------------------------------------------------------


def _raw_header(message: Message, name: str) -> str | None:
    lowered = name.lower()
    for key, value in message.raw_items():
        if key.lower() == lowered:
            return str(value)
    return None


def clean_header_value(value: str, limit: int = 250) -> str:
    """One line: control characters (CR, LF, NUL…) and bidi tricks removed, spaces collapsed."""
    value = _CONTROL.sub(" ", value)
    value = "".join(ch for ch in value if unicodedata.category(ch) != "Cf" or ch == "\u200d")
    return _SPACES.sub(" ", value).strip()[:limit]


def header_text(message: Message, name: str, limit: int = 250) -> str:
    """A header's decoded text (RFC 2047 words decoded), bounded and on one line; "" if absent."""
    raw = _raw_header(message, name)
    if raw is None:
        return ""
    return _decoded_words(raw[:MAX_HEADER_CHARS], limit)


def _decoded_words(raw: str, limit: int) -> str:
    try:
        parts = email.header.decode_header(raw)
        text = "".join(
            _decode_bytes(chunk, charset)[0] if isinstance(chunk, bytes) else chunk
            for chunk, charset in parts
        )
    except Exception:
        text = raw
    return clean_header_value(text, limit)


def parse_sender(message: Message) -> tuple[str, str]:
    """(display name, lower-cased address) from From:, or ("", "") when there is none."""
    raw = _raw_header(message, "From")
    if not raw:
        return "", ""
    # The address is read from the header as sent and only the display name is
    # decoded afterwards: decoding first would let an encoded word in the name
    # (=?utf-8?q?dave=40example=2Ecom?= <attacker@evil.example>) pose as the
    # address. Several addresses, or one hidden in an encoded word, name nobody.
    pairs = [
        (name, address)
        for name, address in email.utils.getaddresses([raw[:MAX_HEADER_CHARS]])
        if name or address
    ]
    if len(pairs) != 1:
        return "", ""
    name, address = pairs[0]
    address = address.strip()
    if (
        "@" not in address
        or "=?" in address
        or len(address) > 254
        or _CONTROL.search(address)
        or any(char.isspace() for char in address)
    ):
        return "", ""
    return _decoded_words(name, 200), address.lower()


def message_ids(message: Message, name: str) -> list[str]:
    raw = (_raw_header(message, name) or "")[: MAX_HEADER_CHARS * 4]
    return _MSGID.findall(raw)[-MAX_REFERENCES:]


def message_key_of(message: Message, raw: bytes) -> str:
    ids = message_ids(message, "Message-ID")
    if ids:
        return ids[0]
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def key_digest(message_key: str) -> str:
    """The SHA-256 MessageKey stores for a Message-ID (case kept: RFC 5322 ids are opaque)."""
    return hashlib.sha256(message_key.strip().encode("utf-8", "replace")).hexdigest()


# --- bodies ----------------------------------------------------------------------


def _known_codec(charset: str | None) -> str | None:
    if not charset:
        return None
    charset = charset.strip().strip('"').lower()
    try:
        return codecs.lookup(charset).name
    except (LookupError, ValueError):
        return None


def _decode_bytes(data: bytes, charset: str | None) -> tuple[str, str | None]:
    """(text, warning code or None): the declared charset if it decodes, else a detected one."""
    codec = _known_codec(charset)
    if codec:
        try:
            return data.decode(codec), None
        except UnicodeDecodeError:
            pass
    try:
        text = data.decode("utf-8")
        return text, None if not charset or data.isascii() else "charset_wrong"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data[:200_000]).best()
    if best is not None:
        try:
            return data.decode(best.encoding, errors="replace"), (
                "charset_unknown" if charset and not codec else "charset_guessed"
            )
        except LookupError:
            pass
    return data.decode("utf-8", errors="replace"), "charset_unknown"


# A long run of full base64 lines is an encoded file. The stdlib parser would turn
# every line into a string (a 20 MB file costs ~250 MB), so such runs are lifted out
# before parsing, replaced by a random token line, and decoded straight from the raw
# bytes when the part is read.
_BASE64_RUN = re.compile(rb"^(?:[A-Za-z0-9+/=]{60,100}\r?\n)+", re.MULTILINE)
_MIN_RUN_LINES = 2000
_LIFT_FROM_BYTES = 1024 * 1024


def _base64_runs(raw: bytes) -> list[tuple[int, int]]:
    """(start, end) of every run of at least _MIN_RUN_LINES whole base64 lines (linear)."""
    if len(raw) < _LIFT_FROM_BYTES:
        return []
    return [
        match.span()
        for match in _BASE64_RUN.finditer(raw)
        if raw.count(b"\n", match.start(), match.end()) >= _MIN_RUN_LINES
    ]


class _Blobs:
    def __init__(self, raw: bytes) -> None:
        self.token = f"TRUEDESK-BLOB-{secrets.token_hex(12)}-"
        self.spans: list[tuple[int, int]] = []
        self.raw = memoryview(raw)
        pieces: list[bytes | memoryview] = []
        last = 0
        for start, end in _base64_runs(raw):
            pieces.append(self.raw[last:start])
            pieces.append(f"{self.token}{len(self.spans)}\r\n".encode("ascii"))
            self.spans.append((start, end))
            last = end
        pieces.append(self.raw[last:])
        self.skeleton = b"".join(pieces) if self.spans else raw

    def decode(self, text: str) -> bytes | None:
        """The decoded bytes of a base64 payload that holds a token line, else None."""
        if not self.spans or self.token not in text:
            return None
        out = bytearray()
        for line in text.splitlines():
            if line.startswith(self.token):
                try:
                    start, end = self.spans[int(line[len(self.token) :])]
                except (ValueError, IndexError):
                    continue
                out += self.raw[start:end]
            else:
                out += line.encode("ascii", "ignore") + b"\n"
        return base64.b64decode(bytes(out))


_blobs: contextvars.ContextVar[_Blobs | None] = contextvars.ContextVar("blobs", default=None)


def _children(part: Message) -> list[Message]:
    payload = part.get_payload()
    if not isinstance(payload, list):
        return []
    return [child for child in payload if isinstance(child, Message)]


def _part_bytes(part: Message) -> bytes:
    blobs = _blobs.get()
    raw_payload = part.get_payload()
    if blobs is not None and isinstance(raw_payload, str):
        lifted = blobs.decode(raw_payload)
        if lifted is not None:
            return lifted
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        return payload
    raw = part.get_payload()
    return raw.encode("utf-8", "replace") if isinstance(raw, str) else b""


def _filename(part: Message) -> str:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if not name:
        return ""
    name = str(name)
    if "=?" in name:
        name = str(email.header.make_header(email.header.decode_header(name)))
    return clean_header_value(name, 255)


def _is_attachment(part: Message, content_type: str) -> bool:
    disposition = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
    if disposition == "attachment":
        return True
    return content_type not in ("text/plain", "text/html")


@dataclass
class _Walk:
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    attachments: list[ParsedAttachment] = field(default_factory=list)
    warnings: list[Warning_] = field(default_factory=list)
    parts: int = 0


def _walk(root: Message, limits: dict[str, int]) -> _Walk:
    """Iterative walk (no recursion, bounded depth and count), text and files collected."""
    walk = _Walk()
    stack: list[tuple[Message, int]] = [(root, 0)]
    warned_depth = warned_count = False
    while stack:
        part, depth = stack.pop()
        walk.parts += 1
        if walk.parts > MAX_PARTS:
            if not warned_count:
                walk.warnings.append(Warning_("too_many_parts", str(MAX_PARTS)))
                warned_count = True
            continue
        content_type = part.get_content_type()
        if content_type == "message/rfc822":
            _take_forwarded(part, walk, limits)
            continue
        if content_type.startswith("message/"):
            continue  # delivery-status and the like: read by _bounce_of, not shown
        if part.is_multipart():
            if depth >= MAX_DEPTH:
                if not warned_depth:
                    walk.warnings.append(Warning_("too_deep", str(MAX_DEPTH)))
                    warned_depth = True
                continue
            children = _children(part)
            if content_type == "multipart/alternative":
                plain = [c for c in children if c.get_content_type() == "text/plain"]
                if plain:
                    children = [c for c in children if c.get_content_type() != "text/html"]
            for child in reversed(children):
                stack.append((child, depth + 1))
            continue
        _take_leaf(part, content_type, walk, limits)
    return walk


def _take_forwarded(part: Message, walk: _Walk, limits: dict[str, int]) -> None:
    inner = _children(part)
    if inner:
        try:
            data = inner[0].as_bytes()
        except Exception:
            data = b""
    else:
        data = _part_bytes(part)
    _keep_file(walk, _filename(part) or f"message-{walk.parts}.eml", "message/rfc822", data, limits)


def _keep_file(
    walk: _Walk, name: str, content_type: str, data: bytes, limits: dict[str, int]
) -> None:
    if len(data) > limits["attachment_bytes"]:
        walk.warnings.append(Warning_("attachment_too_large", f"{name} ({len(data)} B)"))
        return
    if len(walk.attachments) >= limits["attachments"]:
        walk.warnings.append(Warning_("too_many_attachments", name))
        return
    walk.attachments.append(ParsedAttachment(name=name, content_type=content_type, data=data))


def _take_leaf(part: Message, content_type: str, walk: _Walk, limits: dict[str, int]) -> None:
    name = _filename(part)
    if not name and not _is_attachment(part, content_type):
        data = _part_bytes(part)
        text, problem = _decode_bytes(data, part.get_content_charset())
        if problem:
            walk.warnings.append(Warning_(problem, str(part.get_content_charset() or "")))
        (walk.plain if content_type == "text/plain" else walk.html).append(text)
        return
    if not name:
        extension = {"text/html": ".html", "text/plain": ".txt"}.get(content_type, "")
        name = f"part-{walk.parts}{extension}"
    _keep_file(walk, name, content_type, _part_bytes(part), limits)


# --- delivery status notifications ---------------------------------------------------


def _bounce_of(message: Message) -> Bounce | None:
    if message.get_content_type() != "multipart/report":
        return None
    report_type = message.get_param("report-type")
    if not isinstance(report_type, str) or report_type.lower() != "delivery-status":
        return None
    parts = _children(message)
    recipients: list[str] = []
    status = diagnostic = ""
    failed = False
    originals: list[str] = []
    for part in parts:
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            failed, status, diagnostic = _read_status(part, recipients)
        elif kind in ("message/rfc822", "text/rfc822-headers"):
            originals.extend(_original_ids(part))
    if not failed:
        return None
    return Bounce(tuple(originals), tuple(recipients), status, diagnostic)


def _read_status(part: Message, recipients: list[str]) -> tuple[bool, str, str]:
    blocks = _children(part)
    texts: list[str] = []
    if blocks:
        for block in blocks:
            texts.extend(f"{k}: {v}" for k, v in block.items())
    else:
        texts.append(_part_bytes(part).decode("utf-8", "replace"))
    failed, status, diagnostic = False, "", ""
    for line in "\n".join(texts).splitlines():
        key, _, value = line.partition(":")
        key, value = key.strip().lower(), clean_header_value(value, 300)
        if key == "action" and value.lower() == "failed":
            failed = True
        elif key == "status":
            status = value
        elif key == "diagnostic-code":
            diagnostic = value
        elif key == "final-recipient":
            recipients.append(value.split(";")[-1].strip().lower())
    return failed, status, diagnostic


def _original_ids(part: Message) -> list[str]:
    if part.get_content_type() == "message/rfc822":
        inner = _children(part)
        if inner:
            return message_ids(inner[0], "Message-ID")
        return []
    headers = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(
        _part_bytes(part)
    )
    return message_ids(headers, "Message-ID")


# --- the whole message ---------------------------------------------------------------

_NOISE_HEADERS = (
    "Auto-Submitted", "Precedence", "X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress",
    "X-Autogenerated", "List-Id", "List-Unsubscribe", "Return-Path", "X-Truedesk-Loop",
    "X-Loop", "X-Failed-Recipients", "Content-Language",
)  # fmt: skip


def guess_language(text: str) -> str:
    """A cheap guess for a new customer's language: en, lt, uk or ru."""
    sample = text[:4000].lower()
    if re.search(r"[ąčęėįšųūž]", sample):
        return "lt"
    if re.search(r"[іїєґ]", sample):
        return "uk"
    if re.search(r"[\u0430-\u044f\u0451]", sample):
        return "ru"
    return "en"


def parse_message(raw: bytes, *, limits: dict[str, int]) -> ParsedEmail:
    """Parse one raw message; `limits` holds attachment_bytes and attachments."""
    blobs = _Blobs(raw)
    reset = _blobs.set(blobs)
    try:
        return _parse(raw, blobs.skeleton, limits)
    finally:
        _blobs.reset(reset)


def _parse(raw: bytes, skeleton: bytes, limits: dict[str, int]) -> ParsedEmail:
    too_deep = False
    try:
        message = email.parser.BytesParser(policy=email.policy.compat32).parsebytes(skeleton)
    except RecursionError:
        # The stdlib parser recurses per MIME level: read the headers only and
        # keep the body as a file for the agent.
        message = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw)
        message.set_type("text/plain")
        message.set_payload("")
        too_deep = True
    name, address = parse_sender(message)
    parsed = ParsedEmail(
        message_key=message_key_of(message, raw),
        message_id=(message_ids(message, "Message-ID") or [""])[0],
        sender_name=name,
        sender_address=address,
        subject=header_text(message, "Subject"),
        in_reply_to=message_ids(message, "In-Reply-To"),
        references=message_ids(message, "References"),
        headers={h: header_text(message, h, 300) for h in _NOISE_HEADERS if message.get(h)},
    )
    if any(len(str(v)) > MAX_HEADER_CHARS for _k, v in message.raw_items()):
        parsed.warnings.append(Warning_("header_truncated"))
    if message.defects:
        parsed.warnings.append(
            Warning_("malformed", ", ".join(type(d).__name__ for d in message.defects[:5]))
        )
    parsed.bounce = _bounce_of(message)
    walk = _walk(message, limits)
    if too_deep:
        walk.warnings.append(Warning_("too_deep", str(MAX_DEPTH)))
        _keep_file(walk, "message.eml", "message/rfc822", raw, limits)
    parsed.attachments = walk.attachments
    parsed.warnings.extend(walk.warnings)
    plain = "\n\n".join(t.strip() for t in walk.plain if t.strip())
    if walk.html:
        parsed.html = sanitize_html("\n".join(walk.html))[: MAX_TEXT_CHARS * 2]
    text = plain or html_to_text(parsed.html)
    if len(text) > MAX_TEXT_CHARS:
        parsed.warnings.append(Warning_("text_truncated", str(len(text))))
        text = text[:MAX_TEXT_CHARS]
    # One line ending, "\n", whatever the sender's client or transport used.
    parsed.full_text = text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
    parsed.visible_text = strip_quoted(parsed.full_text)
    parsed.language = guess_language(f"{parsed.subject}\n{parsed.visible_text}")
    return parsed

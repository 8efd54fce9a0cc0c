# ruff: noqa: RUF001
"""Find where a reply's own words end: quoted history, reply headers and signatures.

Pure text functions; the full original is always kept next to the result.
Reply headers are recognised in English, Lithuanian, Ukrainian, Russian and the
common western languages, plus Outlook's "Original Message" and From/Sent blocks.
"""

from __future__ import annotations

import re

# "On Mon, 3 Jun 2024 at 10:00, Dave <dave@example.com> wrote:" and its translations;
# matched against one line or two joined lines (clients wrap long ones).
_ATTRIBUTION = re.compile(
    r"""^.{0,300}?(
        \bwrote\s*:                      # English
      | \brašė\s*:                       # Lithuanian
      | \bпише\s*:                       # Ukrainian
      | \bнаписав(\(ла\))?\s*:           # Ukrainian
      | \bнаписала?(\s*\(а\))?\s*:       # Russian: написал, написала, написал(а)
      | \bпишет\s*:                      # Russian
      | \bschrieb\b.{0,40}:              # German
      | \ba\s+écrit\s*:                  # French
      | \bescribió\s*:                   # Spanish
      | \bescreveu\s*:                   # Portuguese
      | \bha\s+scritto\s*:               # Italian
      | \bschreef\b.{0,40}:              # Dutch
      | \bnapisał(\(a\))?\s*:            # Polish
      | \bskrev\b.{0,40}:                # Scandinavian
      | \bkirjoitti\s*:                  # Finnish
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_SEPARATOR = re.compile(
    r"""^\s*-{2,}\s*(
        original\s+message | ursprüngliche\s+nachricht | message\s+d'origine
      | mensaje\s+original | messaggio\s+originale | oorspronkelijk\s+bericht
      | исходное\s+сообщение | оригинальное\s+сообщение | пересылаемое\s+сообщение
      | оригінальне\s+повідомлення | вихідне\s+повідомлення | початкове\s+повідомлення
      | pradinis\s+laiškas | originalus\s+laiškas | originali\s+žinutė
    )\s*-{2,}\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
# Outlook's header block: "From: …" followed within a few lines by "Sent: …".
_FROM = re.compile(r"^\s*\**(from|von|de|da|van|od|от|від|nuo|lähettäjä)\s*:\**\s*\S", re.I)
_SENT = re.compile(
    r"^\s*\**(sent|date|gesendet|envoyé|enviado|inviato|verzonden|wysłano|"
    r"отправлено|дата|надіслано|відправлено|išsiųsta|data|lähetetty)\s*:\**\s*\S",
    re.IGNORECASE,
)
_MOBILE = re.compile(
    r"^\s*(sent from my \w+|get outlook for \w+|отправлено с (моего )?\w+|"
    r"надіслано з (мого )?\w+|išsiųsta iš (mano )?\w+)",
    re.IGNORECASE,
)
_SIGNATURE = re.compile(r"^--\s?$")


def _cut_at(lines: list[str]) -> int | None:
    """Index of the first line that starts quoted history or a signature, or None."""
    own = [i for i, line in enumerate(lines) if line.strip() and not line.startswith(">")]
    last_own = own[-1] if own else -1
    for index, line in enumerate(lines):
        if _SIGNATURE.match(line) or _SEPARATOR.match(line) or _MOBILE.match(line):
            return index
        if _ATTRIBUTION.match(line):
            return index
        if index + 1 < len(lines) and _ATTRIBUTION.match(f"{line} {lines[index + 1]}"):
            return index
        if _FROM.match(line) and any(_SENT.match(nxt) for nxt in lines[index + 1 : index + 5]):
            return index
        if line.startswith(">") and index > last_own:
            return index
    return None


def strip_quoted(text: str) -> str:
    """The new part of a reply; the whole text when nothing of it would be left."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cut = _cut_at(lines)
    if cut is None:
        return text.strip()
    visible = "\n".join(lines[:cut]).strip()
    return visible or text.strip()

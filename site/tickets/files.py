"""Attachment files: content-based type checks and private storage under random names.

Types are decided by the bytes (magic numbers through ``filetype``, a strict UTF-8 check for plain text),
never by the name or the browser's claim; a name whose extension disagrees with the content is refused, so
``invoice.pdf`` holding HTML never gets in. Files live in ``PRIVATE_MEDIA_ROOT/tickets/`` (outside the
web root) under 32 random hex characters and are served only by permission-checked views.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# Detected MIME type -> file name extensions that may carry it.
ALLOWED_TYPES: dict[str, frozenset[str]] = {
    "image/png": frozenset({"png"}),
    "image/jpeg": frozenset({"jpg", "jpeg"}),
    "image/gif": frozenset({"gif"}),
    "image/webp": frozenset({"webp"}),
    "application/pdf": frozenset({"pdf"}),
    "application/zip": frozenset({"zip"}),
    "text/plain": frozenset({"txt", "log", "csv", "conf", "cfg"}),
}
ALLOWED_DESCRIPTION = "PNG, JPEG, GIF, WebP, PDF, ZIP, plain text (.txt, .log, .csv, .conf)"
# Images a browser may show inline: raster formats only (SVG can carry script, so it is never allowed).
PREVIEWABLE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
STORED_NAME = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the checks, ready to store."""

    name: str
    content: bytes
    content_type: str
    size: int
    sha256: str


def _clean_name(raw: str) -> str:
    name = os.path.basename((raw or "").replace("\\", "/")).strip()
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>')
    return name[-200:] or "attachment"


def _is_text(content: bytes) -> bool:
    if b"\x00" in content:
        return False
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def inspect_upload(upload, *, max_bytes: int | None = None) -> CheckedFile:
    """Check one uploaded file (anything with ``name`` and ``read()``); a ValidationError says what is wrong."""
    max_bytes = max_bytes if max_bytes is not None else settings.TICKET_ATTACHMENT_MAX_BYTES
    name = _clean_name(getattr(upload, "name", ""))
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(
            _("%(name)s is %(size)s; attachments can be at most %(max)s.")
            % {"name": name, "size": filesizeformat(size), "max": filesizeformat(max_bytes)}
        )
    if hasattr(upload, "seek"):
        upload.seek(0)
    content = upload.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise ValidationError(
            _("%(name)s is larger than %(max)s, the most an attachment can be.")
            % {"name": name, "max": filesizeformat(max_bytes)}
        )
    if not content:
        raise ValidationError(_("%(name)s is empty; attach a file with something in it.") % {"name": name})
    kind = filetype.guess(content[:8192])
    if kind is not None:
        content_type = kind.mime
    elif _is_text(content):
        content_type = "text/plain"
    else:
        content_type = "application/octet-stream"
    if content_type not in ALLOWED_TYPES:
        raise ValidationError(
            _("%(name)s is not a file type we accept. Allowed: %(allowed)s.")
            % {"name": name, "allowed": ALLOWED_DESCRIPTION}
        )
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED_TYPES[content_type]:
        raise ValidationError(
            _(
                "%(name)s does not contain what its name says (its content is %(type)s). "
                "Rename it or attach the right file."
            )
            % {"name": name, "type": content_type}
        )
    return CheckedFile(
        name=name,
        content=content,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )


def storage_dir() -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT) / "tickets"


def store(content: bytes) -> str:
    """Write ``content`` under a new random name in the private directory; returns the name."""
    directory = storage_dir()
    directory.mkdir(parents=True, exist_ok=True)
    stored_name = secrets.token_hex(16)
    descriptor = os.open(directory / stored_name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)
    return stored_name


def path_of(stored_name: str) -> Path:
    """The file's path; refuses anything but a name this module made (no path tricks)."""
    if not STORED_NAME.match(stored_name or ""):
        raise ValueError("Not a stored attachment name.")
    return storage_dir() / stored_name

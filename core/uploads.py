"""What files the site accepts (the library, mentoring pairs): an allow-list checked against the content.

``inspect_upload(file)`` reads the first bytes (and, for zip-based Office files,
the zip directory) and returns the content type to store and serve; anything
else raises ``ValidationError`` with a message a teacher understands. The
checks are magic numbers written out here so no native library is needed.
"""

import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
TEXT_SAMPLE_BYTES = 64 * 1024

# Extensions a type may carry; a mismatch is refused so a download never
# opens in a program that expects something else.
OOXML = {
    "word/": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", {".docx"}),
    "xl/": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", {".xlsx"}),
    "ppt/": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", {".pptx"}),
}
LEGACY_OFFICE = {
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".ppt": "application/vnd.ms-powerpoint",
}
TEXT_EXTENSIONS = {".txt", ".md", ".csv", ""}

ALLOWED_DESCRIPTION = "PDF, Word, Excel, PowerPoint, PNG, JPEG, GIF, WebP or plain text"


@dataclass(frozen=True)
class Inspected:
    content_type: str
    size: int


def _refuse(name):
    return ValidationError(
        "“%(name)s” is not a file type the library accepts. Upload a %(allowed)s file.",
        code="file_type",
        params={"name": name, "allowed": ALLOWED_DESCRIPTION},
    )


def _sniff_head(head):
    if head.startswith(b"%PDF-"):
        return "application/pdf", {".pdf"}
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png", {".png"}
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg", {".jpg", ".jpeg"}
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif", {".gif"}
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", {".webp"}
    return None, set()


def _sniff_zip(file):
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None, set()
    if "[Content_Types].xml" not in names:
        return None, set()
    for prefix, (content_type, extensions) in OOXML.items():
        if any(name.startswith(prefix) for name in names):
            return content_type, extensions
    return None, set()


def _is_utf8_text(sample, complete):
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        return not complete and exc.start >= len(sample) - 3
    return True


# Control characters other than tab, line feed, form feed and carriage return: not text.
_NOT_TEXT = bytes(set(range(32)) - {9, 10, 12, 13})


def _looks_like_text(data):
    return not any(byte in _NOT_TEXT for byte in data)


def as_utf8_text(file):
    """A text file (.txt, .md, .csv) saved in Windows-1252 ("café" from Notepad or Excel), converted to UTF-8.

    Any other file, and text that is already UTF-8, comes back as it is.
    """
    name = PurePath(file.name or "file").name
    too_big = file.size is None or file.size > settings.RESOURCE_UPLOAD_MAX_BYTES
    if PurePath(name).suffix.lower() not in TEXT_EXTENSIONS - {""} or too_big:
        return file
    file.seek(0)
    data = file.read()
    file.seek(0)
    if _is_utf8_text(data, complete=True) or not _looks_like_text(data):
        return file
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return file
    return ContentFile(text.encode("utf-8"), name=name)


def _refuse_encoding(name):
    return ValidationError(
        "“%(name)s” is text in an encoding we cannot read. Save it as UTF-8 (in your editor choose "
        "“Save As” and the encoding “UTF-8”) and upload it again.",
        code="file_encoding",
        params={"name": name},
    )


def inspect_upload(file):
    """Check size and content of an uploaded file; return what to store or raise ValidationError."""
    name = PurePath(file.name or "file").name
    extension = PurePath(name).suffix.lower()
    limit = settings.RESOURCE_UPLOAD_MAX_BYTES
    if file.size is None or file.size > limit:
        raise ValidationError(
            "“%(name)s” is %(size)s; the library accepts files up to %(limit)s.",
            code="file_size",
            params={"name": name, "size": filesizeformat(file.size or 0), "limit": filesizeformat(limit)},
        )
    if file.size == 0:
        raise ValidationError("“%(name)s” is empty.", code="file_empty", params={"name": name})

    file.seek(0)
    head = file.read(TEXT_SAMPLE_BYTES)
    content_type, extensions = _sniff_head(head)
    if content_type is None and head.startswith(b"PK\x03\x04"):
        content_type, extensions = _sniff_zip(file)
    elif content_type is None and head.startswith(OLE_MAGIC):
        if extension in LEGACY_OFFICE:
            content_type, extensions = LEGACY_OFFICE[extension], {extension}
    elif content_type is None and _is_utf8_text(head, complete=file.size <= TEXT_SAMPLE_BYTES):
        content_type, extensions = "text/plain; charset=utf-8", TEXT_EXTENSIONS
    file.seek(0)
    if content_type is None and extension in TEXT_EXTENSIONS and _looks_like_text(head):
        raise _refuse_encoding(name)
    if content_type is None or extension not in extensions:
        raise _refuse(name)
    return Inspected(content_type=content_type, size=file.size)

"""People's pictures: the upload checks and re-encoding, and the initials shown when there is none.

``process_upload(file)`` refuses what is not a picture (Pillow must open and verify it), what is
too big in bytes or in pixels (checked before any pixel is decoded), and returns a new 256 px
square WebP image, cropped to the centre and turned upright, made from the pixels alone: EXIF
(GPS position, camera, date), XMP, ICC and comments never reach the stored file.

``initials(name)`` and ``colour_class(key)`` give the fallback: up to two letters on one of
``PALETTE``'s colours, picked by a stable hash of the username, so a person keeps their colour
on every page and after a change of display name. Every colour gives white text at least
4.5:1 contrast (tests/accounts/test_avatars.py measures it, and checks static/css/avatars.css).
"""

import io
import re
import uuid
import zlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.urls import reverse

SIZE = 256  # stored width and height, in pixels (shown at up to 128 CSS px, so sharp on 2x screens)
FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
ACCEPT = "image/jpeg,image/png,image/gif,image/webp"  # the file field's ``accept``: the picker offers pictures
# A picture this many pixels or more is refused before it is decoded: 8000 x 5000, far beyond any
# phone camera, and a small file that claims huge dimensions (a "decompression bomb") stops here.
MAX_PIXELS = 40_000_000
STORED_FORMAT, STORED_EXTENSION = "WEBP", "webp"
TEXT_COLOUR = "#ffffff"
# Background colours of the initials, each >= 4.5:1 against TEXT_COLOUR. The order is part of
# the hash's meaning: append new colours at the end, or everyone's colour moves.
PALETTE = (
    "#1d4ed8",  # blue
    "#0f766e",  # teal
    "#15803d",  # green
    "#b45309",  # amber
    "#b91c1c",  # red
    "#be185d",  # pink
    "#7e22ce",  # purple
    "#4338ca",  # indigo
    "#0369a1",  # sky
    "#a21caf",  # fuchsia
    "#4d7c0f",  # olive
    "#57534e",  # stone
)


KEY = re.compile(r"[0-9a-f]{32}")  # the random part of a stored name (uuid4().hex)


def stored_name(_instance=None, _filename=""):
    """A random name under avatars/: the uploaded name never reaches the storage and cannot be guessed."""
    return f"avatars/{uuid.uuid4().hex}.{STORED_EXTENSION}"


def _refuse(message, code, **params):
    return ValidationError(message, code=code, params=params)


def process_upload(file):
    """Check ``file`` (an UploadedFile) and return the picture to store as a ContentFile, or raise ValidationError.

    The size in bytes is checked first (the request's size was already limited by
    core.middleware); then Pillow reads only the header (format, dimensions) before it
    verifies and decodes the picture.
    """
    # Pillow is imported here, by the one request that needs it: a web worker that never receives a
    # picture does not carry it (issue 19, memory).
    from PIL import Image, ImageOps, UnidentifiedImageError

    limit = settings.AVATAR_UPLOAD_MAX_BYTES
    if not file or file.size == 0:
        raise _refuse("That file is empty. Choose a photo or picture to upload.", "empty")
    if file.size > limit:
        raise _refuse(
            "That picture is %(size)s; the limit is %(limit)s. Choose a smaller one, or resize it first.",
            "too_big",
            size=filesizeformat(file.size),
            limit=filesizeformat(limit),
        )
    not_a_picture = _refuse(
        "“%(name)s” is not a picture we can read. Upload a JPEG, PNG, GIF or WebP image.",
        "not_an_image",
        name=file.name,
    )
    try:
        file.seek(0)
        with Image.open(file) as probe:
            if probe.format not in FORMATS:
                raise not_a_picture
            width, height = probe.size
            if width * height >= MAX_PIXELS:
                raise _refuse(
                    "That picture is %(width)s by %(height)s pixels, too large to use. Choose a smaller one.",
                    "too_many_pixels",
                    width=width,
                    height=height,
                )
            probe.verify()
        file.seek(0)
        with Image.open(file) as picture:
            # A JPEG decodes at a fraction of its size when that is still at least SIZE: much less work.
            picture.draft("RGB", (SIZE, SIZE))
            upright = ImageOps.exif_transpose(picture)
            has_alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
            upright = upright.convert("RGBA" if has_alpha else "RGB")
            square = ImageOps.fit(upright, (SIZE, SIZE), method=Image.Resampling.LANCZOS)
            # A new image from the pixels only: ``info`` (exif, xmp, icc_profile, comments) stays behind.
            clean = Image.frombytes(square.mode, square.size, square.tobytes())
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError, EOFError):
        raise not_a_picture from None
    out = io.BytesIO()
    clean.save(out, STORED_FORMAT, quality=85, method=4)
    return ContentFile(out.getvalue(), name=stored_name())


def initials(name):
    """Up to two capital letters: the first of the first and of the last word ("Ms. Ana Rivera" -> "MR")."""
    words = [w for w in (word.strip(".,;:'\"()[]-_@") for word in (name or "").split()) if w]
    letters = [next((c for c in word if c.isalnum()), "") for word in (words[:1] + words[1:][-1:])]
    return "".join(letters).upper() or "?"


def colour_index(key):
    """Which of PALETTE's colours belongs to ``key``: the same on every machine and every run."""
    return zlib.crc32((key or "").casefold().encode()) % len(PALETTE)


def colour_class(key):
    return f"avatar-c{colour_index(key)}"


def colour(key):
    """The background colour (``#rrggbb``) of ``key``'s initials: what ``colour_class`` paints, for the API."""
    return PALETTE[colour_index(key)]


def picture_path(person):
    """Where ``person``'s picture is served (accounts.views.avatar_file), or "" without one."""
    name = person.avatar.name if person is not None and person.avatar else ""
    if not name.startswith("avatars/"):
        return ""
    key = name.removeprefix("avatars/").removesuffix(f".{STORED_EXTENSION}")
    return reverse("accounts:avatar_file", kwargs={"key": key})

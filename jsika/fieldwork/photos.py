"""Photos sent by phones: decoded from a data URL, checked to be a real JPEG/PNG/WebP of at most 200 KB.

The phone compresses the picture (canvas → JPEG) before it is queued; the server still refuses
anything too large or that is not an image, judged by its bytes (magic number and a full decode),
never by the name or the declared type.
"""

import base64
import binascii
import hashlib
import io
import re
import uuid

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from .models import PHOTO_MAX_BYTES

_DATA_URL = re.compile(r"^data:(?P<type>[\w.+/-]*)(;[\w=.+-]+)*;base64,(?P<data>.*)$", re.S)
# (extension, magic check) per accepted format.
_FORMATS = (
    ("jpg", lambda b: b[:3] == b"\xff\xd8\xff"),
    ("png", lambda b: b[:8] == b"\x89PNG\r\n\x1a\n"),
    ("webp", lambda b: b[:4] == b"RIFF" and b[8:12] == b"WEBP"),
)
_PIL_FORMATS = {"jpg": "JPEG", "png": "PNG", "webp": "WEBP"}


class PhotoError(ValueError):
    """A photo the server refuses; ``str(error)`` says why, in Bahasa Indonesia."""


def decode_photo(value: str) -> bytes:
    """The bytes of a ``data:image/...;base64,...`` URL (or bare base64)."""
    match = _DATA_URL.match(value.strip())
    payload = match.group("data") if match else value.strip()
    # A photo may not exceed PHOTO_MAX_BYTES: refuse a giant string before decoding it.
    if len(payload) > (PHOTO_MAX_BYTES * 4) // 3 + 8:
        raise PhotoError(_("Foto terlalu besar: paling besar %(kb)s KB.") % {"kb": PHOTO_MAX_BYTES // 1024})
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise PhotoError(_("Foto tidak dapat dibaca (bukan base64 yang sah).")) from None


def check_photo(data: bytes) -> str:
    """The extension of a valid photo (``jpg``, ``png`` or ``webp``); PhotoError otherwise."""
    if not data:
        raise PhotoError(_("Foto kosong."))
    if len(data) > PHOTO_MAX_BYTES:
        raise PhotoError(_("Foto terlalu besar (%(size)s KB): paling besar %(kb)s KB.")
                         % {"size": round(len(data) / 1024), "kb": PHOTO_MAX_BYTES // 1024})
    ext = next((ext for ext, is_it in _FORMATS if is_it(data)), None)
    if ext is None:
        raise PhotoError(_("Berkas foto bukan gambar JPEG, PNG atau WebP."))
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != _PIL_FORMATS[ext]:
                raise PhotoError(_("Isi berkas foto tidak sesuai dengan jenisnya."))
            image.verify()
    except PhotoError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise PhotoError(_("Berkas foto rusak atau bukan gambar (%(why)s).") % {"why": type(exc).__name__}) from None
    return ext


def photo_file(data: bytes, ext: str) -> ContentFile:
    return ContentFile(data, name=f"{uuid.uuid4().hex}.{ext}")


def photo_digest(data: bytes | None) -> str:
    return hashlib.sha256(data).hexdigest() if data else ""

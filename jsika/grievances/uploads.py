"""Checks of the photo attached to a grievance: size and real image type, read from the file's first bytes.

The browser's content type and the file name are whatever the sender says; the bytes are not.
"""

from django.conf import settings
from django.utils.translation import gettext as _

# (extension, content type, test on the first bytes)
IMAGE_SIGNATURES = [
    ("jpg", "image/jpeg", lambda h: h[:3] == b"\xff\xd8\xff"),
    ("png", "image/png", lambda h: h[:8] == b"\x89PNG\r\n\x1a\n"),
    ("webp", "image/webp", lambda h: h[:4] == b"RIFF" and h[8:12] == b"WEBP"),
]
CONTENT_TYPES = {ext: ctype for ext, ctype, _test in IMAGE_SIGNATURES}


class PhotoRejected(ValueError):
    """The photo cannot be accepted; ``str()`` is the message for the person."""


def max_photo_bytes() -> int:
    return int(getattr(settings, "JSIKA_GRIEVANCE_PHOTO_MAX_BYTES", 2 * 1024 * 1024))


def sniff_image(head: bytes) -> str | None:
    """``jpg``, ``png`` or ``webp`` when the bytes start like one, else None."""
    for ext, _ctype, test in IMAGE_SIGNATURES:
        if test(head):
            return ext
    return None


def check_photo(upload) -> str:
    """The photo's real extension, or PhotoRejected: over the size limit or not a JPEG/PNG/WebP image."""
    limit = max_photo_bytes()
    if upload.size > limit:
        raise PhotoRejected(_("Foto terlalu besar (%(size)s MB); paling besar %(max)s MB.") % {
            "size": f"{upload.size / 1_048_576:.1f}".replace(".", ","), "max": f"{limit / 1_048_576:g}"})
    if upload.size == 0:
        raise PhotoRejected(_("Berkas foto kosong."))
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    ext = sniff_image(head)
    if ext is None:
        raise PhotoRejected(_("Berkas bukan foto JPEG, PNG atau WebP."))
    return ext

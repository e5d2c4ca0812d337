"""A small arithmetic question for the public form that needs no third-party service.

The question travels in a signed token (``django.core.signing``) with the time it was asked and a
one-time nonce, so an answer is accepted once, not too fast (bots post instantly), and not after two hours.
A hidden honeypot field that people never fill completes the trap.
"""

import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.translation import gettext as _

SALT = "jsika.grievances.challenge"
MAX_AGE = 2 * 3600
_random = secrets.SystemRandom()


class ChallengeFailed(Exception):
    """The answer, its timing or its token is not acceptable; ``str()`` is the message for the person."""


@dataclass(frozen=True)
class Challenge:
    question: str
    token: str


def min_fill_seconds() -> int:
    return int(getattr(settings, "JSIKA_GRIEVANCE_MIN_FILL_SECONDS", 3))


def make_token(a: int, b: int, *, issued_at: float | None = None, nonce: str | None = None) -> str:
    payload = {"a": a, "b": b, "t": int(issued_at if issued_at is not None else time.time()),
               "n": nonce or secrets.token_hex(8)}
    return signing.dumps(payload, salt=SALT, compress=False)


def new_challenge() -> Challenge:
    a, b = _random.randint(2, 9), _random.randint(1, 9)
    return Challenge(question=_("Berapa %(a)s ditambah %(b)s?") % {"a": a, "b": b}, token=make_token(a, b))


def verify(token: str, answer, *, now: float | None = None) -> None:
    """Accept the answer once, or raise ChallengeFailed saying why."""
    now = now if now is not None else time.time()
    try:
        data = signing.loads(token or "", salt=SALT, max_age=MAX_AGE)
    except signing.SignatureExpired as exc:
        raise ChallengeFailed(_("Pertanyaan pengaman sudah kedaluwarsa; jawab pertanyaan yang baru.")) from exc
    except signing.BadSignature as exc:
        raise ChallengeFailed(_("Pertanyaan pengaman tidak sah; muat ulang halaman.")) from exc
    if now - data["t"] > MAX_AGE:
        raise ChallengeFailed(_("Pertanyaan pengaman sudah kedaluwarsa; jawab pertanyaan yang baru."))
    if now - data["t"] < min_fill_seconds():
        raise ChallengeFailed(_("Formulir dikirim terlalu cepat; periksa isian lalu kirim lagi."))
    try:
        given = int(str(answer).strip())
    except ValueError as exc:
        raise ChallengeFailed(_("Jawab pertanyaan pengaman dengan angka.")) from exc
    if given != data["a"] + data["b"]:
        raise ChallengeFailed(_("Jawaban pertanyaan pengaman salah."))
    if not cache.add(f"jsika:grievances:challenge:{data['n']}", 1, MAX_AGE):
        raise ChallengeFailed(_("Pertanyaan pengaman ini sudah dipakai; jawab pertanyaan yang baru."))

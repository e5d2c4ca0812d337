"""Ticket codes: random, readable aloud, and useless to guess.

A code is ``JSK-`` and three groups of four symbols drawn by ``secrets`` from 32 symbols that
cannot be confused on a poster or over the phone (no 0/O, no 1/I): 12 × 5 = 60 random bits.
Nothing in it depends on the time, the region or the order of filing.
"""

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
PREFIX = "JSK"
GROUPS = 3
GROUP_SIZE = 4
RANDOM_BITS = GROUPS * GROUP_SIZE * 5
TICKET_RE = re.compile(rf"^{PREFIX}(-[{ALPHABET}]{{{GROUP_SIZE}}}){{{GROUPS}}}$")
_NOISE = re.compile(r"[\s\-_.]")


def new_ticket() -> str:
    """A fresh random code such as ``JSK-7F3K-9QX2-M4PA``."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_SIZE))
    groups = [body[i:i + GROUP_SIZE] for i in range(0, len(body), GROUP_SIZE)]
    return "-".join([PREFIX, *groups])


def normalize_ticket(raw: str | None) -> str | None:
    """The canonical code for what a person typed (any case, with or without dashes or the prefix), or None."""
    text = _NOISE.sub("", (raw or "").upper())[:40]
    if text.startswith(PREFIX):
        text = text[len(PREFIX):]
    if len(text) != GROUPS * GROUP_SIZE or any(c not in ALPHABET for c in text):
        return None
    return "-".join([PREFIX, *(text[i:i + GROUP_SIZE] for i in range(0, len(text), GROUP_SIZE))])

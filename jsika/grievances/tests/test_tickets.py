"""Tickets reveal nothing and cannot be guessed or enumerated."""

import math
import re

import pytest

from jsika.grievances.tickets import ALPHABET, RANDOM_BITS, TICKET_RE, new_ticket, normalize_ticket

from .factories import file


def test_ticket_has_the_readable_format_and_at_least_40_random_bits():
    ticket = new_ticket()
    assert TICKET_RE.match(ticket), ticket
    assert re.fullmatch(r"JSK-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", ticket)
    assert len(set(ALPHABET)) == 32 and not set("01OI") & set(ALPHABET)
    assert RANDOM_BITS == 12 * math.log2(len(ALPHABET)) >= 40


def test_tickets_do_not_repeat_and_use_the_whole_alphabet():
    tickets = [new_ticket() for _ in range(5000)]
    assert len(set(tickets)) == 5000
    symbols = "".join(t[4:].replace("-", "") for t in tickets)
    counts = {c: symbols.count(c) for c in ALPHABET}
    expected = len(symbols) / 32
    assert all(0.8 * expected < n < 1.2 * expected for n in counts.values()), counts


@pytest.mark.django_db
def test_sequential_filings_give_unrelated_tickets(regions):
    tickets = [file().ticket for _ in range(6)]
    bodies = [t[4:].replace("-", "") for t in tickets]
    for a, b in zip(bodies, bodies[1:], strict=False):
        same_positions = sum(x == y for x, y in zip(a, b, strict=True))
        assert same_positions <= 4, (a, b)  # 12 random symbols share ~0.4 positions by chance
        assert a[:4] != b[:4]


def test_normalize_accepts_what_people_type_and_rejects_the_rest():
    assert normalize_ticket("jsk-7f3k-9qx2-m4pa") == "JSK-7F3K-9QX2-M4PA"
    assert normalize_ticket(" 7F3K 9QX2 M4PA ") == "JSK-7F3K-9QX2-M4PA"
    assert normalize_ticket("JSK7F3K9QX2M4PA") == "JSK-7F3K-9QX2-M4PA"
    for bad in ["", None, "JSK-7F3K-9QX2", "JSK-7F3K-9QX2-M4P0", "1 OR 1=1", "../../etc/passwd", "JSK-" + "A" * 40]:
        assert normalize_ticket(bad) is None, bad

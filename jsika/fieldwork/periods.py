"""Months as periods (``YYYY-MM``): the unit of compliance verification and of facilitator reports."""

import calendar
import re
from collections.abc import Iterable
from datetime import date

_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def is_period(value: str) -> bool:
    return bool(_PERIOD.match(value or ""))


def parse(period: str) -> tuple[date, date]:
    """First and last day of ``period``; ValueError for anything but ``YYYY-MM``."""
    match = _PERIOD.match(period or "")
    if not match:
        raise ValueError(f"period must be YYYY-MM, not {period!r}")
    year, month = int(match.group(1)), int(match.group(2))
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def shift(period: str, months: int) -> str:
    start, _ = parse(period)
    index = start.year * 12 + start.month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def before(period: str, count: int) -> list[str]:
    """The ``count`` periods just before ``period``, most recent first."""
    return [shift(period, -i) for i in range(1, count + 1)]


def as_list(periods: str | Iterable[str]) -> list[str]:
    """One period or several (a payment cycle of three months), each checked."""
    values = [periods] if isinstance(periods, str) else list(periods)
    for value in values:
        parse(value)
    return values


MONTHS_ID = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
             "November", "Desember"]


def label(period: str) -> str:
    start, _ = parse(period)
    return f"{MONTHS_ID[start.month - 1]} {start.year}"

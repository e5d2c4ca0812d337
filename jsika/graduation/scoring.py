"""The self-reliance score: pure arithmetic on an instrument version and the answers given.

score = 100 × Σ(weight × points of the chosen option) / Σ(weight × best points of the indicator),
rounded half up to one decimal, computed with exact fractions so the same answers and the same
version always give the same score on any machine and database.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils.translation import gettext as _

from .models import Assessment, Instrument


class ScoringError(Exception):
    """The answers do not fit the instrument (a missing indicator, an unknown option)."""


@dataclass(frozen=True)
class Line:
    """One indicator's contribution: what was chosen and how much it weighs."""

    code: str
    label: str
    weight: int
    option_id: int
    option_label: str
    points: int
    max_points: int

    @property
    def percent(self) -> int:
        return round(100 * self.points / self.max_points) if self.max_points else 0


@dataclass(frozen=True)
class Result:
    score: Decimal
    band: str
    lines: tuple[Line, ...]


def indicators_of(instrument: Instrument) -> list:
    """The instrument's indicators with their options, in order (prefetched once)."""
    cached = getattr(instrument, "_scoring_indicators", None)
    if cached is None:
        cached = list(instrument.indicators.prefetch_related("options").order_by("order", "pk"))
        instrument._scoring_indicators = cached
    return cached


def _option_id(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def score_answers(instrument: Instrument, answers: dict) -> Result:
    """Score ``answers`` ({indicator code: option id}) with ``instrument``; every indicator must be answered."""
    if not isinstance(answers, dict):
        raise ScoringError(_("Jawaban harus berbentuk {kode indikator: id pilihan}."))
    indicators = indicators_of(instrument)
    known = {i.code for i in indicators}
    unknown = sorted(set(answers) - known)
    if unknown:
        raise ScoringError(_("Indikator tidak dikenal pada %(i)s: %(list)s.")
                           % {"i": instrument, "list": ", ".join(map(str, unknown))})
    lines, total, best = [], Fraction(0), Fraction(0)
    for indicator in indicators:
        options = list(indicator.options.all())
        if indicator.code not in answers or answers[indicator.code] in (None, ""):
            raise ScoringError(_("Indikator \u201c%(label)s\u201d belum dijawab.") % {"label": indicator.label})
        chosen_id = _option_id(answers[indicator.code])
        chosen = next((o for o in options if o.pk == chosen_id), None)
        if chosen is None:
            raise ScoringError(_("Pilihan untuk \u201c%(label)s\u201d tidak ada pada instrumen ini.")
                               % {"label": indicator.label})
        max_points = max(o.score for o in options)
        lines.append(Line(indicator.code, indicator.label, indicator.weight, chosen.pk, chosen.label, chosen.score,
                          max_points))
        total += indicator.weight * chosen.score
        best += indicator.weight * max_points
    if not best:
        raise ScoringError(_("Instrumen %(i)s tidak memiliki poin untuk dinilai.") % {"i": instrument})
    exact = 100 * total / best
    score = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return Result(score=score, band=instrument.band_for(score), lines=tuple(lines))


def normalized_answers(instrument: Instrument, answers: dict) -> dict:
    """The answers as stored: {indicator code: option id (int)}, in the instrument's order."""
    return {i.code: _option_id(answers[i.code]) for i in indicators_of(instrument)}


def rescore(assessment: Assessment) -> Result:
    """Score a stored assessment again from its answers and the version it used (must equal what is stored)."""
    return score_answers(assessment.instrument, assessment.answers)

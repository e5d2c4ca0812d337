"""Scores per instrument version: computed from the answers and the version used; a revision never rewrites history."""

from datetime import date
from decimal import Decimal

import pytest

from jsika.graduation import scoring, services
from jsika.graduation.models import Assessment, Band, Indicator, InstrumentLocked, Option
from jsika.graduation.scoring import ScoringError, score_answers

from .factories import answers, assign_caseload, family, people, v1

pytestmark = pytest.mark.django_db


def _option(instrument, code, label_start):
    return Option.objects.get(indicator__instrument=instrument, indicator__code=code, label__startswith=label_start)


def test_version_1_is_published_with_eight_weighted_indicators():
    instrument = v1()
    codes = [i.code for i in scoring.indicators_of(instrument)]
    assert codes == ["penghasilan", "pekerjaan", "rumah", "aset", "sekolah", "jaminan_kesehatan", "tabungan", "utang"]
    assert instrument.is_published
    assert (instrument.developing_from, instrument.ready_from) == (40, 70)


def test_best_and_worst_answers_score_100_and_0():
    assert score_answers(v1(), answers(level="best")).score == Decimal("100.0")
    worst = score_answers(v1(), answers(level="worst"))
    assert worst.score == Decimal("0.0")
    assert worst.band == Band.NOT_READY


def test_score_is_the_weighted_share_of_the_best_points():
    instrument = v1()
    chosen = answers(level="worst")
    # Income (weight 3) at 2 of 3 points, savings (weight 2) at 3 of 3, the rest 0:
    # (3*2 + 2*3) / (3*3 + 2*3 + 2*2 + 1*3 + 2*3 + 1*3 + 2*3 + 1*3) = 12 / 40
    chosen["penghasilan"] = _option(instrument, "penghasilan", "Di atas garis kemiskinan").pk
    chosen["tabungan"] = _option(instrument, "tabungan", "Cukup untuk lebih").pk
    result = score_answers(instrument, chosen)
    assert result.score == Decimal("30.0")
    assert result.band == Band.NOT_READY
    income = next(line for line in result.lines if line.code == "penghasilan")
    assert (income.points, income.max_points, income.weight) == (2, 3, 3)


def test_bands_follow_the_version_thresholds():
    instrument = v1()
    assert instrument.band_for(Decimal("39.9")) == Band.NOT_READY
    assert instrument.band_for(Decimal("40.0")) == Band.DEVELOPING
    assert instrument.band_for(Decimal("69.9")) == Band.DEVELOPING
    assert instrument.band_for(Decimal("70.0")) == Band.READY


def test_a_missing_or_foreign_answer_is_refused():
    instrument = v1()
    chosen = answers(level="best")
    del chosen["utang"]
    with pytest.raises(ScoringError, match="Utang keluarga"):
        score_answers(instrument, chosen)
    chosen = answers(level="best")
    chosen["utang"] = _option(instrument, "tabungan", "Tidak punya").pk  # an option of another indicator
    with pytest.raises(ScoringError, match="tidak ada pada instrumen"):
        score_answers(instrument, chosen)
    with pytest.raises(ScoringError, match="tidak dikenal"):
        score_answers(instrument, {**answers(level="best"), "warna_rumah": 1})


def test_a_published_version_cannot_be_edited():
    indicator = Indicator.objects.get(instrument=v1(), code="utang")
    indicator.weight = 5
    with pytest.raises(InstrumentLocked):
        indicator.save()
    option = indicator.options.first()
    option.score = 3
    with pytest.raises(InstrumentLocked):
        option.save()
    with pytest.raises(InstrumentLocked):
        option.delete()


def _version_2(by):
    """Version 2 from 2023: savings weigh 4 instead of 2, 'ready' from 75."""
    spec = services.instrument_spec(v1())
    for item in spec:
        if item["code"] == "tabungan":
            item["weight"] = 4
    draft = services.create_instrument_version(by=by, valid_from=date(2023, 1, 1), ready_from=75, indicators=spec,
                                               name="Asesmen kemandirian keluarga (revisi 2023)")
    return services.publish_instrument(instrument=draft, by=by)


def test_a_changed_instrument_is_a_new_version_and_old_assessments_keep_their_score():
    p = people()
    household = family()
    assign_caseload(p["facilitator"], household)
    instrument = v1()
    mixed = answers(level="worst")
    mixed["tabungan"] = _option(instrument, "tabungan", "Cukup untuk lebih").pk
    old = services.record_assessment(by=p["facilitator"], household=household, answers=mixed,
                                     assessed_on=date(2022, 6, 1)).obj
    assert old.instrument == instrument and old.score == Decimal("15.0")  # 6 / 40

    v2 = _version_2(p["manager_banten"])
    assert (v2.version, v2.ready_from) == (2, 75)
    assert Indicator.objects.get(instrument=instrument, code="tabungan").weight == 2  # v1 untouched

    # The same kind of answers, given in 2024, are scored with version 2 (the version in force then).
    mixed_v2 = answers(v2, level="worst")
    mixed_v2["tabungan"] = _option(v2, "tabungan", "Cukup untuk lebih").pk
    new = services.record_assessment(by=p["facilitator"], household=household, answers=mixed_v2,
                                     assessed_on=date(2024, 6, 1)).obj
    assert new.instrument == v2 and new.score == Decimal("26.1")  # 12 / 46

    old.refresh_from_db()
    assert old.score == Decimal("15.0")
    assert scoring.rescore(old).score == old.score and scoring.rescore(new).score == new.score
    assert Assessment.objects.get(pk=old.pk).instrument_id == instrument.pk


def test_new_version_thresholds_decide_the_band():
    p = people()
    household = family()
    assign_caseload(p["facilitator"], household)
    v2 = _version_2(p["manager_banten"])
    chosen = answers(v2, level="best")
    chosen["utang"] = _option(v2, "utang", "Cicilan berat").pk  # 1 of 3 on weight 1: 44 / 46 = 95.7
    a = services.record_assessment(by=p["facilitator"], household=household, answers=chosen,
                                   assessed_on=date(2024, 1, 10)).obj
    assert (a.instrument, a.score, a.band) == (v2, Decimal("95.7"), Band.READY)
    # 72 / 100 would be ready under v1 (70) but only developing under v2 (75)
    assert v1().band_for(Decimal("72")) == Band.READY and v2.band_for(Decimal("72")) == Band.DEVELOPING


def test_only_province_managers_change_the_instrument():
    p = people()
    with pytest.raises(services.GraduationError, match="tingkat provinsi"):
        services.create_instrument_version(by=p["manager"], valid_from=date(2023, 1, 1))
    draft = services.create_instrument_version(by=p["admin"], valid_from=date(2023, 1, 1))
    assert draft.version == 2 and not draft.is_published
    with pytest.raises(services.GraduationError, match="tingkat provinsi"):
        services.publish_instrument(instrument=draft, by=p["operator"])


def test_an_assessment_dated_before_a_version_cannot_use_it():
    p = people()
    household = family()
    assign_caseload(p["facilitator"], household)
    v2 = _version_2(p["manager_banten"])
    with pytest.raises(services.GraduationError, match="belum berlaku"):
        services.record_assessment(by=p["facilitator"], household=household, answers=answers(v2),
                                   assessed_on=date(2022, 12, 31), instrument=v2)

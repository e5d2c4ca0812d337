"""The rules of graduation: what evidence a KPM has, and whether a kind of graduation may rest on it.

No graduation without an assessment or a reached tenure:
- *alamiah* (natural): the tenure limit (``Enrollment.tenure_ends_on``) is reached;
- *mandiri* (self-reliant): the latest assessment is "siap graduasi" and at most 12 months old;
- *paksa* (forced): a written reason, and still an assessment or a reached tenure behind it.
Only assessments made during the enrollment count as its evidence.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.translation import gettext as _

from .models import Assessment, Band, GraduationKind

ASSESSMENT_VALID_DAYS = 366
MIN_REASON_CHARS = 10


@dataclass
class Evidence:
    """What speaks for graduating one enrollment on a given day."""

    on: date
    started_on: date | None
    tenure_ends_on: date | None
    assessments: list = field(default_factory=list)  # newest first, at most two

    @property
    def tenure_reached(self) -> bool:
        return self.tenure_ends_on is not None and self.tenure_ends_on <= self.on

    @property
    def latest(self) -> Assessment | None:
        return self.assessments[0] if self.assessments else None

    @property
    def latest_ready(self) -> bool:
        latest = self.latest
        return (latest is not None and latest.band == Band.READY
                and latest.assessed_on >= self.on - timedelta(days=ASSESSMENT_VALID_DAYS))

    @property
    def two_ready(self) -> bool:
        return len(self.assessments) == 2 and all(a.band == Band.READY for a in self.assessments)

    def as_json(self) -> dict:
        """The snapshot stored with a proposal, so the decision shows what the proposer saw."""
        return {
            "on": self.on.isoformat(),
            "started_on": self.started_on.isoformat() if self.started_on else None,
            "tenure_ends_on": self.tenure_ends_on.isoformat() if self.tenure_ends_on else None,
            "tenure_reached": self.tenure_reached,
            "assessments": [{"id": a.pk, "assessed_on": a.assessed_on.isoformat(), "score": str(a.score),
                             "band": a.band, "instrument": str(a.instrument), "instrument_id": a.instrument_id}
                            for a in self.assessments],
        }


def evidence_for(enrollment, *, on: date) -> Evidence:
    """The enrollment's tenure and the household's last two assessments made during it (up to ``on``)."""
    qs = Assessment.objects.filter(household_id=enrollment.household_id, assessed_on__lte=on)
    if enrollment.started_on:
        qs = qs.filter(assessed_on__gte=enrollment.started_on)
    latest = list(qs.select_related("instrument").order_by("-assessed_on", "-pk")[:2])
    return Evidence(on=on, started_on=enrollment.started_on, tenure_ends_on=enrollment.tenure_ends_on,
                    assessments=latest)


def graduation_refusal(evidence: Evidence, kind: str, reason: str = "") -> str | None:
    """Why this kind of graduation may not rest on this evidence, or None when it may."""
    if kind not in GraduationKind.values:
        return _("Jenis graduasi tidak dikenal: %(kind)s.") % {"kind": kind}
    if not evidence.tenure_reached and evidence.latest is None:
        return _("Tidak ada graduasi tanpa asesmen atau masa kepesertaan yang telah berakhir: "
                 "keluarga ini belum pernah diases selama kepesertaan dan masanya berakhir %(end)s.") % {
            "end": evidence.tenure_ends_on.strftime("%d-%m-%Y") if evidence.tenure_ends_on else "-"}
    if kind == GraduationKind.NATURAL and not evidence.tenure_reached:
        return _("Graduasi alamiah baru dapat diusulkan setelah masa kepesertaan berakhir (%(end)s).") % {
            "end": evidence.tenure_ends_on.strftime("%d-%m-%Y") if evidence.tenure_ends_on else "-"}
    if kind == GraduationKind.SELF_RELIANT and not evidence.latest_ready:
        return _("Graduasi mandiri memerlukan asesmen terakhir (paling lama 12 bulan) berkategori "
                 "\u201csiap graduasi\u201d.")
    if kind == GraduationKind.FORCED and len(reason.strip()) < MIN_REASON_CHARS:
        return _("Graduasi paksa wajib disertai alasan tertulis (paling sedikit %(n)s karakter).") % {
            "n": MIN_REASON_CHARS}
    return None


def suggested_kind(evidence: Evidence) -> str | None:
    """The kind a candidate qualifies for, natural first (it needs no judgement)."""
    if evidence.tenure_reached:
        return GraduationKind.NATURAL
    if evidence.latest_ready:
        return GraduationKind.SELF_RELIANT
    return None

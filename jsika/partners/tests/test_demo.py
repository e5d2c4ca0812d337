"""The partners demo step: agencies linked to the OPD accounts, services to KPM, referrals at every stage."""

import pytest
from django.utils import timezone

from jsika.core.demo import SeedContext, ensure_demo_accounts, run_steps
from jsika.partners.demo import EDUCATION_AGENCY, HEALTH_AGENCY, seed_partners
from jsika.partners.models import Agency, Intervention, Referral
from jsika.partners.queries import agency_of, kpm_q, stale_referrals
from jsika.registry.models import Person

pytestmark = pytest.mark.django_db

BEFORE = ["jsika.core.demo.seed_accounts", "jsika.core.demo.seed_families", "jsika.core.demo.seed_caseload",
          "jsika.programs.demo.seed_programs"]


@pytest.fixture
def seeded(regions):
    ctx = SeedContext(families=600, seed=7, today=timezone.localdate())
    run_steps(ctx, BEFORE)
    return ctx


def test_seed_partners_gives_the_partner_pages_something_to_show_once(seeded, client):
    summary = seed_partners(seeded)
    education, health = Agency.objects.get(name=EDUCATION_AGENCY), Agency.objects.get(name=HEALTH_AGENCY)
    accounts = seeded.accounts
    assert agency_of(accounts["opd.pendidikan"]) == education and agency_of(accounts["opd.kesehatan"]) == health
    assert Intervention.objects.filter(agency=education, kind="reservasi_sma_smk").exists()
    assert Intervention.objects.filter(agency=health, kind="pemeriksaan_kehamilan").exists()
    served = Intervention.objects.values_list("household_id", flat=True)
    assert Person.objects.filter(household_id__in=served).filter(kpm_q()).exists()
    statuses = set(Referral.objects.values_list("status", flat=True))
    assert {"open", "accepted", "acted"} <= statuses
    assert stale_referrals(accounts["dinsos.banten"]).exists()
    assert all(r.referred_by.username == "pendamping.pulomerak" for r in Referral.objects.all())
    assert "instansi mitra" in summary

    # the accounts step afterwards leaves the linked partners as they are (same organization and sector)
    before = accounts["opd.pendidikan"].history.count()
    ensure_demo_accounts()
    assert accounts["opd.pendidikan"].history.count() == before

    counts = (Agency.objects.count(), Intervention.objects.count(), Referral.objects.count())
    assert seed_partners(seeded).startswith("dilewati")
    assert (Agency.objects.count(), Intervention.objects.count(), Referral.objects.count()) == counts

    client.force_login(accounts["opd.pendidikan"])
    page = client.get("/mitra/pendidikan/").content.decode()
    assert "layanan</span>" in page  # some children already have their SMA/SMK place recorded

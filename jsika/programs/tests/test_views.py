from datetime import date

import pytest
from django.urls import reverse

from jsika.core.models import AccessLog
from jsika.programs import services
from jsika.programs.models import Enrollment, Program, Quota

from .factories import enrolled, family, make_program, people

pytestmark = pytest.mark.django_db

S = Enrollment.Status


@pytest.fixture
def p(regions):
    return people()


@pytest.fixture
def jscm(p):
    return make_program(p["admin"], "JSCM", "36.72")


def _client(client, user):
    client.force_login(user)
    return client


def test_every_page_renders_for_a_manager(client, p, jscm):
    e = enrolled(jscm, family(), p)
    services.open_reverification(program=jscm, year=2026, region="36.72", due_on=date(2026, 12, 31), by=p["manager"])
    c = _client(client, p["manager"])
    campaign = jscm.reverifications.get()
    for url in [reverse("programs:program_list"), reverse("programs:program_detail", args=["JSCM"]),
                reverse("programs:program_edit", args=["JSCM"]), reverse("programs:program_create"),
                reverse("programs:screening", args=["JSCM"]), reverse("programs:enrollment_list"),
                reverse("programs:enrollment_detail", args=[e.pk]),
                reverse("programs:household_programs", args=[e.household_id]),
                reverse("programs:tenure_ending") + "?bulan=60", reverse("programs:overlap_report"),
                reverse("programs:reverification_list"),
                reverse("programs:reverification_detail", args=[campaign.pk])]:
        response = c.get(url)
        assert response.status_code == 200, url


def test_manager_defines_a_program_in_pages(client, p):
    c = _client(client, p["manager_banten"])
    response = c.post(reverse("programs:program_create"), {
        "code": "jsl", "name": "Jaminan Sosial Lebak", "owner_region": "36.02", "covered_regions": "36.02.01",
        "start_year": "2025", "tenure_years": "5", "cycles_per_year": "4", "bank_code": "bjb",
        "bank_overrides": "36.02.01=BANTEN", "funding": "36=60, kabkota=40", "desil_max": "4",
        "require_component": "on", "is_active": "on"})
    assert response.status_code == 302
    program = Program.objects.get(code="JSL")
    assert (program.owner_region_id, program.bank_code, program.cycles_per_year) == ("36.02", "BJB", 4)
    assert program.covered_codes() == ["36.02.01"]
    assert sorted((s.funder_region_id or "", s.percent) for s in program.funding_shares.all()) == [
        ("", 40), ("36", 60)]
    assert program.bank_for("36.02.01.2002") == "BANTEN"


def test_program_form_shows_the_funding_error_and_saves_nothing(client, p):
    c = _client(client, p["manager_banten"])
    response = c.post(reverse("programs:program_create"), {
        "code": "JSL", "name": "Jaminan Sosial Lebak", "owner_region": "36.02", "start_year": "2025",
        "tenure_years": "5", "cycles_per_year": "1", "funding": "36=60, kabkota=30"})
    assert response.status_code == 200
    assert "Jumlah porsi pendanaan harus 100%, sekarang 90%." in response.content.decode()
    assert not Program.objects.filter(code="JSL").exists()


def test_operator_cannot_open_program_editing(client, p, jscm):
    assert _client(client, p["operator"]).get(reverse("programs:program_edit", args=["JSCM"])).status_code == 403


def test_manager_sets_rule_and_quota_in_pages(client, p, jscm):
    c = _client(client, p["manager"])
    c.post(reverse("programs:benefit_rule_save", args=["JSCM"]),
           {"year": "2019", "kind": "flat_per_household", "amount_rupiah": "500000", "note": "sumber"})
    c.post(reverse("programs:quota_save", args=["JSCM"]), {"year": "2026", "region": "36.72.03", "slots": "201"})
    assert jscm.benefit_rules.get(year=2019).amount_rupiah == 500_000
    assert Quota.objects.get(program=jscm, year=2026).slots == 201
    page = c.get(reverse("programs:program_detail", args=["JSCM"])).content.decode()
    assert "Rp500.000" in page and "Pulomerak (36.72.03)" in page


def test_screening_lists_eligible_households_with_reasons(client, p, jscm):
    household = family(desil=1, school="smp")
    family(desil=9)
    page = _client(client, p["operator"]).get(reverse("programs:screening", args=["JSCM"])).content.decode()
    assert household.no_kk[:4] + "********" + household.no_kk[-4:] in page
    assert "Desil 1, tidak lebih dari 4" in page
    assert "Punya komponen: Anak SMP (Anak Sekolah)" in page
    assert "1 keluarga memenuhi syarat." in page


def test_facilitator_cannot_screen(client, p, jscm):
    assert _client(client, p["facilitator"]).get(reverse("programs:screening", args=["JSCM"])).status_code == 403


def test_bank_cannot_read_enrollments(client, p, jscm):
    assert _client(client, p["bank"]).get(reverse("programs:enrollment_list")).status_code == 403


def test_propose_verify_approve_through_pages(client, p, jscm):
    household = family()
    c = _client(client, p["operator"])
    c.post(reverse("programs:propose", args=["JSCM"]), {"household": household.pk})
    e = Enrollment.objects.get(household=household)
    response = c.post(reverse("programs:enrollment_action", args=[e.pk, "verify"]), follow=True)
    assert "tidak boleh diverifikasi oleh pengusulnya sendiri" in response.content.decode()
    _client(client, p["operator2"]).post(reverse("programs:enrollment_action", args=[e.pk, "verify"]))
    response = _client(client, p["manager"]).post(reverse("programs:enrollment_action", args=[e.pk, "approve"]),
                                                  {"reason": "SK Wali Kota"}, follow=True)
    assert "Kepesertaan disetujui." in response.content.decode()
    e.refresh_from_db()
    assert e.status == S.APPROVED and e.events.last().reason == "SK Wali Kota"


def test_proposing_a_household_outside_scope_is_404(client, p, jscm):
    household = family("36.72.03.1001")
    response = _client(client, p["operator_lebak"]).post(reverse("programs:propose", args=["JSCM"]),
                                                         {"household": household.pk})
    assert response.status_code == 404
    assert not Enrollment.objects.exists()


def test_enrollment_outside_scope_is_404(client, p, jscm):
    e = enrolled(jscm, family(), p, until="proposed")
    assert _client(client, p["operator_lebak"]).get(
        reverse("programs:enrollment_detail", args=[e.pk])).status_code == 404


def test_bulk_approve_from_the_list(client, p, jscm):
    batch = [enrolled(jscm, family(), p, until="verified") for _ in range(3)]
    c = _client(client, p["manager"])
    page = c.get(reverse("programs:enrollment_list") + "?status=verified").content.decode()
    assert page.count('name="enrollment"') == 3
    response = c.post(reverse("programs:bulk_approve"), {"enrollment": [e.pk for e in batch]}, follow=True)
    assert "3 usulan disetujui." in response.content.decode()
    assert Enrollment.objects.filter(status=S.APPROVED).count() == 3


def test_bulk_approve_refuses_ids_outside_scope(client, p, jscm):
    jamsosratu = make_program(p["admin"], "JAMSOSRATU", "36", start_year=2013)
    e = services.propose_enrollment(household=family("36.02.01.2002"), program=jamsosratu, by=p["operator_lebak"])
    services.verify_enrollment(enrollment=e, by=p["manager_lebak"])
    response = _client(client, p["manager"]).post(reverse("programs:bulk_approve"), {"enrollment": [e.pk]},
                                                  follow=True)
    assert "tidak ditemukan di wilayah Anda" in response.content.decode()
    e.refresh_from_db()
    assert e.status == S.VERIFIED


def test_enrollment_page_explains_the_entitlement(client, p, jscm):
    e = enrolled(jscm, family(), p)
    page = _client(client, p["auditor"]).get(reverse("programs:enrollment_detail", args=[e.pk])).content.decode()
    assert "Bantuan tetap per keluarga per tahun (JSCM, aturan sejak 2017)" in page
    assert "Rp1.000.000" in page
    assert "01-03-2029" in page  # tenure ends five years after 1 March 2024
    assert 'id="actions"' not in page  # auditors change nothing


def test_overlap_report_exports_csv_and_logs_it(client, p, jscm):
    household = family(pkh=True)
    e = services.propose_enrollment(household=family(), program=jscm, by=p["operator"])
    Enrollment.objects.filter(pk=e.pk).update(status=S.ACTIVE, household=household)
    response = _client(client, p["manager"]).get(reverse("programs:overlap_report") + "?format=csv")
    body = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert body.splitlines()[0] == "no_kk;kode_wilayah;desa_kelurahan;program;penerima_pkh;keterangan"
    assert ";JSCM;ya;juga penerima PKH nasional" in body
    assert household.no_kk not in body  # masked
    assert AccessLog.objects.filter(user=p["manager"], action="export", object_type="overlap_report").exists()


def test_tenure_page_lists_kpm_reaching_the_limit(client, p, jscm):
    e = enrolled(jscm, family(), p)
    Enrollment.objects.filter(pk=e.pk).update(tenure_ends_on=date.today())
    page = _client(client, p["operator"]).get(reverse("programs:tenure_ending") + "?bulan=3").content.decode()
    assert reverse("programs:enrollment_detail", args=[e.pk]) in page


def test_household_programs_partial_offers_a_proposal(client, p, jscm):
    household = family()
    response = _client(client, p["operator"]).get(reverse("programs:household_programs", args=[household.pk]),
                                                  HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert "<html" not in page
    assert "Usulkan ke JSCM" in page and "Rp1.000.000" in page


def test_reverification_pages_confirm_and_close(client, p, jscm):
    kept = enrolled(jscm, family(), p)
    dropped = enrolled(jscm, family(), p)
    c = _client(client, p["manager"])
    c.post(reverse("programs:reverification_list"),
           {"program": "JSCM", "year": "2026", "region": "36.72", "due_on": "2026-12-31"})
    campaign = jscm.reverifications.get()
    check = campaign.checks.get(enrollment=kept)
    _client(client, p["operator"]).post(reverse("programs:reverification_confirm", args=[check.pk]), {"note": "ok"})
    response = _client(client, p["manager"]).post(reverse("programs:reverification_close", args=[campaign.pk]),
                                                  follow=True)
    assert "1 KPM tidak dikonfirmasi dan ditandai" in response.content.decode()
    dropped.refresh_from_db()
    assert dropped.needs_reverification

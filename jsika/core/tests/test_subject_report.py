"""The data-subject report: everything held on one NIK as a PDF, scoped, logged, never by URL query."""

import subprocess
from datetime import date

import pytest

from jsika.core.access_log import log_access
from jsika.core.models import AccessLog
from jsika.grievances import services as grievance_services
from jsika.payments.models import Payment, PaymentStatus
from jsika.payments.tests.factories import approved_cycle, jscm_world

URL = "/keamanan/laporan-subjek/"


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True)
    return done.stdout.decode()


@pytest.fixture
def world(regions):
    program, p, enrollments = jscm_world(n_pulomerak=1, n_ciwaduk=1)
    cycle = approved_cycle(program, p)
    household = enrollments[0].household
    Payment.objects.filter(cycle=cycle, household=household).update(
        status=PaymentStatus.PAID, credited_amount_rupiah=1_000_000, credited_on=date(2025, 11, 20))
    mother = household.members.get(name="Siti Aminah")
    grievance = grievance_services.file_grievance(
        category="cut", region="36.72.03.1001", description="Bantuan dipotong oleh oknum.", nik=mother.nik)
    log_access(user=p["operator"], action=AccessLog.Action.VIEW_NIK, object_type="person", object_id=mother.pk)
    return {"p": p, "household": household, "mother": mother, "grievance": grievance,
            "other": enrollments[1].household}


def test_manager_gets_everything_on_one_nik_with_totals(client, world):
    p, mother = world["p"], world["mother"]
    client.force_login(p["manager"])
    response = client.post(URL, {"nik": mother.nik})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert "Laporan data pribadi subjek data" in text
    assert "Siti Aminah" in text and mother.nik in text
    assert world["household"].no_kk in text and "Kepala Keluarga" in text
    assert "JSCM" in text and "Aktif" in text  # the enrollment
    assert "Rp1.000.000" in text and "1 penyaluran berhasil, total diterima Rp1.000.000" in text
    assert world["grievance"].ticket in text
    assert "Riwayat perubahan data" in text
    # The access log: the operator's earlier NIK view and this very request.
    assert "op.cilegon.1" in text and "Melihat NIK lengkap" in text
    assert "mgr.cilegon" in text and "Laporan data subjek" in text
    # Other members' NIKs are masked.
    head = world["household"].members.get(name="Kepala Keluarga")
    assert head.nik not in text


def test_the_request_is_written_to_the_access_log(client, world):
    client.force_login(world["p"]["auditor"])
    assert client.post(URL, {"nik": world["mother"].nik}).status_code == 200
    entry = AccessLog.objects.get(user=world["p"]["auditor"])
    assert entry.action == AccessLog.Action.EXPORT and entry.object_type == "person"
    assert entry.object_id == str(world["mother"].pk) and entry.detail["report"] == "subject_report"


def test_nik_outside_the_scope_is_refused_and_the_attempt_logged(client, world):
    lebak = world["p"]["manager_lebak"]
    client.force_login(lebak)
    response = client.post(URL, {"nik": world["mother"].nik})
    assert response.status_code == 404 and b"%PDF" not in response.content
    assert "tidak ditemukan di wilayah Anda" in response.content.decode()
    entry = AccessLog.objects.get(user=lebak)
    assert entry.object_type == "subject_report" and entry.detail["result"] == "not_found"
    assert world["mother"].nik not in str(entry.detail)  # the refused NIK is kept masked


@pytest.mark.parametrize("role", ["facilitator", "partner", "operator", "bank"])
def test_other_roles_are_refused(client, world, role):
    client.force_login(world["p"][role])
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"nik": world["mother"].nik}).status_code == 403
    assert not AccessLog.objects.filter(user=world["p"][role], action=AccessLog.Action.EXPORT).exists()


def test_a_nik_in_the_query_string_is_never_used(client, world):
    client.force_login(world["p"]["manager"])
    response = client.get(f"{URL}?nik={world['mother'].nik}")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert not AccessLog.objects.filter(user=world["p"]["manager"]).exists()


def test_household_page_links_to_a_confirmation_that_posts_the_person_id(client, world):
    mother = world["mother"]
    client.force_login(world["p"]["manager"])
    page = client.get(f"/registry/keluarga/{world['household'].pk}/").content.decode()
    assert f'href="{URL}?person={mother.pk}"' in page and mother.nik not in page
    confirm = client.get(f"{URL}?person={mother.pk}").content.decode()
    assert f'name="person" value="{mother.pk}"' in confirm and "Siti Aminah" in confirm
    assert mother.nik not in confirm
    assert not AccessLog.objects.filter(user=world["p"]["manager"]).exists()  # nothing exported yet
    response = client.post(URL, {"person": mother.pk})
    assert response.status_code == 200 and mother.nik in pdf_text(response.content)
    client.force_login(world["p"]["operator"])
    assert f'href="{URL}?person=' not in client.get(f"/registry/keluarga/{world['household'].pk}/").content.decode()


def test_a_person_outside_the_scope_is_not_offered(client, world):
    client.force_login(world["p"]["manager_lebak"])
    confirm = client.get(f"{URL}?person={world['mother'].pk}").content.decode()
    assert "Siti Aminah" not in confirm and 'name="person"' not in confirm
    assert client.post(URL, {"person": world["mother"].pk}).status_code == 404

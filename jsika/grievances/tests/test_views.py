"""The staff queue and grievance page: who sees what, SLA highlighting, actions through the pages."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jsika.core.models import AccessLog
from jsika.grievances import services
from jsika.grievances.models import Grievance, Status

from .factories import PNG, assign_caseload, days_ago, file, make_household, make_person, people

pytestmark = pytest.mark.django_db


@pytest.fixture
def p(regions):
    return people()


@pytest.fixture
def world(p):
    """A grievance in Pulomerak (Cilegon) and one in Lebak."""
    return {"cilegon": file(region="36.72.03.1001"), "lebak": file(region="36.02.01.2002", category="wrong_target")}


def tickets_in(client, url="/grievances/"):
    response = client.get(url)
    assert response.status_code == 200
    return {g.ticket for g in response.context["page"]}


def test_operators_and_managers_see_their_region_only(client, p, world):
    client.force_login(p["operator"])
    assert tickets_in(client) == {world["cilegon"].ticket}
    assert client.get(f"/grievances/{world['lebak'].pk}/").status_code == 404
    client.force_login(p["operator_lebak"])
    assert tickets_in(client) == {world["lebak"].ticket}
    client.force_login(p["province"])
    assert tickets_in(client) == {world["cilegon"].ticket, world["lebak"].ticket}


@pytest.mark.parametrize("role", ["partner", "bank"])
def test_partners_and_banks_have_no_grievance_pages(client, p, world, role):
    client.force_login(p[role])
    assert client.get("/grievances/").status_code == 403
    assert client.get(f"/grievances/{world['cilegon'].pk}/").status_code == 403


def test_anonymous_visitors_are_sent_to_login(client, world):
    response = client.get("/grievances/")
    assert response.status_code == 302 and response["Location"].startswith("/masuk/")


def test_auditor_reads_but_cannot_act(client, p, world):
    g = world["cilegon"]
    client.force_login(p["auditor"])
    assert g.ticket in tickets_in(client)
    page = client.get(f"/grievances/{g.pk}/").content.decode()
    assert 'id="actions"' not in page and "hanya dapat membaca" in page
    response = client.post(f"/grievances/{g.pk}/aksi/tanggapi/", {"ack-note": ""})
    assert response.status_code == 403
    g.refresh_from_db()
    assert g.status == Status.RECEIVED


def test_a_facilitator_sees_only_what_is_assigned_to_them(client, p, world):
    g = world["cilegon"]
    client.force_login(p["facilitator"])
    assert tickets_in(client) == set()
    assert client.get(f"/grievances/{g.pk}/").status_code == 404
    services.assign(grievance=g, assignee=p["facilitator"], by=p["operator"])
    assert tickets_in(client) == {g.ticket}
    page = client.get(f"/grievances/{g.pk}/").content.decode()
    assert 'id="form-catatan"' in page and 'id="form-tutup"' not in page
    response = client.post(f"/grievances/{g.pk}/aksi/catatan/", {"note-note": "Sudah berkunjung."})
    assert response.status_code == 302
    assert client.post(f"/grievances/{g.pk}/aksi/tutup/", {}).status_code == 403


def test_a_grievance_about_a_facilitator_is_hidden_from_them(client, p):
    household = make_household("36.72.03.1002")
    assign_caseload(p["facilitator"], household)
    g = file(category="facilitator", region="36.72.03.1002")
    services.assign(grievance=g, assignee=p["facilitator"], by=p["operator"])
    client.force_login(p["facilitator"])
    assert tickets_in(client) == {g.ticket}
    services.link_household(grievance=g, no_kk=household.no_kk, by=p["operator"])  # names her as the subject
    assert tickets_in(client) == set()
    assert client.get(f"/grievances/{g.pk}/").status_code == 404
    # even if she were made an operator of the region later, the complaint about her stays hidden
    p["facilitator"].role = "operator"
    p["facilitator"].save()
    client.force_login(p["facilitator"])
    assert g.ticket not in tickets_in(client)


def test_overdue_rows_are_highlighted_and_counted(client, p):
    late = file(at=days_ago(5))
    fresh = file()
    client.force_login(p["operator"])
    page = client.get("/grievances/").content.decode()
    late_row = page.split(f'data-ticket="{late.ticket}"')[0].rsplit("<tr", 1)[1]
    fresh_row = page.split(f'data-ticket="{fresh.ticket}"')[0].rsplit("<tr", 1)[1]
    assert "row-overdue" in late_row and "row-overdue" not in fresh_row
    assert "Tanggapan: terlambat 2 hari" in page
    assert tickets_in(client, "/grievances/?terlambat=on") == {late.ticket}
    assert client.get("/grievances/").context["counts"]["overdue"] == 1


def test_escalated_grievances_lead_the_province_managers_queue(client, p):
    older_fresh = file(at=days_ago(1), region="36.72.01.1001")
    late = file(at=days_ago(20))
    services.acknowledge(grievance=late, by=p["operator"], at=days_ago(19))
    services.escalate_overdue()
    client.force_login(p["province"])
    response = client.get("/grievances/")
    rows = [g.ticket for g in response.context["page"]]
    assert rows[0] == late.ticket and older_fresh.ticket in rows
    assert "badge-escalated" in response.content.decode()
    assert tickets_in(client, "/grievances/?eskalasi=on") == {late.ticket}
    assert response.context["counts"]["escalated"] == 1


def test_filters_by_category_status_region_and_ticket(client, p):
    cut = file(category="cut")
    data = file(category="data_error", region="36.72.01.1001")
    closed = file(category="cut")
    services.resolve(grievance=closed, by=p["operator"], outcome="corrected", outcome_note="Diperbaiki.",
                     public_response="Selesai.")
    client.force_login(p["operator"])
    assert tickets_in(client, "/grievances/?kategori=cut") == {cut.ticket}
    assert tickets_in(client, "/grievances/?status=closed") == {closed.ticket}
    assert tickets_in(client, "/grievances/?status=all&kategori=cut") == {cut.ticket, closed.ticket}
    assert tickets_in(client, "/grievances/?wilayah=36.72.01") == {data.ticket}
    assert tickets_in(client, f"/grievances/?q={data.ticket[4:8].lower()}") == {data.ticket}
    services.assign(grievance=cut, assignee=p["operator"], by=p["operator"])
    assert tickets_in(client, "/grievances/?tanpa_petugas=on") == {data.ticket}
    assert tickets_in(client, "/grievances/?saya=on") == {cut.ticket}
    assert tickets_in(client, "/grievances/?wilayah=bogus") == {cut.ticket, data.ticket}
    partial = client.get("/grievances/?kategori=cut", HTTP_HX_REQUEST="true").content.decode()
    assert 'id="queue-table"' in partial and "<html" not in partial


def test_actions_through_the_page_follow_the_lifecycle(client, p):
    g = file()
    client.force_login(p["operator"])
    assert client.post(f"/grievances/{g.pk}/aksi/tanggapi/", {"ack-note": "Ditelepon."}).status_code == 302
    assert client.post(f"/grievances/{g.pk}/aksi/tugaskan/", {"asg-assignee": p["facilitator"].pk}).status_code == 302
    response = client.post(f"/grievances/{g.pk}/aksi/tutup/", {
        "close-decision": "resolved", "close-outcome": "", "close-outcome_note": "x", "close-public_response": "y"})
    assert response.status_code == 400 and "Pilih hasil pemeriksaan" in response.content.decode()
    g.refresh_from_db()
    assert g.status == Status.ACKNOWLEDGED and g.assigned_to == p["facilitator"]
    response = client.post(f"/grievances/{g.pk}/aksi/tutup/", {
        "close-decision": "resolved", "close-outcome": "substantiated",
        "close-outcome_note": "Cek data penyaluran: dana masuk penuh.", "close-public_response": "Sudah selesai."})
    assert response.status_code == 302
    g.refresh_from_db()
    assert g.status == Status.RESOLVED and g.outcome == "substantiated"
    page = client.get(f"/grievances/{g.pk}/").content.decode()
    assert "Cek data penyaluran: dana masuk penuh." in page and 'id="form-buka"' in page
    assert client.post(f"/grievances/{g.pk}/aksi/tidak-ada/", {}).status_code == 404


def test_assigning_outside_the_region_is_refused_on_the_page(client, p):
    g = file()
    client.force_login(p["operator"])
    response = client.post(f"/grievances/{g.pk}/aksi/tugaskan/", {"asg-assignee": p["operator_lebak"].pk})
    assert response.status_code == 400  # not among the choices offered
    assert Grievance.objects.get().assigned_to is None


def test_link_household_shows_the_family_and_its_enrollments(client, p):
    household = make_household("36.72.03.1003")
    make_person(household, name="Darmini Suhendar")
    g = file()
    client.force_login(p["operator"])
    response = client.post(f"/grievances/{g.pk}/aksi/kaitkan/", {"kk-no_kk": household.no_kk})
    assert response.status_code == 302
    page = client.get(f"/grievances/{g.pk}/").content.decode()
    assert "Darmini Suhendar" in page and f"/registry/keluarga/{household.pk}/" in page
    assert 'id="household-enrollments"' in page and "Riwayat penyaluran" in page


def test_handlers_see_the_reporter_and_the_read_is_logged(client, p):
    g = file(nik="3672031705800042", reporter_name="Ibu Sari", contact="0812555")
    services.assign(grievance=g, assignee=p["facilitator"], by=p["operator"])
    client.force_login(p["operator"])
    page = client.get(f"/grievances/{g.pk}/").content.decode()
    assert "3672031705800042" in page and "Ibu Sari" in page and "0812555" in page
    assert AccessLog.objects.filter(user=p["operator"], object_type="grievance", object_id=str(g.pk)).count() == 1
    client.force_login(p["facilitator"])
    page = client.get(f"/grievances/{g.pk}/").content.decode()
    assert "3672031705800042" not in page and "3672********0042" in page
    assert "Ibu Sari" not in page and "0812555" not in page


def test_the_photo_is_served_only_to_those_who_may_read_the_grievance(client, p):
    g = file(photo=SimpleUploadedFile("x.png", PNG))
    client.force_login(p["operator"])
    response = client.get(f"/grievances/{g.pk}/foto/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG
    assert "no-store" in response["Cache-Control"]
    client.force_login(p["operator_lebak"])
    assert client.get(f"/grievances/{g.pk}/foto/").status_code == 404
    assert not client.get(f"/media/{g.photo.name}").status_code == 200


def test_the_linked_household_shows_what_the_bank_credited(client, regions):
    from jsika.payments.models import Payment
    from jsika.payments.tests.factories import approved_cycle, jscm_world

    program, p, enrollments = jscm_world(n_pulomerak=1, n_ciwaduk=0)
    cycle = approved_cycle(program, p, year=2025)
    Payment.objects.filter(cycle=cycle).update(status="paid", credited_amount_rupiah=700_000,
                                               credited_on="2025-11-20")
    household = enrollments[0].household
    g = file(region=household.region_id)
    services.link_household(grievance=g, no_kk=household.no_kk, by=p["operator"])
    client.force_login(p["operator"])
    page = client.get(f"/grievances/{g.pk}/").content.decode()
    table = page.split('id="household-payments"')[1].split("</table>")[0]
    assert "Rp1.000.000" in table and "Rp700.000" in table and "20-11-2025" in table
    assert 'class="table-warning"' in table  # credited less than owed

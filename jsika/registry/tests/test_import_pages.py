"""The import and export pages: upload, job progress, report, rejects download, scope."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jsika.core.models import AccessLog, Job, User
from jsika.registry.models import Household

from .test_import import family, write_csv


@pytest.fixture
def operator(regions):
    return User.objects.create_user("op.cilegon", password="x", role="operator", scope="36.72")


def upload(client, path, **data):
    with open(path, "rb") as fh:
        return client.post(reverse("registry:import"), {"file": SimpleUploadedFile(path.name, fh.read()), **data})


def test_upload_runs_the_import_and_offers_the_rejects_file(client, operator, tmp_path):
    rows = family()
    rows[2]["nik"] = "3.67203E+15"
    client.force_login(operator)
    response = upload(client, write_csv(tmp_path / "keluarga.csv", rows))
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == reverse("registry:import_job", args=[job.pk])
    assert job.status == "done" and job.result["persons_created"] == 2 and job.result["rows_rejected"] == 1
    page = client.get(response.url).content.decode()
    assert "Unduh baris yang ditolak" in page
    rejects = client.get(reverse("registry:import_rejects", args=[job.pk]))
    body = b"".join(rejects.streaming_content).decode("utf-8-sig")
    rows_back = list(csv.DictReader(io.StringIO(body)))
    assert rows_back[0]["baris_asal"] == "4" and "notasi ilmiah" in rows_back[0]["alasan"]
    job.refresh_from_db()
    assert not job.input_file  # the upload holds NIKs and is not kept after the import


def test_another_user_cannot_see_or_download_an_import(client, operator, tmp_path):
    client.force_login(operator)
    upload(client, write_csv(tmp_path / "k.csv", family()))
    job = Job.objects.get()
    other = User.objects.create_user("op.lain", password="x", role="operator", scope="36.72")
    client.force_login(other)
    assert client.get(reverse("registry:import_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("registry:import_rejects", args=[job.pk])).status_code == 404
    assert client.get(reverse("core:job_status", args=[job.pk])).status_code == 404


def test_unreadable_file_shows_the_reason_on_the_job_page(client, operator, tmp_path):
    client.force_login(operator)
    bad = tmp_path / "data.csv"
    bad.write_text("nama;alamat\nBudi;Merak\n", encoding="utf-8")
    response = upload(client, bad)
    job = Job.objects.get()
    assert job.status == "failed" and "Kolom wajib tidak ada" in job.error
    assert "Kolom wajib tidak ada" in client.get(response.url).content.decode()
    assert Household.objects.count() == 0


def test_wrong_file_type_is_refused_by_the_form(client, operator):
    client.force_login(operator)
    response = client.post(reverse("registry:import"), {"file": SimpleUploadedFile("foto.png", b"\x89PNG....")})
    assert response.status_code == 200 and "Hanya berkas .csv atau .xlsx" in response.content.decode()
    assert not Job.objects.exists()


@pytest.mark.parametrize("role,scope", [("facilitator", ""), ("partner", "36"), ("bank", ""), ("auditor", "36")])
def test_roles_that_cannot_import_get_403(client, regions, role, scope):
    client.force_login(User.objects.create_user("u", password="x", role=role, scope=scope))
    assert client.get(reverse("registry:import")).status_code == 403


def test_export_is_scoped_and_logged(client, operator, tmp_path, regions):
    client.force_login(operator)
    upload(client, write_csv(tmp_path / "k.csv", family()))
    response = client.get(reverse("registry:export"), {"format": "csv"})
    body = b"".join(response.streaming_content).decode()
    assert response.status_code == 200 and body.count("\n") == 4  # header + 3 persons
    assert AccessLog.objects.filter(user=operator, action="export", detail__rows=3).exists()
    assert client.get(reverse("registry:export"), {"wilayah": "36.02"}).status_code == 403
    client.force_login(User.objects.create_user("p", password="x", role="partner", scope="36"))
    assert client.get(reverse("registry:export")).status_code == 403


def test_file_over_the_upload_limit_gets_a_clear_reason_and_nothing_is_queued(client, operator, settings):
    settings.REGISTRY_UPLOAD_MAX_BYTES = 2 * 2**20
    client.force_login(operator)
    big = SimpleUploadedFile("besar.csv", b"no_kk,nik\n" + b"x" * (3 * 2**20))
    response = client.post(reverse("registry:import"), {"file": big})
    html = response.content.decode()
    assert response.status_code == 200 and "melebihi batas unggah 2 MB" in html and "import_registry" in html
    assert not Job.objects.exists()

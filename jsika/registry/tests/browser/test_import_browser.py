"""A clerk uploads a file with good and bad rows, waits for the job, downloads the rejects file."""

import csv
import os
import shutil

import pytest

from jsika.conftest import needs_chromium
from jsika.core.models import User
from jsika.registry.models import Person

from ..test_import import family, write_csv


def _keep(png):
    target = os.environ.get("JSIKA_SHOTS")
    if target:
        shutil.copy(png, target)


pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]


def test_operator_imports_a_file_and_downloads_the_rejects(login, regions, tmp_path):
    User.objects.create_user("op.cilegon", password="pw-jsika-test-2026", role="operator", scope="36.72")
    rows = family() + family("3672030101200002", 2)
    rows[4]["tanggal_lahir"] = "2099-01-01"  # a future birth date: rejected
    rows[5]["nik"] = "3.67203E+15"  # mangled by a spreadsheet: rejected
    source = write_csv(tmp_path / "keluarga.csv", rows)

    page = login("op.cilegon")
    page.goto(page.url.split("/beranda")[0] + "/registry/impor/")
    page.set_input_files("input[name=file]", str(source))
    page.click("#import-form button[type=submit]")
    page.wait_for_selector("#import-report", timeout=20_000)
    assert page.locator("[data-count=rows_read]").inner_text() == "6"
    assert page.locator("[data-count=rows_rejected]").inner_text() == "2"
    page.screenshot(path=str(tmp_path / "import.png"), full_page=True)  # look: JSIKA_SHOTS=dir keeps a copy
    _keep(tmp_path / "import.png")

    with page.expect_download() as download_info:
        page.click("#download-rejects")
    rejects = tmp_path / "rejects.csv"
    download_info.value.save_as(rejects)
    with open(rejects, encoding="utf-8-sig") as fh:
        reasons = {r["baris_asal"]: r["alasan"] for r in csv.DictReader(fh)}
    assert set(reasons) == {"6", "7"}
    assert "masa depan" in reasons["6"] and "notasi ilmiah" in reasons["7"]
    assert Person.objects.count() == 4

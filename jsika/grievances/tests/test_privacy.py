"""The public pages never show personal data: no NIK-like number, no name from the registry or a grievance."""

import re
from datetime import date

import pytest

from jsika.grievances import services
from jsika.programs.models import Enrollment
from jsika.programs.tests.factories import make_program

from .factories import file, make_household, make_person, people

pytestmark = pytest.mark.django_db
SIXTEEN_DIGITS = re.compile(r"(?<!\d)\d{16}(?!\d)")


@pytest.fixture
def world(regions):
    p = people()
    program = make_program(p["admin"], "JSCM", "36.72", start_year=2017)
    names, numbers = [], []
    for i in range(6):
        household = make_household("36.72.03.1001" if i < 5 else "36.72.01.1001", desil=2,
                                   address=f"Jl. Mawar Merah No. {i + 40}")
        head = make_person(household, name=f"Sukmawati Prawiradilaga {i}")
        child = make_person(household, name=f"Bagaskara Wirayudha {i}", birth_date=date(2012, 1, 1))
        names += [head.name, child.name]
        numbers += [household.no_kk, head.nik, child.nik]
        Enrollment.objects.create(program=program, household=household, proposed_by=p["admin"],
                                  started_on=date(2019, 2, 1), tenure_ends_on=date(2024, 2, 1), status="active")
    g = file(nik=numbers[1], no_kk=numbers[0], reporter_name="Kusumaningrum Hadiwijaya", contact="081377778888",
             description="Dipotong oleh Pak Jatmiko Wibisono di balai kelurahan.")
    services.add_note(grievance=g, by=p["operator"], note="Saksi: Ibu Purwaningsih.")
    services.link_household(grievance=g, no_kk=numbers[0], by=p["operator"])
    services.update_public_response(grievance=g, by=p["operator"], text="Sedang diperiksa bersama bank penyalur.")
    names += ["Kusumaningrum", "Jatmiko", "Purwaningsih", "081377778888", "Mawar Merah"]
    return {"ticket": g.ticket, "names": names, "numbers": numbers}


PAGES = ["/", "/pengaduan/", "/pengaduan/{ticket}/", "/pengaduan/{ticket}/?baru=1", "/transparansi/",
         "/transparansi/?program=JSCM&tahun=2019&wilayah=36.72.03", "/transparansi/?program=JSCM&wilayah=36.72",
         "/transparansi/?program=JSCM&wilayah=36.72&format=csv", "/api/v1/grievances/{ticket}"]


@pytest.mark.parametrize("address", PAGES)
def test_public_pages_show_no_identity_numbers_or_names(client, world, address):
    response = client.get(address.format(ticket=world["ticket"]))
    assert response.status_code == 200, address
    text = response.content.decode()
    assert not SIXTEEN_DIGITS.findall(text), SIXTEEN_DIGITS.findall(text)
    for secret in world["names"] + world["numbers"]:
        assert secret not in text, secret
    for number in world["numbers"]:  # nor split in groups, nor its distinctive tail
        assert number[-8:] not in text, number


def test_the_status_page_really_is_the_grievance(client, world):
    text = client.get(f"/pengaduan/{world['ticket']}/").content.decode()
    assert world["ticket"] in text and "Sedang diperiksa bersama bank penyalur." in text

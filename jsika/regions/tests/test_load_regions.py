from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from jsika.regions.models import Region


@pytest.mark.django_db
def test_banten_is_loaded_with_cilegon_and_pulomerak_and_a_rerun_adds_nothing():
    call_command("load_regions", "--province", "36", stdout=StringIO(), verbosity=0)
    cilegon = Region.objects.get(code="36.72")
    assert (cilegon.name, cilegon.kind, cilegon.level) == ("Kota Cilegon", "kota", 2)
    assert Region.objects.get(code="36.72.03").name == "Pulomerak"
    assert set(Region.objects.filter(parent_id="36.72.03").values_list("code", flat=True)) == {
        "36.72.03.1001", "36.72.03.1002", "36.72.03.1003", "36.72.03.1004"}
    assert Region.objects.filter(parent_id="36", kind="kabupaten").count() == 4
    assert Region.objects.filter(parent_id="36", kind="kota").count() == 4
    before = Region.objects.count()
    out = StringIO()
    call_command("load_regions", "--province", "36", stdout=out, verbosity=0)
    assert Region.objects.count() == before and "0 baru" in out.getvalue()


@pytest.mark.django_db
def test_unknown_province_is_a_clear_error():
    with pytest.raises(CommandError, match="tidak dikenal"):
        call_command("load_regions", "--province", "99", stdout=StringIO(), verbosity=0)

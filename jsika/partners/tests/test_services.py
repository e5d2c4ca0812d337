"""Interventions: who may record what for whom, idempotent client ids, counts per agency and region."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from jsika.partners import services
from jsika.partners.models import Intervention
from jsika.partners.queries import intervention_counts, interventions_for, interventions_for_household

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def test_education_partner_records_a_school_place_for_a_child(world):
    intervention, created = services.record_intervention(
        by=world["education"], household=world["pulomerak"], person=world["rizky"], kind="reservasi_sma_smk",
        delivered_on=today(), place="SMA Negeri 1 Cilegon")
    assert created and intervention.agency == world["dindik"] and intervention.recorded_by == world["education"]
    assert intervention.history.count() == 1
    assert list(interventions_for_household(world["manager"], world["pulomerak"])) == [intervention]


@pytest.mark.parametrize(("who", "household", "person", "kind", "error", "field"), [
    ("education", "pulomerak", "rizky", "pmt", services.PartnerError, "kind"),
    ("education", "pulomerak", None, "reservasi_sma_smk", services.PartnerError, "person"),
    ("health", "pulomerak", "ahmad", "pemeriksaan_kehamilan", services.PartnerError, "person"),
    ("health", "suralaya", "siti", "pmt", services.PartnerError, "person"),
    ("health_cilegon", "lebak", "ujang", "imunisasi", services.OutOfScope, "household"),
    ("loose_partner", "pulomerak", "rizky", "lainnya", services.NotAllowed, ""),
    ("manager", "pulomerak", "rizky", "lainnya", services.NotAllowed, ""),
])
def test_refused_interventions(world, who, household, person, kind, error, field):
    with pytest.raises(error) as refused:
        services.record_intervention(by=world[who], household=world[household],
                                     person=world[person] if person else None, kind=kind, delivered_on=today())
    assert refused.value.field == field
    assert not Intervention.objects.exists()


def test_service_date_cannot_be_in_the_future(world):
    with pytest.raises(services.PartnerError) as refused:
        services.record_intervention(by=world["health"], household=world["pulomerak"], person=world["siti"],
                                     kind="pemeriksaan_kehamilan", delivered_on=today() + timedelta(days=1))
    assert refused.value.field == "delivered_on"


def test_same_client_id_twice_records_once_and_other_content_conflicts(world):
    client_id = uuid.uuid4()
    kwargs = {"by": world["health"], "household": world["pulomerak"], "person": world["siti"],
              "kind": "pemeriksaan_kehamilan", "delivered_on": today(), "client_id": client_id}
    first, created = services.record_intervention(**kwargs)
    again, created_again = services.record_intervention(**kwargs)
    assert created and not created_again and first == again
    with pytest.raises(services.Conflict):
        services.record_intervention(**{**kwargs, "place": "Puskesmas lain"})
    assert Intervention.objects.count() == 1
    # another agency may use the same id for its own service
    _other, created_other = services.record_intervention(
        by=world["health_cilegon"], household=world["pulomerak"], person=world["nur"], kind="pmt",
        delivered_on=today(), client_id=client_id)
    assert created_other


def test_partners_read_only_their_own_agencys_interventions_and_counts(world):
    services.record_intervention(by=world["education"], household=world["pulomerak"], person=world["rizky"],
                                 kind="reservasi_sma_smk", delivered_on=today())
    services.record_intervention(by=world["education"], household=world["lebak"], person=world["ujang"],
                                 kind="reservasi_sma_smk", delivered_on=today())
    services.record_intervention(by=world["health"], household=world["pulomerak"], person=world["siti"],
                                 kind="pemeriksaan_kehamilan", delivered_on=today())
    assert {i.kind for i in interventions_for(world["education"])} == {"reservasi_sma_smk"}
    assert {i.kind for i in interventions_for(world["health"])} == {"pemeriksaan_kehamilan"}
    assert interventions_for(world["manager_cilegon"]).count() == 2  # scope 36.72: not Lebak
    counts = intervention_counts(world["manager"])
    assert counts["total"] == 3
    assert {row["agency__name"]: row["n"] for row in counts["by_agency"]} == {
        world["dindik"].name: 2, world["dinkes"].name: 1}
    assert {row["kabkota"]: row["n"] for row in counts["by_region"]} == {"36.72": 2, "36.02": 1}
    assert interventions_for_household(world["education"], world["pulomerak"]).count() == 1


def test_manager_creates_agency_and_links_partner(world):
    agency = services.create_agency(by=world["manager"], name="Dinas Perumahan Provinsi Banten", sector="perumahan",
                                    region="36")
    from .factories import make_user

    user = make_user("opd.perumahan", "partner", "36.72")
    services.link_partner(user=user, agency=agency, by=world["manager"])
    user.refresh_from_db()
    assert (user.sector, user.organization, user.scope) == ("perumahan", agency.name, "36.72")
    with pytest.raises(services.PartnerError) as wider:  # a provincial account cannot join a city agency
        services.link_partner(user=world["education"], agency=world["dinkes_cilegon"], by=world["manager"])
    assert "di luar wilayah kerja" in wider.value.message
    with pytest.raises(services.NotAllowed):
        services.create_agency(by=world["manager_cilegon"], name="Dinas X", sector="sosial", region="36.02")
    with pytest.raises(services.NotAllowed):
        services.create_agency(by=world["education"], name="Dinas Y", sector="sosial", region="36")
    with pytest.raises(services.PartnerError):
        services.link_partner(user=world["operator"], agency=agency, by=world["manager"])

"""Graduation test helpers: the people, an enrolled KPM with a known tenure, answers of a wanted quality."""

import io
import itertools
from datetime import date

from jsika.graduation import services
from jsika.graduation.models import Instrument
from jsika.graduation.scoring import indicators_of
from jsika.payments import services as payment_services
from jsika.payments import uep
from jsika.payments.models import BankAccount, PaymentCycle
from jsika.programs import services as program_services
from jsika.programs.tests.factories import family, make_program, people
from jsika.registry.tests.factories import assign_caseload, make_user

__all__ = ["family", "make_program", "people", "make_user", "assign_caseload", "v1", "answers", "kpm", "assess",
           "world", "give_account", "uep_cycle", "reconcile", "pay_grants"]


def v1() -> Instrument:
    """The published version 1 from the data migration."""
    return Instrument.objects.get(code="KEMANDIRIAN", version=1)


def answers(instrument: Instrument | None = None, level: str = "best") -> dict:
    """Answers choosing for every indicator its best (``best``), worst (``worst``) or the best option worth at
    most two thirds of the top (``mid``)."""
    instrument = instrument or v1()
    chosen = {}
    for indicator in indicators_of(instrument):
        options = sorted(indicator.options.all(), key=lambda o: (o.score, o.pk))
        top = options[-1].score
        middle = [o for o in options if 3 * o.score <= 2 * top][-1]  # v1: 24 of 40 points, "berkembang"
        pick = {"best": options[-1], "worst": options[0], "mid": middle}[level]
        chosen[indicator.code] = pick.pk
    return chosen


def kpm(program, p, *, region: str = "36.72.03.1001", started_on: date = date(2020, 3, 1), household=None):
    """An active KPM of ``program`` started on ``started_on`` (tenure = program.tenure_years from then)."""
    household = household or family(region)
    e = program_services.propose_enrollment(household=household, program=program, by=p["admin"])
    e = program_services.verify_enrollment(enrollment=e, by=p["manager_banten"])
    e = program_services.approve_enrollment(enrollment=e, by=p["manager_banten"])
    return program_services.activate_enrollment(enrollment=e, by=p["admin"], started_on=started_on)


def assess(household, by, *, level: str = "best", on: date = date(2024, 5, 2), instrument=None, **kw):
    return services.record_assessment(by=by, household=household, answers=answers(instrument, level),
                                      assessed_on=on, instrument=instrument, **kw).obj


def world():
    """People, JSCM (Cilegon, 5-year tenure) and a pendamping with one KPM household in the caseload."""
    p = people()
    program = make_program(p["admin"], "JSCM", "36.72", tenure_years=5)
    return p, program


_accounts = itertools.count(7_000_001)


def give_account(household, bank: str = "BJB") -> BankAccount:
    """An active account of the household's head at ``bank``."""
    head = household.members.order_by("pk").first()
    return BankAccount.objects.create(household=household, person=head, bank_code=bank,
                                      account_number=str(next(_accounts)), holder_name=head.name, holder_nik=head.nik)


def uep_cycle(program, p, *, year: int, on: date, approve: bool = True, **kw) -> PaymentCycle:
    """A UEP cycle opened by the operator, verified by the second operator and approved by the manager."""
    cycle = uep.open_uep_cycle(program=program, year=year, scheduled_on=on, by=p["operator"], **kw)
    if not approve:
        return cycle
    cycle = payment_services.verify_cycle(cycle=cycle, by=p["operator2"])
    return payment_services.approve_cycle(cycle=cycle, by=p["manager"])


def reconcile(cycle: PaymentCycle, by, on: date, failures: dict | None = None):
    """The bank's reconciliation file for ``cycle``: BERHASIL on ``on``, GAGAL with a reason for ``failures``."""
    failures = failures or {}
    lines = ["id_penyaluran;no_rekening;nominal;status;tanggal;keterangan"]
    for pk, number, amount in cycle.payments.order_by("pk").values_list("pk", "account_number", "amount_rupiah"):
        lines.append(f"{pk};{number};{amount};GAGAL;;{failures[pk]}" if pk in failures
                     else f"{pk};{number};{amount};BERHASIL;{on.isoformat()};")
    return payment_services.import_reconciliation(cycle=cycle, file=io.BytesIO("\n".join(lines).encode()), by=by)


def pay_grants(program, p, grants, *, on: date) -> PaymentCycle:
    """Pay approved grants the usual way: accounts, a UEP cycle, the bank file, a reconciliation (all BERHASIL)."""
    for grant in grants:
        if not BankAccount.objects.filter(household=grant.household, status="active").exists():
            give_account(grant.household)
    year = type(grants[0]).objects.get(pk=grants[0].pk).budget_year
    cycle = uep_cycle(program, p, year=year, on=on, grants=grants)
    payment_services.export_payment_file(cycle=cycle, by=p["bank"], out=io.BytesIO())
    reconcile(cycle, p["bank"], on)
    return cycle

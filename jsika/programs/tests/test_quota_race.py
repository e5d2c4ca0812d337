"""Two managers approve at the same moment on PostgreSQL: the quota row lock lets only one through."""

import threading
import time
from datetime import date

import pytest
from django.db import connection

from jsika.programs import services
from jsika.programs.models import Enrollment
from jsika.programs.services import QuotaExceeded

from .factories import enrolled, family, make_program, make_user, people


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite serialises writes)")
@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_cannot_overrun_a_quota(regions, monkeypatch):
    p = people()
    second_manager = make_user("mgr.cilegon.2", "manager", "36.72")
    program = make_program(p["admin"], "JSCM", "36.72")
    services.set_quota(program=program, by=p["manager"], year=date.today().year, region="36.72.03", slots=1)
    first = enrolled(program, family(), p, until="verified")
    second = enrolled(program, family(), p, until="verified")

    original = services._check_quotas

    def slow_check(*args, **kwargs):
        original(*args, **kwargs)
        time.sleep(0.5)  # hold the lock while the other approval arrives

    monkeypatch.setattr(services, "_check_quotas", slow_check)
    barrier = threading.Barrier(2)
    outcomes = []

    def approve(enrollment, manager):
        barrier.wait()
        try:
            services.approve_enrollment(enrollment=enrollment, by=manager)
            outcomes.append("approved")
        except QuotaExceeded as error:
            outcomes.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(first, p["manager"])),
               threading.Thread(target=approve, args=(second, second_manager))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert len(outcomes) == 2 and outcomes.count("approved") == 1
    refusal = next(o for o in outcomes if o != "approved")
    assert refusal.startswith("Kuota JSCM") and "1 dari 1 slot terpakai" in refusal
    assert Enrollment.objects.filter(status="approved").count() == 1

import hashlib
import io
from datetime import date

import pytest
from django.core import signing

from jsika.core.models import AccessLog

from .. import services
from ..bankfiles import SIGNING_SALT, BankFileError
from ..models import Payment, PaymentCycle, Reconciliation, ReconciliationLine
from .factories import approved_cycle, jscm_world, kpm, ready_cycle

pytestmark = pytest.mark.django_db

HEADER = "id_penyaluran;no_rekening;nominal;status;tanggal;keterangan\n"


def _export(cycle, by):
    buffer = io.BytesIO()
    summary = services.export_payment_file(cycle=cycle, by=by, out=buffer)
    return buffer.getvalue().decode("utf-8"), summary


def _recon(cycle, by, text: str):
    return services.import_reconciliation(cycle=cycle, file=io.BytesIO(text.encode("utf-8")), by=by)


def _line(payment, status="BERHASIL", nominal=None, day="2025-11-20", note="", account=None):
    nominal = payment.amount_rupiah if nominal is None else nominal
    return f"{payment.pk};{account or payment.account_number};{nominal};{status};{day};{note}\n"


@pytest.fixture
def world(regions):
    program, p, enrollments = jscm_world(n_pulomerak=3, n_ciwaduk=1)
    cycle = approved_cycle(program, p)
    return program, p, cycle, list(cycle.payments.order_by("pk"))


# --- the bank file --------------------------------------------------------------------------------

def test_bank_file_has_the_exact_columns_rows_and_total(world, tmp_path):
    program, p, cycle, payments = world
    out = tmp_path / "bjb.csv"
    summary = services.export_payment_file(cycle=cycle, by=p["bank"], out=out)

    data = out.read_bytes()
    lines = data.decode("utf-8").split("\n")
    assert lines[0] == "id_penyaluran;no_rekening;nama;nik;nominal;kode_wilayah;keterangan"
    assert lines[-1] == "" and len(lines) == 2 + len(payments)  # header, rows, final newline; no totals line
    for line, payment in zip(lines[1:], payments, strict=False):
        assert line == (f"{payment.pk};{payment.account_number};{payment.holder_name};{payment.holder_nik};"
                        f"{payment.amount_rupiah};{payment.region_code};JSCM 2025 tahap 1")
    assert sum(int(line.split(";")[4]) for line in lines[1:-1]) == cycle.total_rupiah == 4_000_000
    assert (summary.rows, summary.total_rupiah) == (4, 4_000_000)
    assert summary.sha256 == hashlib.sha256(data).hexdigest()
    side = (tmp_path / "bjb.csv.sha256").read_text().splitlines()
    assert side[0] == f"{summary.sha256}  bjb.csv"
    assert "# baris: 4" in side and "# jumlah_nominal: 4000000" in side
    signature = side[-1].split(": ")[1]
    assert signing.Signer(salt=SIGNING_SALT).signature(f"{cycle.pk}:4:4000000:{summary.sha256}") == signature


def test_exporting_marks_the_cycle_sent_and_logs_the_export(world):
    program, p, cycle, payments = world
    _export(cycle, p["manager"])
    cycle.refresh_from_db()
    assert cycle.status == "sent" and cycle.sent_at
    assert cycle.events.last().action == "exported"
    assert AccessLog.objects.filter(user=p["manager"], action="export", object_id=str(cycle.pk)).exists()


def test_names_with_the_delimiter_are_quoted(world):
    program, p, cycle, payments = world
    Payment.objects.filter(pk=payments[0].pk).update(holder_name='Siti "Ipah"; Aminah')
    text, _summary = _export(cycle, p["manager"])
    assert '"Siti ""Ipah""; Aminah"' in text.split("\n")[1]


def test_reversed_payments_leave_the_file_and_the_total(world):
    program, p, cycle, payments = world
    services.reverse_payment(payment=payments[1], by=p["manager"], reason="KPM meninggal sebelum penyaluran")
    text, summary = _export(cycle, p["manager"])
    ids_in_file = [line.split(";")[0] for line in text.strip().split("\n")[1:]]
    assert str(payments[1].pk) not in ids_in_file and len(ids_in_file) == 3
    cycle.refresh_from_db()
    assert (summary.rows, summary.total_rupiah, cycle.total_rupiah, cycle.reversed_count) == (3, 3_000_000,
                                                                                           3_000_000, 1)


def test_no_file_before_approval_and_not_for_another_bank(regions):
    program, p, _ = jscm_world(n_pulomerak=1, n_ciwaduk=0)
    cycle = ready_cycle(program, p)
    with pytest.raises(services.PaymentError, match="belum disetujui"):
        _export(cycle, p["manager"])
    services.approve_cycle(cycle=cycle, by=p["manager"])
    from jsika.registry.tests.factories import make_user
    bri = make_user("bank.bri.test", "bank", bank_code="BRI")
    for who in (bri, p["operator"], p["auditor"], p["facilitator"]):
        with pytest.raises(services.PaymentError, match="Hanya bank penyalur"):
            _export(cycle, who)


# --- reconciliation -------------------------------------------------------------------------------

def test_reconciliation_marks_paid_and_failed_and_reconciles_the_cycle(world):
    program, p, cycle, (a, b, c, d) = world
    text = HEADER + _line(a) + _line(b) + _line(c, "GAGAL", day="", note="rekening tidak aktif") + _line(d)
    result = _recon(cycle, p["bank"], text)

    assert [r["row"] for r in result.applied] == [2, 3, 4, 5]
    assert result.applied[2]["reason"] == "GAGAL: rekening tidak aktif"
    assert (result.flagged, result.rejected, result.unchanged) == ([], [], 0)
    a.refresh_from_db()
    c.refresh_from_db()
    assert (a.status, a.credited_amount_rupiah, a.credited_on) == ("paid", 1_000_000, date(2025, 11, 20))
    assert (c.status, c.bank_reason, c.credited_on) == ("failed", "rekening tidak aktif", None)
    cycle.refresh_from_db()
    assert (cycle.status, cycle.paid_count, cycle.paid_rupiah, cycle.failed_count, cycle.pending_count) == (
        "reconciled", 3, 3_000_000, 1, 0)
    assert cycle.paid_on == date(2025, 11, 20)
    assert a.history.first().history_user == p["bank"]  # history written set-based, with the importer
    rec = Reconciliation.objects.get()
    assert (rec.rows_total, rec.applied, rec.imported_by) == (4, 4, p["bank"])
    assert rec.file_sha256 == hashlib.sha256(text.encode()).hexdigest()


def test_unknown_other_cycle_and_bad_rows_are_rejected_with_row_numbers(world, regions):
    program, p, cycle, (a, b, c, d) = world
    later = kpm(program, "36.72.03.1001", by=p["admin"])
    other = services.open_cycle(program=program, year=2025, stage=1, by=p["operator"], note="susulan")
    foreign = other.payments.get(enrollment=later)
    text = (HEADER + _line(a) + "99999999;123;1000000;BERHASIL;2025-11-20;\n" + _line(foreign)
            + f"{b.pk};{b.account_number};1.000.000;BERHASIL;2025-11-20;\n"
            + f"{c.pk};{c.account_number};1000000;SUKSES;2025-11-20;\n"
            + f"{d.pk};{d.account_number};1000000;BERHASIL;20-11-2025;\n"
            + f"abc;{d.account_number};1000000;BERHASIL;2025-11-20;\n" + _line(a))
    result = _recon(cycle, p["bank"], text)
    assert [r["row"] for r in result.applied] == [2]
    assert [(r["row"], r["reason"]) for r in result.rejected] == [
        (3, "id_penyaluran tidak dikenal"),
        (4, "id_penyaluran bukan dari tahap penyaluran ini"),
        (5, "nominal harus rupiah bulat, angka saja (tanpa titik atau koma)"),
        (6, "status harus BERHASIL atau GAGAL"),
        (7, "tanggal harus YYYY-MM-DD"),
        (8, "id_penyaluran harus angka"),
        (9, "id_penyaluran ganda dalam berkas (pertama di baris 2)"),
    ]
    foreign.refresh_from_db()
    assert foreign.status == "pending"
    assert ReconciliationLine.objects.filter(outcome="rejected").count() == 7
    cycle.refresh_from_db()
    assert (cycle.status, cycle.pending_count) == ("sent", 3)


def test_a_different_nominal_is_flagged_not_accepted(world):
    program, p, cycle, (a, b, c, d) = world
    result = _recon(cycle, p["bank"], HEADER + _line(a, nominal=900_000) + _line(b, account="5550001"))
    assert [(r["row"], r["reason"]) for r in result.flagged] == [
        (2, "nominal 900000 berbeda dari yang dikirim 1000000"),
        (3, "no_rekening 5550001 berbeda dari yang dikirim")]
    a.refresh_from_db()
    assert (a.status, a.credited_amount_rupiah, a.flag_reason) == ("pending", None,
                                                                   "nominal 900000 berbeda dari yang dikirim 1000000")
    cycle.refresh_from_db()
    assert (cycle.flagged_count, cycle.paid_count) == (2, 0)
    settled = services.settle_flagged_payment(payment=a, by=p["manager"], outcome="paid", note="BA-12/2025",
                                              credited_amount_rupiah=900_000, credited_on=date(2025, 11, 20))
    assert (settled.status, settled.credited_amount_rupiah, settled.flag_reason) == ("paid", 900_000, "")


def test_importing_the_same_file_twice_changes_nothing(world):
    program, p, cycle, (a, b, c, d) = world
    text = HEADER + _line(a) + _line(b, "GAGAL", day="", note="rekening ditutup") + _line(c, nominal=1)
    first = _recon(cycle, p["bank"], text)
    snapshot = list(Payment.objects.order_by("pk").values())
    history = Payment.history.count()
    second = _recon(cycle, p["bank"], text)

    assert (len(first.applied), len(first.flagged)) == (2, 1)
    assert (second.applied, second.unchanged, len(second.flagged), second.rejected) == ([], 2, 1, [])
    assert second.duplicate_of == first.reconciliation
    assert list(Payment.objects.order_by("pk").values()) == snapshot
    assert Payment.history.count() == history


def test_a_payment_is_never_credited_twice(world):
    program, p, cycle, (a, b, c, d) = world
    _recon(cycle, p["bank"], HEADER + _line(a))
    result = _recon(cycle, p["bank"], HEADER + _line(a, day="2025-11-21") + _line(a, "GAGAL", day=""))
    assert [(r["row"], r["reason"]) for r in result.rejected] == [
        (2, "sudah tercatat berhasil dikreditkan pada 2025-11-20; pembayaran tidak dikreditkan dua kali"),
        (3, "id_penyaluran ganda dalam berkas (pertama di baris 2)")]
    a.refresh_from_db()
    assert (a.status, a.credited_on) == ("paid", date(2025, 11, 20))


def test_a_failed_payment_later_credited_by_the_bank_is_applied_once(world):
    program, p, cycle, (a, *_rest) = world
    _recon(cycle, p["bank"], HEADER + _line(a, "GAGAL", day="", note="gangguan sistem"))
    result = _recon(cycle, p["bank"], HEADER + _line(a, day="2025-11-25"))
    assert [r["row"] for r in result.applied] == [2]
    a.refresh_from_db()
    assert (a.status, a.credited_on, a.bank_reason) == ("paid", date(2025, 11, 25), "")


def test_files_that_cannot_be_read_are_refused_whole(world):
    program, p, cycle, payments = world
    with pytest.raises(BankFileError, match="Kolom wajib tidak ada: nominal, status"):
        _recon(cycle, p["bank"], "id_penyaluran;no_rekening;tanggal\n1;2;2025-01-01\n")
    with pytest.raises(BankFileError, match="UTF-8"):
        services.import_reconciliation(cycle=cycle, file=io.BytesIO(b"\xff\xfe\x00bad"), by=p["bank"])
    with pytest.raises(BankFileError, match="kosong"):
        _recon(cycle, p["bank"], "")
    assert not Reconciliation.objects.exists()


def test_a_crash_in_the_middle_of_reconciliation_changes_nothing(world, monkeypatch):
    from .. import setsql

    program, p, cycle, (a, b, c, d) = world
    before = list(Payment.objects.order_by("pk").values())

    def crash(*args, **kwargs):
        assert Payment.objects.filter(status="paid").count() == 4  # the UPDATE … FROM already ran
        raise RuntimeError("process killed")

    monkeypatch.setattr(setsql, "snapshot_history", crash)
    with pytest.raises(RuntimeError):
        _recon(cycle, p["bank"], HEADER + _line(a) + _line(b) + _line(c) + _line(d))
    assert list(Payment.objects.order_by("pk").values()) == before
    assert not Reconciliation.objects.exists()
    assert PaymentCycle.objects.get(pk=cycle.pk).status == "approved"


def test_only_the_cycles_bank_or_a_manager_may_reconcile(world):
    from jsika.registry.tests.factories import make_user

    program, p, cycle, (a, *_rest) = world
    bri = make_user("bank.bri.2", "bank", bank_code="BRI")
    for who in (bri, p["operator"], p["auditor"]):
        with pytest.raises(services.PaymentError):
            _recon(cycle, who, HEADER + _line(a))
    assert _recon(cycle, p["manager"], HEADER + _line(a)).applied_count == 1


# --- after reconciliation: re-issue, return, reverse, close -------------------------------------

def test_failed_payments_are_reissued_in_a_later_cycle_or_returned(world):
    program, p, cycle, (a, b, c, d) = world
    _recon(cycle, p["bank"], HEADER + _line(a) + _line(b) + _line(c, "GAGAL", day="", note="rekening tidak aktif")
           + _line(d, "GAGAL", day="", note="KPM pindah"))
    c.refresh_from_db()
    # c opened a new account: the old one is closed, a new one at the same bank
    from ..models import BankAccount
    old = BankAccount.objects.get(household=c.household)
    old.status = "closed"
    old.save()
    BankAccount.objects.create(household=c.household, bank_code="BJB", account_number="7770001",
                               holder_name=old.holder_name, holder_nik=old.holder_nik)
    later = services.open_cycle(program=program, year=2025, stage=1, by=p["operator"], note="susulan")
    assert later.payment_count == 0 and later.excluded_count == 4  # everyone already has a live payment
    with pytest.raises(services.PaymentError, match="Hanya pembayaran berstatus 'Gagal'"):
        services.reissue_payments(payments=[a], into=later, by=p["manager"])
    services.reissue_payments(payments=[c], into=later, by=p["manager"], reason="rekening baru")
    services.return_payments(payments=[d], by=p["manager"], reason="KPM pindah ke luar Cilegon",
                             on=date(2025, 12, 1))

    new = later.payments.get()
    c.refresh_from_db()
    d.refresh_from_db()
    assert (c.status, new.reissued_from_id, new.account_number, new.amount_rupiah, new.year, new.stage) == (
        "reissued", c.pk, "7770001", 1_000_000, 2025, 1)
    assert list(new.shares.values_list("funder_region_id", "amount_rupiah")) == [("36.72", 1_000_000)]
    assert (d.status, d.returned_on) == ("returned", date(2025, 12, 1))
    cycle.refresh_from_db()
    assert (cycle.paid_count, cycle.failed_count, cycle.returned_count, cycle.returned_rupiah,
            cycle.reissued_count, cycle.unresolved_count) == (2, 2, 1, 1_000_000, 1, 0)
    services.close_cycle(cycle=cycle, by=p["manager"])
    assert PaymentCycle.objects.get(pk=cycle.pk).status == "closed"

    later = services.verify_cycle(cycle=later, by=p["operator2"])
    later = services.approve_cycle(cycle=later, by=p["manager"])
    text, summary = _export(later, p["bank"])
    assert summary.rows == 1 and f"{new.pk};7770001;" in text and text.rstrip().endswith("JSCM 2025 tahap 1")
    result = _recon(later, p["bank"], HEADER + _line(c) + _line(new))
    assert [r["reason"] for r in result.rejected] == ["id_penyaluran bukan dari tahap penyaluran ini"]
    assert result.applied_count == 1


def test_approved_payments_are_immutable_and_reversal_needs_a_reason(world):
    program, p, cycle, (a, *_rest) = world
    a.amount_rupiah = 2_000_000
    with pytest.raises(ValueError, match="cannot be edited"):
        a.save()
    a.refresh_from_db()
    with pytest.raises(services.PaymentError, match="Alasan pembatalan wajib"):
        services.reverse_payment(payment=a, by=p["manager"], reason=" ")
    with pytest.raises(services.PaymentError, match="Hanya pengelola program"):
        services.reverse_payment(payment=a, by=p["operator"], reason="salah sasaran")
    reversed_ = services.reverse_payment(payment=a, by=p["manager"], reason="salah sasaran (musdes 3/2025)")
    assert (reversed_.status, reversed_.reversal_reason, reversed_.reversed_by) == (
        "reversed", "salah sasaran (musdes 3/2025)", p["manager"])
    assert reversed_.history.first().history_user == p["manager"]
    assert cycle.events.filter(action="reversed").exists()


def test_a_cycle_cannot_close_with_payments_pending_or_undecided(world):
    program, p, cycle, (a, b, c, d) = world
    with pytest.raises(services.PaymentError, match="setelah semua pembayaran direkonsiliasi"):
        services.close_cycle(cycle=cycle, by=p["manager"])
    _recon(cycle, p["bank"], HEADER + _line(a) + _line(b) + _line(c) + _line(d, "GAGAL", day=""))
    with pytest.raises(services.PaymentError, match="Masih ada 1 pembayaran gagal"):
        services.close_cycle(cycle=cycle, by=p["manager"])


def test_bank_reasons_keep_special_characters_and_future_dates_are_rejected(world):
    program, p, cycle, (a, b, c, d) = world
    text = HEADER + _line(a, "GAGAL", day="", note='kode\t"R\\07"') + _line(b, day="2999-01-01")
    result = _recon(cycle, p["bank"], text)
    a.refresh_from_db()
    assert (a.status, a.bank_reason) == ("failed", 'kode\t"R\\07"')
    assert [(r["row"], r["reason"]) for r in result.rejected] == [(3, "tanggal di masa depan")]

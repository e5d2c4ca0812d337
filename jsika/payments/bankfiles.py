"""The bank file of an approved cycle and the bank's reconciliation file (specs/bank-files.md).

Export streams ``SELECT … ORDER BY id`` straight into the CSV (PostgreSQL: ``COPY (SELECT …) TO STDOUT``),
hashing as it writes; the ``.sha256`` summary beside it holds the hash, the row count, the sum and an
HMAC signature. Import stages the file's rows in a temporary table (COPY on PostgreSQL, batched inserts on
SQLite), decides every row with a few set-based ``UPDATE``s, then applies the accepted rows to the
payments with one ``UPDATE … FROM`` and writes their history in one ``INSERT … SELECT``. The whole import
is one transaction: a crash leaves the payments as they were.
"""

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.core import signing
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jsika.core.access_log import log_access
from jsika.core.models import AccessLog
from jsika.programs.rules import rupiah

from . import permissions, setsql
from .models import CycleEvent, CycleStatus, Payment, PaymentCycle, PaymentStatus, Reconciliation, ReconciliationLine
from .services import PaymentError, _locked, _move, _refuse, record_event, refresh_totals
from .uep import after_payments_changed

PAYMENT_COLUMNS = ["id_penyaluran", "no_rekening", "nama", "nik", "nominal", "kode_wilayah", "keterangan"]
RECONCILIATION_COLUMNS = ["id_penyaluran", "no_rekening", "nominal", "status", "tanggal", "keterangan"]
REQUIRED_RECONCILIATION = RECONCILIATION_COLUMNS[:5]
SIGNING_SALT = "jsika.payments.bankfile"
STAGE = "payments_recon_stage"
DECIDED = "payments_recon_decided"
BATCH = 5000
_DIGITS = re.compile(r"[0-9]+")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class BankFileError(PaymentError):
    """A file that cannot be read at all (not UTF-8, no header, missing columns)."""


# --- export --------------------------------------------------------------------------------------

@dataclass
class BankFileSummary:
    file_name: str
    rows: int
    total_rupiah: int
    sha256: str
    signature: str

    def text(self, cycle: PaymentCycle, by) -> str:
        """The ``.sha256`` file: ``sha256sum -c`` reads its first line; the rest are comments."""
        return (f"{self.sha256}  {self.file_name}\n"
                f"# e-JSiKa berkas penyaluran: {cycle.description} · {cycle.bank_label} · tahap #{cycle.pk}\n"
                f"# baris: {self.rows}\n"
                f"# jumlah_nominal: {self.total_rupiah}\n"
                f"# dibuat: {timezone.localtime():%Y-%m-%dT%H:%M:%S%z} oleh {by.username}\n"
                f"# tanda_tangan: {self.signature}\n")


def sign_summary(cycle_id: int, rows: int, total: int, sha256: str) -> str:
    return signing.Signer(salt=SIGNING_SALT).signature(f"{cycle_id}:{rows}:{total}:{sha256}")


class _HashingWriter(io.RawIOBase):
    """Passes bytes to ``target`` while hashing and counting lines."""

    def __init__(self, target):
        self.target, self.digest, self.lines = target, hashlib.sha256(), 0

    def writable(self):
        return True

    def write(self, data):
        data = bytes(data)
        self.digest.update(data)
        self.lines += data.count(b"\n")
        self.target.write(data)
        return len(data)


def _select_sql(*, uep: bool = False) -> tuple[str, str]:
    """The bank file's rows (params: the ``keterangan`` head, the cycle id). ``keterangan`` is each payment's own
    period (a re-issued one keeps its period), or the whole text ``<program> UEP <year>`` for a UEP cycle."""
    payment = setsql.table(Payment)
    period = "%s" if uep else "%s || ' ' || CAST(p.year AS TEXT) || ' tahap ' || CAST(p.stage AS TEXT)"
    select = (f"SELECT p.id AS id_penyaluran, p.account_number AS no_rekening, p.holder_name AS nama, "
              f"p.holder_nik AS nik, p.amount_rupiah AS nominal, p.region_code AS kode_wilayah, "
              f"{period} AS keterangan "
              f"FROM {payment} p WHERE p.cycle_id = %s AND p.status <> 'reversed' ORDER BY p.id")
    return select, payment


def write_payment_rows(cycle: PaymentCycle, target) -> int:
    """Write the CSV (header + one row per payment) to the binary stream ``target``; returns data rows."""
    select, _payment = _select_sql(uep=cycle.is_uep)
    params = [cycle.description if cycle.is_uep else cycle.program.code, cycle.pk]
    if connection.vendor == "postgresql":
        sql = f"COPY ({select}) TO STDOUT WITH (FORMAT csv, DELIMITER ';', HEADER true)"
        with connection.cursor() as cursor, cursor.connection.cursor().copy(sql, params) as copy:
            for chunk in copy:
                target.write(chunk)
        return -1
    text = io.TextIOWrapper(target, encoding="utf-8", newline="", write_through=True)
    writer = csv.writer(text, delimiter=";", lineterminator="\n")
    writer.writerow(PAYMENT_COLUMNS)
    rows = 0
    with connection.cursor() as cursor:
        cursor.execute(select, params)
        while batch := cursor.fetchmany(BATCH):
            writer.writerows(batch)
            rows += len(batch)
    text.detach()
    return rows


@transaction.atomic
def export_payment_file(*, cycle: PaymentCycle, by, out, request=None) -> BankFileSummary:
    """Write the bank file of an approved cycle to ``out`` (a path, or a binary stream) and, for a path, its
    ``.sha256`` summary beside it. The file's sum equals the cycle's approved total to the rupiah."""
    cycle = _locked(cycle)
    _refuse(permissions.bank_file_refusal(by, cycle))
    refresh_totals(cycle)
    path = Path(out) if isinstance(out, str | Path) else None
    name = path.name if path else cycle.file_name()
    stream = path.open("wb") if path else out
    try:
        writer = _HashingWriter(stream)
        write_payment_rows(cycle, writer)
    finally:
        if path:
            stream.close()
    rows = writer.lines - 1
    if rows != cycle.payment_count:
        raise PaymentError(_("Jumlah baris berkas (%(rows)s) tidak sama dengan jumlah pembayaran tahap ini "
                             "(%(n)s).") % {"rows": rows, "n": cycle.payment_count})
    sha = writer.digest.hexdigest()
    summary = BankFileSummary(name, rows, cycle.total_rupiah, sha, sign_summary(cycle.pk, rows, cycle.total_rupiah,
                                                                                sha))
    if path:
        path.with_name(path.name + ".sha256").write_text(summary.text(cycle, by), encoding="utf-8")
    before = cycle.status
    if cycle.status == CycleStatus.APPROVED:
        _move(cycle, to=CycleStatus.SENT, by=by, sent_at=timezone.now())
    record_event(cycle, CycleEvent.Action.EXPORTED, by=by, from_status=before, rows=rows,
                 total_rupiah=cycle.total_rupiah, sha256=sha)
    log_access(user=by, action=AccessLog.Action.EXPORT, object_type="payment_cycle", object_id=cycle.pk,
               request=request, rows=rows, file=name)
    return summary


# --- reconciliation ------------------------------------------------------------------------------

@dataclass
class ReconciliationResult:
    reconciliation: Reconciliation
    applied: list[dict] = field(default_factory=list)
    flagged: list[dict] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    unchanged: int = 0
    applied_count: int = 0
    duplicate_of: Reconciliation | None = None

    def as_dict(self) -> dict:
        """The answer of the API and the command (specs/api.md)."""
        return {
            "reconciliation_id": self.reconciliation.pk, "cycle": self.reconciliation.cycle_id,
            "file_sha256": self.reconciliation.file_sha256,
            "applied": self.applied, "flagged": self.flagged, "rejected": self.rejected, "unchanged": self.unchanged,
            "applied_count": self.applied_count, "flagged_count": len(self.flagged),
            "rejected_count": len(self.rejected), "unchanged_count": self.unchanged,
            "already_imported_at": (timezone.localtime(self.duplicate_of.imported_at).isoformat()
                                    if self.duplicate_of else None),
        }


def _open(source):
    """(binary stream, name, must close) for a path, an uploaded file or a binary stream."""
    if isinstance(source, str | Path):
        return open(source, "rb"), Path(source).name, True  # noqa: SIM115
    name = getattr(source, "name", "") or ""
    if hasattr(source, "open") and hasattr(source, "chunks"):
        source.open("rb")
    return source, Path(name).name, False


def _sha256(stream) -> str:
    digest = hashlib.sha256()
    stream.seek(0)
    while chunk := stream.read(1 << 20):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


def _reader(stream):
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        header_line = text.readline()
    except UnicodeDecodeError as error:
        raise BankFileError(_("Berkas bukan teks UTF-8.")) from error
    if not header_line.strip():
        raise BankFileError(_("Berkas kosong: baris judul kolom tidak ada."))
    delimiter = ";" if ";" in header_line else ("," if "," in header_line else ";")
    header = [h.strip().lower() for h in next(csv.reader([header_line], delimiter=delimiter))]
    missing = [c for c in REQUIRED_RECONCILIATION if c not in header]
    if missing:
        raise BankFileError(_("Kolom wajib tidak ada: %(cols)s (pemisah kolom ';', lihat format rekonsiliasi).")
                            % {"cols": ", ".join(missing)})
    return text, header, csv.reader(text, delimiter=delimiter)


class _RowParser:
    """Checks one data row at a time → (staged tuple, None) or (None, rejection); hot path of a million rows."""

    def __init__(self, header: list[str], today: date):
        self.at = {name: header.index(name) for name in RECONCILIATION_COLUMNS if name in header}
        self.today = today.isoformat()
        self.dates: dict[str, str | None] = {}  # text → None when valid, else the reason

    def _cell(self, cells, name) -> str:
        at = self.at.get(name)
        return cells[at].strip() if at is not None and at < len(cells) else ""

    def _date_problem(self, text: str) -> str | None:
        if text not in self.dates:
            problem = None
            try:
                if not _DATE.fullmatch(text):
                    raise ValueError
                date.fromisoformat(text)
            except ValueError:
                problem = _("tanggal harus YYYY-MM-DD")
            else:
                if text > self.today:
                    problem = _("tanggal di masa depan")
            self.dates[text] = problem
        return self.dates[text]

    def parse(self, number: int, cells: list[str]):
        if not any(c.strip() for c in cells):
            return None, None
        raw_id = self._cell(cells, "id_penyaluran")
        problem = None
        status = self._cell(cells, "status").upper()
        ok = status == "BERHASIL"
        nominal = self._cell(cells, "nominal")
        tanggal = self._cell(cells, "tanggal")
        if not _DIGITS.fullmatch(raw_id) or len(raw_id) > 18:
            problem = _("id_penyaluran harus angka")
        elif not ok and status != "GAGAL":
            problem = _("status harus BERHASIL atau GAGAL")
        elif (nominal and not _DIGITS.fullmatch(nominal)) or (ok and not nominal):
            problem = _("nominal harus rupiah bulat, angka saja (tanpa titik atau koma)")
        elif len(nominal) > 15:
            problem = _("nominal terlalu besar")
        elif tanggal or ok:
            problem = self._date_problem(tanggal)
        if problem:
            return None, {"row": number, "id_penyaluran": raw_id, "reason": problem}
        return (number, int(raw_id), self._cell(cells, "no_rekening")[:30], int(nominal or 0), 1 if ok else 0,
                tanggal or None, self._cell(cells, "keterangan")[:255]), None


def _copy_text(value) -> str:
    """A value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if isinstance(value, int):
        return str(value)
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


STAGE_COLUMNS = "row_no, payment_id, no_rekening, nominal, ok, tanggal, keterangan"


def _create_stage() -> None:
    setsql.execute(f"DROP TABLE IF EXISTS {STAGE}")
    setsql.execute(f"CREATE TEMPORARY TABLE {STAGE} (row_no INTEGER NOT NULL, payment_id BIGINT NOT NULL, "
                   f"no_rekening VARCHAR(30) NOT NULL, nominal BIGINT NOT NULL, ok INTEGER NOT NULL, tanggal DATE, "
                   f"keterangan VARCHAR(255) NOT NULL)")


def _load_stage(rows) -> tuple[int, list[dict]]:
    """Stage the checked rows; returns (rows seen, rejections made while checking)."""
    rejected, seen = [], 0
    text, header, reader = rows
    parser = _RowParser(header, timezone.localdate())

    def batches():
        nonlocal seen
        batch = []
        try:
            for number, cells in enumerate(reader, start=2):
                staged, rejection = parser.parse(number, cells)
                if rejection:
                    rejected.append(rejection)
                if staged or rejection:
                    seen += 1
                if staged:
                    batch.append(staged)
                    if len(batch) >= BATCH:
                        yield batch
                        batch = []
        except (UnicodeDecodeError, csv.Error) as error:
            raise BankFileError(_("Berkas tidak dapat dibaca sebagai CSV UTF-8: %(e)s") % {"e": error}) from error
        if batch:
            yield batch

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor, cursor.connection.cursor().copy(
                f"COPY {STAGE} ({STAGE_COLUMNS}) FROM STDIN") as copy:
            for batch in batches():
                copy.write("".join("\t".join(_copy_text(v) for v in row) + "\n" for row in batch).encode())
    else:
        insert = f"INSERT INTO {STAGE} ({STAGE_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s)"
        with connection.cursor() as cursor:
            for batch in batches():
                cursor.executemany(insert, batch)
    return seen, rejected


def _decide(cycle: PaymentCycle) -> None:
    """Give every staged row its outcome in one pass (``DECIDED``): the first rule that applies wins.

    rejected (duplicate in the file, unknown id, another cycle, reversed / re-issued / returned, already
    credited otherwise), unchanged (already recorded the same), flagged (amount or account differs from
    what was sent), else applied.
    """
    p = setsql.table(Payment)
    rules = [
        ("s.rn > 1", "rejected",
         "'id_penyaluran ganda dalam berkas (pertama di baris ' || CAST(s.first_row AS TEXT) || ')'"),
        ("p.id IS NULL", "rejected", "'id_penyaluran tidak dikenal'"),
        (f"p.cycle_id <> {int(cycle.pk)}", "rejected", "'id_penyaluran bukan dari tahap penyaluran ini'"),
        ("p.status = 'reversed'", "rejected", "'pembayaran ini sudah dibatalkan'"),
        ("p.status = 'reissued'", "rejected", "'pembayaran ini sudah diterbitkan ulang pada tahap lain'"),
        ("p.status = 'returned'", "rejected", "'pembayaran ini sudah diretur ke kas daerah'"),
        ("s.ok = 1 AND p.status = 'paid' AND p.credited_amount_rupiah = s.nominal AND p.credited_on = s.tanggal "
         "AND p.account_number = s.no_rekening", "unchanged", "''"),
        ("p.status = 'paid'", "rejected", "'sudah tercatat berhasil dikreditkan pada ' || CAST(p.credited_on AS TEXT) "
                                          "|| '; pembayaran tidak dikreditkan dua kali'"),
        ("s.ok = 0 AND p.status = 'failed'", "unchanged", "''"),
        ("s.ok = 1 AND s.nominal <> p.amount_rupiah", "flagged",
         "'nominal ' || CAST(s.nominal AS TEXT) || ' berbeda dari yang dikirim ' || CAST(p.amount_rupiah AS TEXT)"),
        ("s.no_rekening <> p.account_number", "flagged",
         "'no_rekening ' || s.no_rekening || ' berbeda dari yang dikirim'"),
    ]
    outcome = "CASE " + " ".join(f"WHEN {cond} THEN '{out}'" for cond, out, _r in rules) + " ELSE 'applied' END"
    reason = "CASE " + " ".join(f"WHEN {cond} THEN {why}" for cond, _o, why in rules) + " ELSE '' END"
    setsql.execute(f"DROP TABLE IF EXISTS {DECIDED}")
    setsql.execute(
        f"CREATE TEMPORARY TABLE {DECIDED} AS SELECT s.row_no, s.payment_id, s.ok, s.nominal, s.tanggal, "
        f"s.keterangan, {outcome} AS outcome, {reason} AS reason, "
        f"CASE WHEN p.flag_reason IS NULL THEN '' ELSE p.flag_reason END AS old_flag "
        f"FROM (SELECT t.*, ROW_NUMBER() OVER (PARTITION BY t.payment_id ORDER BY t.row_no) AS rn, "
        f"MIN(t.row_no) OVER (PARTITION BY t.payment_id) AS first_row FROM {STAGE} t) s "
        f"LEFT JOIN {p} p ON p.id = s.payment_id")
    setsql.execute(f"DROP TABLE {STAGE}")
    if connection.vendor == "postgresql":
        setsql.execute(f"ANALYZE {DECIDED}")


def _apply(by, reconciliation: Reconciliation) -> None:
    p = setsql.table(Payment)
    now = setsql.db_datetime(timezone.now())
    setsql.execute(
        f"UPDATE {p} AS p SET status = CASE WHEN s.ok = 1 THEN 'paid' ELSE 'failed' END, "
        f"credited_amount_rupiah = CASE WHEN s.ok = 1 THEN s.nominal ELSE NULL END, "
        f"credited_on = CASE WHEN s.ok = 1 THEN s.tanggal ELSE NULL END, "
        f"bank_reason = CASE WHEN s.ok = 1 THEN '' ELSE s.keterangan END, flag_reason = '', updated_at = %s "
        f"FROM {DECIDED} AS s WHERE s.payment_id = p.id AND s.outcome = 'applied'", [now])
    setsql.execute(f"UPDATE {p} AS p SET flag_reason = s.reason, updated_at = %s FROM {DECIDED} AS s "
                   f"WHERE s.payment_id = p.id AND s.outcome = 'flagged' AND s.old_flag <> s.reason", [now])
    setsql.snapshot_history(Payment, f"id IN (SELECT payment_id FROM {DECIDED} WHERE outcome = 'applied' OR "
                                     f"(outcome = 'flagged' AND old_flag <> reason))", by=by,
                            reason=f"rekonsiliasi #{reconciliation.pk}")
    line = setsql.table(ReconciliationLine)
    setsql.execute(f"INSERT INTO {line} (reconciliation_id, row_number, outcome, payment_id_text, reason) "
                   f"SELECT %s, row_no, outcome, CAST(payment_id AS TEXT), reason FROM {DECIDED} "
                   f"WHERE outcome IN ('flagged', 'rejected')", [reconciliation.pk])


def _collect(result: ReconciliationResult, collect_applied: bool) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT outcome, COUNT(*) FROM {DECIDED} GROUP BY outcome")
        counts = dict(cursor.fetchall())
        result.unchanged = counts.get("unchanged", 0)
        result.applied_count = counts.get("applied", 0)
        wanted = "('applied', 'flagged', 'rejected')" if collect_applied else "('flagged', 'rejected')"
        cursor.execute(f"SELECT row_no, payment_id, outcome, reason, ok, keterangan FROM {DECIDED} "
                       f"WHERE outcome IN {wanted} ORDER BY row_no")
        while batch := cursor.fetchmany(BATCH):
            for row_no, payment_id, outcome, reason, ok, note in batch:
                if outcome == "applied":
                    text = "BERHASIL" if ok else ("GAGAL: " + note if note else "GAGAL")
                    result.applied.append({"row": row_no, "id_penyaluran": str(payment_id), "reason": text})
                else:
                    getattr(result, outcome).append({"row": row_no, "id_penyaluran": str(payment_id),
                                                     "reason": reason})


@transaction.atomic
def import_reconciliation(*, cycle: PaymentCycle, file, by, collect_applied: bool = True,
                          request=None) -> ReconciliationResult:
    """Apply the bank's answer for a cycle: BERHASIL → paid, GAGAL → failed; everything else flagged or rejected
    with its row number and reason. Importing the same file again changes nothing; a payment is never credited
    twice. Raises ``BankFileError`` for a file that cannot be read at all."""
    cycle = _locked(cycle)
    _refuse(permissions.reconcile_refusal(by, cycle))
    stream, name, close = _open(file)
    try:
        sha = _sha256(stream)
        previous = Reconciliation.objects.filter(cycle=cycle, file_sha256=sha).order_by("imported_at").first()
        reconciliation = Reconciliation.objects.create(cycle=cycle, file_name=name[:255], file_sha256=sha,
                                                       imported_by=by)
        _create_stage()
        text, header, reader = _reader(stream)
        seen, parse_rejected = _load_stage((text, header, reader))
        text.detach()
    finally:
        if close:
            stream.close()
    _decide(cycle)
    _apply(by, reconciliation)
    ReconciliationLine.objects.bulk_create(
        [ReconciliationLine(reconciliation=reconciliation, row_number=r["row"], outcome="rejected",
                            payment_id_text=r["id_penyaluran"][:40], reason=r["reason"]) for r in parse_rejected],
        batch_size=BATCH)
    result = ReconciliationResult(reconciliation=reconciliation, duplicate_of=previous)
    _collect(result, collect_applied)
    result.rejected = sorted(result.rejected + parse_rejected, key=lambda r: r["row"])
    setsql.execute(f"DROP TABLE {DECIDED}")

    reconciliation.rows_total, reconciliation.applied = seen, result.applied_count
    reconciliation.flagged, reconciliation.rejected = len(result.flagged), len(result.rejected)
    reconciliation.unchanged = result.unchanged
    reconciliation._history_user = by
    reconciliation.save()
    _after_import(cycle, by, result)
    return result


def _after_import(cycle: PaymentCycle, by, result: ReconciliationResult) -> None:
    refresh_totals(cycle)
    before = cycle.status
    fields = {}
    if cycle.status == CycleStatus.APPROVED:
        fields["sent_at"] = cycle.sent_at or timezone.now()
    last_credit = (Payment.objects.filter(cycle=cycle, status=PaymentStatus.PAID)
                   .order_by("-credited_on").values_list("credited_on", flat=True).first())
    if last_credit and cycle.paid_on != last_credit:
        fields["paid_on"] = last_credit
    target = CycleStatus.RECONCILED if not cycle.pending_count else CycleStatus.SENT
    if target == CycleStatus.RECONCILED:
        fields["reconciled_at"] = timezone.now()
    if target != cycle.status or fields:
        _move(cycle, to=target, by=by, **fields)
    record_event(cycle, CycleEvent.Action.RECONCILED, by=by, from_status=before,
                 reconciliation=result.reconciliation.pk, applied=result.applied_count, flagged=len(result.flagged),
                 rejected=len(result.rejected), unchanged=result.unchanged,
                 paid=f"{cycle.paid_count} ({rupiah(cycle.paid_rupiah)})")
    after_payments_changed(cycle, by)


# --- big files in the background ------------------------------------------------------------------

RECONCILIATION_JOB = "payments.reconciliation"


def start_reconciliation_job(*, cycle: PaymentCycle, uploaded, by):
    """Keep the bank's file with a new job and queue its import (files too big for one page request)."""
    from jsika.core.models import Job

    _refuse(permissions.reconcile_refusal(by, cycle))
    with transaction.atomic():
        job = Job(kind=RECONCILIATION_JOB, user=by, stage=_("Menunggu giliran"), params={
            "cycle": cycle.pk, "file": Path(uploaded.name).name,
            "result_template": "payments/_reconciliation_job_result.html"})
        job.input_file.save(Path(uploaded.name).name, uploaded, save=False)
        job.save()
    from .tasks import import_reconciliation_task

    import_reconciliation_task.enqueue(job_id=str(job.pk))
    job.refresh_from_db()
    return job


def run_reconciliation_job(*, job_id: str) -> None:
    """The task body: import the job's file into its cycle; the outcome (or the refusal) stays on the job."""
    from jsika.core.models import Job

    job = Job.objects.select_related("user").get(pk=job_id)
    if job.finished:
        return
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, stage=_("Memeriksa dan menerapkan baris"))
    cycle = PaymentCycle.objects.get(pk=job.params["cycle"])
    try:
        with job.input_file.open("rb") as source:
            result = import_reconciliation(cycle=cycle, file=source, by=job.user, collect_applied=False)
    except PaymentError as exc:
        Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, error=str(exc), stage="")
    else:
        r = result.reconciliation
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.DONE, stage="", total=r.rows_total, done=r.rows_total,
            result={"reconciliation_id": r.pk, "applied": r.applied, "flagged": r.flagged, "rejected": r.rejected,
                    "unchanged": r.unchanged})
    # The bank's file holds account numbers: keep it no longer than the import needs. (Not ``save=True``: that
    # would write this stale instance over the outcome recorded above.)
    job.input_file.delete(save=False)
    Job.objects.filter(pk=job.pk).update(input_file="")

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

PAYMENT_COLUMNS = ["id_penyaluran", "no_rekening", "nama", "nik", "nominal", "kode_wilayah", "keterangan"]
RECONCILIATION_COLUMNS = ["id_penyaluran", "no_rekening", "nominal", "status", "tanggal", "keterangan"]
REQUIRED_RECONCILIATION = RECONCILIATION_COLUMNS[:5]
SIGNING_SALT = "jsika.payments.bankfile"
STAGE = "payments_recon_stage"
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


def _select_sql() -> tuple[str, str]:
    payment = setsql.table(Payment)
    select = (f"SELECT p.id AS id_penyaluran, p.account_number AS no_rekening, p.holder_name AS nama, "
              f"p.holder_nik AS nik, p.amount_rupiah AS nominal, p.region_code AS kode_wilayah, "
              f"%s || ' ' || CAST(p.year AS TEXT) || ' tahap ' || CAST(p.stage AS TEXT) AS keterangan "
              f"FROM {payment} p WHERE p.cycle_id = %s AND p.status <> 'reversed' ORDER BY p.id")
    return select, payment


def write_payment_rows(cycle: PaymentCycle, target) -> int:
    """Write the CSV (header + one row per payment) to the binary stream ``target``; returns data rows."""
    select, _payment = _select_sql()
    params = [cycle.program.code, cycle.pk]
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
    totals = Payment.objects.filter(cycle=cycle).exclude(status=PaymentStatus.REVERSED)
    if rows != cycle.payment_count or rows != totals.count():
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


def _parse(number: int, cells: list[str], index: dict[str, int], today: date):
    """One data row → (staged tuple, None) or (None, rejection dict)."""
    def cell(name):
        at = index.get(name)
        return cells[at].strip() if at is not None and at < len(cells) else ""

    raw_id = cell("id_penyaluran")

    def reject(reason):
        return None, {"row": number, "id_penyaluran": raw_id, "reason": reason}

    if not any(c.strip() for c in cells):
        return None, None
    if not _DIGITS.fullmatch(raw_id) or len(raw_id) > 18:
        return reject(_("id_penyaluran harus angka"))
    status = cell("status").upper()
    if status not in ("BERHASIL", "GAGAL"):
        return reject(_("status harus BERHASIL atau GAGAL"))
    ok = status == "BERHASIL"
    nominal_text = cell("nominal")
    if nominal_text and not _DIGITS.fullmatch(nominal_text) or (ok and not nominal_text):
        return reject(_("nominal harus rupiah bulat, angka saja (tanpa titik atau koma)"))
    nominal = int(nominal_text) if nominal_text else 0
    if len(nominal_text) > 15:
        return reject(_("nominal terlalu besar"))
    tanggal_text, credited = cell("tanggal"), None
    if tanggal_text or ok:
        try:
            if not _DATE.fullmatch(tanggal_text):
                raise ValueError
            credited = date.fromisoformat(tanggal_text)
        except ValueError:
            return reject(_("tanggal harus YYYY-MM-DD"))
        if credited > today:
            return reject(_("tanggal di masa depan"))
    account = cell("no_rekening")[:30]
    reason = cell("keterangan")[:255]
    return (number, int(raw_id), account, nominal, 1 if ok else 0, credited, reason), None


STAGE_COLUMNS = "row_no, payment_id, no_rekening, nominal, ok, tanggal, keterangan"


def _create_stage() -> None:
    setsql.execute(f"DROP TABLE IF EXISTS {STAGE}")
    setsql.execute(f"CREATE TEMPORARY TABLE {STAGE} (row_no INTEGER NOT NULL, payment_id BIGINT NOT NULL, "
                   f"no_rekening VARCHAR(30) NOT NULL, nominal BIGINT NOT NULL, ok INTEGER NOT NULL, tanggal DATE, "
                   f"keterangan VARCHAR(255) NOT NULL, outcome VARCHAR(10), reason VARCHAR(255), "
                   f"changed INTEGER NOT NULL DEFAULT 0)")


def _load_stage(rows) -> tuple[int, list[dict]]:
    """Stage the parsed rows; returns (rows seen, rejections made while parsing)."""
    rejected, seen = [], 0
    today = timezone.localdate()
    text, header, reader = rows
    index = {name: i for i, name in enumerate(header)}

    def parsed():
        nonlocal seen
        try:
            for number, cells in enumerate(reader, start=2):
                staged, rejection = _parse(number, cells, index, today)
                if rejection:
                    rejected.append(rejection)
                if staged or rejection:
                    seen += 1
                if staged:
                    yield staged
        except (UnicodeDecodeError, csv.Error) as error:
            raise BankFileError(_("Berkas tidak dapat dibaca sebagai CSV UTF-8: %(e)s") % {"e": error}) from error

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor, cursor.connection.cursor().copy(
                f"COPY {STAGE} ({STAGE_COLUMNS}) FROM STDIN") as copy:
            for row in parsed():
                copy.write_row(row)
    else:
        insert = f"INSERT INTO {STAGE} ({STAGE_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s)"
        batch = []
        with connection.cursor() as cursor:
            for row in parsed():
                batch.append(row[:5] + (setsql.db_date(row[5]), row[6]))
                if len(batch) >= BATCH:
                    cursor.executemany(insert, batch)
                    batch = []
            if batch:
                cursor.executemany(insert, batch)
    setsql.execute(f"CREATE INDEX {STAGE}_pid ON {STAGE} (payment_id)")
    return seen, rejected


def _decide(cycle: PaymentCycle) -> None:
    """Give every staged row an outcome: rejected, unchanged, flagged or applied (first rule wins)."""
    p = setsql.table(Payment)
    pending = "outcome IS NULL"
    this = f"(SELECT {{}} FROM {p} p WHERE p.id = {STAGE}.payment_id)"
    rules = [
        ("rejected", "'id_penyaluran ganda dalam berkas (pertama di baris ' || CAST((SELECT MIN(t.row_no) FROM "
         f"{STAGE} t WHERE t.payment_id = {STAGE}.payment_id) AS TEXT) || ')'",
         f"EXISTS (SELECT 1 FROM {STAGE} t WHERE t.payment_id = {STAGE}.payment_id AND t.row_no < {STAGE}.row_no)"),
        ("rejected", "'id_penyaluran tidak dikenal'", f"NOT EXISTS {this.format('1')}"),
        ("rejected", "'id_penyaluran bukan dari tahap penyaluran ini'",
         f"{this.format('p.cycle_id')} <> {int(cycle.pk)}"),
        ("rejected", "'pembayaran ini sudah dibatalkan'", f"{this.format('p.status')} = 'reversed'"),
        ("rejected", "'pembayaran ini sudah diterbitkan ulang pada tahap lain'",
         f"{this.format('p.status')} = 'reissued'"),
        ("rejected", "'pembayaran ini sudah diretur ke kas daerah'", f"{this.format('p.status')} = 'returned'"),
        ("unchanged", "''", f"ok = 1 AND EXISTS (SELECT 1 FROM {p} p WHERE p.id = {STAGE}.payment_id AND "
         f"p.status = 'paid' AND p.credited_amount_rupiah = {STAGE}.nominal AND p.credited_on = {STAGE}.tanggal "
         f"AND p.account_number = {STAGE}.no_rekening)"),
        ("rejected", "'sudah tercatat berhasil dikreditkan pada ' || "
         f"{this.format('CAST(p.credited_on AS TEXT)')} || '; pembayaran tidak dikreditkan dua kali'",
         f"{this.format('p.status')} = 'paid'"),
        ("unchanged", "''", f"ok = 0 AND {this.format('p.status')} = 'failed'"),
        ("flagged", "'nominal ' || CAST(nominal AS TEXT) || ' berbeda dari yang dikirim ' || "
         f"CAST({this.format('p.amount_rupiah')} AS TEXT)",
         f"ok = 1 AND nominal <> {this.format('p.amount_rupiah')}"),
        ("flagged", "'no_rekening ' || no_rekening || ' berbeda dari yang dikirim'",
         f"no_rekening <> {this.format('p.account_number')}"),
    ]
    for outcome, reason_sql, condition in rules:
        setsql.execute(f"UPDATE {STAGE} SET outcome = %s, reason = {reason_sql} WHERE {pending} AND {condition}",
                       [outcome])
    setsql.execute(f"UPDATE {STAGE} SET outcome = 'applied', reason = '' WHERE {pending}")
    setsql.execute(f"UPDATE {STAGE} SET changed = 1 WHERE outcome = 'flagged' AND "
                   f"{this.format('p.flag_reason')} <> reason")


def _apply(by, reconciliation: Reconciliation) -> None:
    p = setsql.table(Payment)
    now = setsql.db_datetime(timezone.now())
    setsql.execute(
        f"UPDATE {p} AS p SET status = CASE WHEN s.ok = 1 THEN 'paid' ELSE 'failed' END, "
        f"credited_amount_rupiah = CASE WHEN s.ok = 1 THEN s.nominal ELSE NULL END, "
        f"credited_on = CASE WHEN s.ok = 1 THEN s.tanggal ELSE NULL END, "
        f"bank_reason = CASE WHEN s.ok = 1 THEN '' ELSE s.keterangan END, flag_reason = '', updated_at = %s "
        f"FROM {STAGE} AS s WHERE s.payment_id = p.id AND s.outcome = 'applied'", [now])
    setsql.execute(f"UPDATE {p} AS p SET flag_reason = s.reason, updated_at = %s FROM {STAGE} AS s "
                   f"WHERE s.payment_id = p.id AND s.changed = 1", [now])
    setsql.snapshot_history(Payment, f"id IN (SELECT payment_id FROM {STAGE} WHERE outcome = 'applied' OR "
                                     f"changed = 1)", by=by, reason=f"rekonsiliasi #{reconciliation.pk}")
    line = setsql.table(ReconciliationLine)
    setsql.execute(f"INSERT INTO {line} (reconciliation_id, row_number, outcome, payment_id_text, reason) "
                   f"SELECT %s, row_no, outcome, CAST(payment_id AS TEXT), reason FROM {STAGE} "
                   f"WHERE outcome IN ('flagged', 'rejected')", [reconciliation.pk])


def _collect(result: ReconciliationResult, collect_applied: bool) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT outcome, COUNT(*) FROM {STAGE} GROUP BY outcome")
        counts = dict(cursor.fetchall())
        result.unchanged = counts.get("unchanged", 0)
        result.applied_count = counts.get("applied", 0)
        wanted = "('applied', 'flagged', 'rejected')" if collect_applied else "('flagged', 'rejected')"
        cursor.execute(f"SELECT row_no, payment_id, outcome, reason, ok, keterangan FROM {STAGE} "
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
    setsql.execute(f"DROP TABLE {STAGE}")

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

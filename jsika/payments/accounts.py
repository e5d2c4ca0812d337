"""KPM bank accounts and kartu Multiguna: registering, the collective account-opening file, cards.

The collective account-opening file (``rekening kolektif``) lists one row per active KPM without an active
account at the paying bank, with the person who will hold it; the bank fills ``no_rekening`` and sends it
back, and ``import_opened_accounts`` registers those accounts. Same rules as ``services.py``: keyword-only,
``by=``, checks first, one transaction, history.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from jsika.core.access_log import log_access
from jsika.core.models import AccessLog
from jsika.core.roles import Role
from jsika.registry.models import Household, Person, Relation

from . import permissions
from .models import BankAccount, Card, CardService
from .queries import households_without_account
from .services import PaymentError, _refuse

OPENING_COLUMNS = ["id_keluarga", "no_kk", "nik", "nama", "tanggal_lahir", "alamat", "kode_wilayah", "no_rekening"]
OPENED_REQUIRED = ["no_kk", "nik", "no_rekening"]
DEFAULT_CARD_SERVICES = [CardService.BANK, CardService.MINIMARKET, CardService.HEALTH, CardService.SCHOOL]
_ACCOUNT = re.compile(r"[0-9]{6,20}")
_NIK = re.compile(r"[0-9]{16}")
_CARD = re.compile(r"[0-9]{12,20}")
# Who holds the family's account: PKH practice makes the mother the pengurus when there is one.
HOLDER_ORDER = [Relation.WIFE, Relation.HEAD, Relation.HUSBAND, Relation.PARENT, Relation.CHILD]


def account_holder(members: list[Person]) -> Person | None:
    """The member who holds the family's account: the wife, else the head, else the first adult listed."""
    def rank(person):
        order = HOLDER_ORDER.index(person.relation) if person.relation in HOLDER_ORDER else len(HOLDER_ORDER)
        return order, person.birth_date, person.pk
    return min(members, key=rank) if members else None


def _clean_account(account_number: str) -> str:
    number = (account_number or "").strip().replace(" ", "").replace("-", "")
    if not _ACCOUNT.fullmatch(number):
        raise PaymentError(_("Nomor rekening harus 6–20 digit angka."))
    return number


@transaction.atomic
def register_bank_account(*, household: Household, bank_code: str, account_number: str, holder_name: str,
                          holder_nik: str, by, person: Person | None = None, opened_on: date | None = None,
                          replace: bool = False) -> BankAccount:
    """Record a KPM's account at a bank; with ``replace`` an existing active account there is closed first."""
    _refuse(permissions.accounts_refusal(by, household.region_id))
    number = _clean_account(account_number)
    bank_code = bank_code.strip().upper()
    holder_name = " ".join((holder_name or "").split())
    if not holder_name:
        raise PaymentError(_("Nama pemilik rekening wajib diisi."))
    if not _NIK.fullmatch(holder_nik or ""):
        raise PaymentError(_("NIK pemilik rekening harus 16 digit angka."))
    if BankAccount.objects.filter(bank_code=bank_code, account_number=number).exists():
        raise PaymentError(_("Nomor rekening %(n)s di %(b)s sudah terdaftar.") % {"n": number, "b": bank_code})
    current = BankAccount.objects.select_for_update().filter(household=household, bank_code=bank_code,
                                                             status=BankAccount.Status.ACTIVE).first()
    if current and not replace:
        raise PaymentError(_("Keluarga ini sudah punya rekening aktif di %(b)s (%(n)s).")
                           % {"b": bank_code, "n": current.account_number})
    if current:
        current.status = BankAccount.Status.CLOSED
        current._history_user = by
        current.save()
    account = BankAccount(household=household, person=person, bank_code=bank_code, account_number=number,
                          holder_name=holder_name[:150], holder_nik=holder_nik,
                          opened_on=opened_on or timezone.localdate())
    account._history_user = by
    account.save()
    return account


@transaction.atomic
def set_account_status(*, account: BankAccount, status: str, by, reason: str = "") -> BankAccount:
    """Mark an account active, inactive (dormant) or closed; a household keeps one active account per bank."""
    _refuse(permissions.accounts_refusal(by, account.household.region_id))
    if status not in BankAccount.Status.values:
        raise PaymentError(_("Status rekening tidak dikenal."))
    if status == BankAccount.Status.ACTIVE and BankAccount.objects.filter(
            household_id=account.household_id, bank_code=account.bank_code,
            status=BankAccount.Status.ACTIVE).exclude(pk=account.pk).exists():
        raise PaymentError(_("Keluarga ini sudah punya rekening aktif lain di bank yang sama."))
    account.status = status
    account._history_user = by
    account._change_reason = reason[:100]
    account.save()
    return account


# --- collective account opening -------------------------------------------------------------------

def export_account_opening_file(*, program, bank_code: str, by, out, region_code: str = "", request=None) -> int:
    """Write the collective account-opening file (``;`` CSV, UTF-8) for KPM without an account; returns rows."""
    region_code = region_code or program.owner_region_id
    if not (by.is_superuser or permissions.is_bank_of(by, bank_code)):
        _refuse(permissions.accounts_refusal(by, region_code))
    enrollments = list(households_without_account(program, bank_code, region_code))
    members: dict[int, list[Person]] = {}
    for person in Person.objects.filter(household_id__in=[e.household_id for e in enrollments]):
        members.setdefault(person.household_id, []).append(person)
    path = Path(out) if isinstance(out, str | Path) else None
    stream = path.open("w", encoding="utf-8", newline="") if path else io.TextIOWrapper(
        out, encoding="utf-8", newline="", write_through=True)
    try:
        writer = csv.writer(stream, delimiter=";", lineterminator="\n")
        writer.writerow(OPENING_COLUMNS)
        for e in enrollments:
            holder = account_holder(members.get(e.household_id, []))
            writer.writerow([e.household_id, e.household.no_kk, holder.nik if holder else "",
                             holder.name if holder else "", holder.birth_date.isoformat() if holder else "",
                             e.household.address, e.household.region_id, ""])
    finally:
        if path:
            stream.close()
        else:
            stream.detach()
    log_access(user=by, action=AccessLog.Action.EXPORT, object_type="account_opening", object_id=program.code,
               request=request, bank=bank_code, rows=len(enrollments))
    return len(enrollments)


@dataclass
class OpenedAccounts:
    created: int = 0
    unchanged: int = 0
    rejected: list[dict] = field(default_factory=list)


@transaction.atomic
def import_opened_accounts(*, file, bank_code: str, by, opened_on: date | None = None) -> OpenedAccounts:
    """Register the accounts the bank opened (the account-opening file with ``no_rekening`` filled in).

    Rows are matched on ``no_kk`` and the holder's ``nik`` (a member of that family). An account already
    registered with the same number and family is unchanged; any other conflict rejects the row with reason.
    """
    bank_code = bank_code.strip().upper()
    is_bank = by.role == Role.BANK and not by.is_superuser
    if is_bank and not permissions.is_bank_of(by, bank_code):
        raise PaymentError(_("Bank hanya dapat mengimpor rekening untuk banknya sendiri."))
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="") if not isinstance(file, str | Path) else open(
        file, encoding="utf-8-sig", newline="")  # noqa: SIM115
    result, accounts, seen = OpenedAccounts(), [], set()
    try:
        reader = csv.reader(text, delimiter=";")
        header = [h.strip().lower() for h in next(reader, [])]
        missing = [c for c in OPENED_REQUIRED if c not in header]
        if missing:
            raise PaymentError(_("Kolom wajib tidak ada: %(cols)s.") % {"cols": ", ".join(missing)})
        index = {name: i for i, name in enumerate(header)}
        rows = [(n, {k: (cells[i].strip() if i < len(cells) else "") for k, i in index.items()})
                for n, cells in enumerate(reader, start=2) if any(c.strip() for c in cells)]
    except UnicodeDecodeError as error:
        raise PaymentError(_("Berkas bukan teks UTF-8.")) from error
    finally:
        if isinstance(file, str | Path):
            text.close()
        else:
            text.detach()
    households = {h.no_kk: h for h in Household.objects.filter(no_kk__in=[r["no_kk"] for _n, r in rows])}
    people = {p.nik: p for p in Person.objects.filter(nik__in=[r["nik"] for _n, r in rows])}
    taken = {n: h for n, h in BankAccount.objects.filter(
        bank_code=bank_code, account_number__in=[r["no_rekening"] for _n, r in rows]).values_list(
        "account_number", "household_id")}
    active = set(BankAccount.objects.filter(bank_code=bank_code, status=BankAccount.Status.ACTIVE,
                                            household__in=households.values()).values_list("household_id", flat=True))
    for number, row in rows:
        def reject(reason, number=number, row=row):
            result.rejected.append({"row": number, "no_kk": row["no_kk"], "reason": reason})
        household, person, account = households.get(row["no_kk"]), people.get(row["nik"]), row["no_rekening"]
        if household is None:
            reject(_("no_kk tidak dikenal"))
        elif not (by.is_superuser or is_bank or permissions.covers(by, household.region_id)):
            reject(_("keluarga di luar cakupan wilayah Anda"))
        elif person is None or person.household_id != household.pk:
            reject(_("nik bukan anggota keluarga ini"))
        elif not _ACCOUNT.fullmatch(account):
            reject(_("no_rekening harus 6–20 digit angka"))
        elif account in taken and taken[account] == household.pk:
            result.unchanged += 1
        elif account in taken or account in seen:
            reject(_("no_rekening sudah dipakai keluarga lain"))
        elif household.pk in active:
            reject(_("keluarga ini sudah punya rekening aktif di bank ini"))
        else:
            seen.add(account)
            active.add(household.pk)
            accounts.append(BankAccount(household=household, person=person, bank_code=bank_code,
                                        account_number=account, holder_name=(row.get("nama") or person.name)[:150],
                                        holder_nik=person.nik, opened_on=opened_on or timezone.localdate()))
    bulk_create_with_history(accounts, BankAccount, default_user=by, default_change_reason="pembukaan rekening "
                                                                                           "kolektif")
    result.created = len(accounts)
    return result


# --- kartu Multiguna ------------------------------------------------------------------------------

def _services(codes) -> list[str]:
    codes = [str(c) for c in (codes if codes is not None else DEFAULT_CARD_SERVICES)]
    unknown = [c for c in codes if c not in CardService.values]
    if unknown:
        raise PaymentError(_("Layanan kartu tidak dikenal: %(c)s.") % {"c": ", ".join(unknown)})
    return sorted(set(codes), key=CardService.values.index)


@transaction.atomic
def issue_card(*, household: Household, number: str, by, person: Person | None = None,
               bank_account: BankAccount | None = None, services=None, issued_on: date | None = None) -> Card:
    """Issue a kartu Multiguna to a KPM family (one usable card per family)."""
    _refuse(permissions.accounts_refusal(by, household.region_id))
    number = (number or "").replace(" ", "")
    if not _CARD.fullmatch(number):
        raise PaymentError(_("Nomor kartu harus 12–20 digit angka."))
    if Card.objects.filter(number=number).exists():
        raise PaymentError(_("Nomor kartu %(n)s sudah dipakai.") % {"n": number})
    if Card.objects.filter(household=household, status__in=(Card.Status.ISSUED, Card.Status.ACTIVE)).exists():
        raise PaymentError(_("Keluarga ini sudah punya kartu yang berlaku; blokir atau ganti kartunya."))
    card = Card(household=household, person=person, number=number, bank_account=bank_account,
                services=_services(services), issued_on=issued_on or timezone.localdate())
    card._history_user = by
    card.save()
    return card


def _card_move(card: Card, *, to: str, by, allowed: tuple, reason: str = "") -> Card:
    card = Card.objects.select_for_update().select_related("household").get(pk=card.pk)
    _refuse(permissions.accounts_refusal(by, card.household.region_id))
    if card.status not in allowed:
        raise PaymentError(_("Kartu berstatus %(s)s tidak dapat diubah begitu.") % {"s": card.get_status_display()})
    card.status = to
    if reason:
        card.blocked_reason = reason[:255]
    card._history_user = by
    card.save()
    return card


@transaction.atomic
def activate_card(*, card: Card, by) -> Card:
    return _card_move(card, to=Card.Status.ACTIVE, by=by, allowed=(Card.Status.ISSUED, Card.Status.BLOCKED))


@transaction.atomic
def block_card(*, card: Card, by, reason: str) -> Card:
    if not reason.strip():
        raise PaymentError(_("Alasan pemblokiran wajib diisi."))
    return _card_move(card, to=Card.Status.BLOCKED, by=by, allowed=(Card.Status.ISSUED, Card.Status.ACTIVE),
                      reason=reason)


@transaction.atomic
def replace_card(*, card: Card, by, new_number: str, reason: str) -> Card:
    """Replace a lost or damaged card: the old one becomes ``replaced``, the new one carries its services."""
    if not reason.strip():
        raise PaymentError(_("Alasan penggantian wajib diisi."))
    old = _card_move(card, to=Card.Status.REPLACED, by=by,
                     allowed=(Card.Status.ISSUED, Card.Status.ACTIVE, Card.Status.BLOCKED), reason=reason)
    new = issue_card(household=old.household, number=new_number, by=by, person=old.person,
                     bank_account=old.bank_account, services=old.services)
    new.replaces = old
    new.save(update_fields=["replaces"])
    return new


@transaction.atomic
def set_card_services(*, card: Card, services, by) -> Card:
    """Record which services the card gives (bank, minimarket, free health care, school, bus)."""
    _refuse(permissions.accounts_refusal(by, card.household.region_id))
    card.services = _services(services)
    card._history_user = by
    card.save()
    return card

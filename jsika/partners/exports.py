"""The xlsx export of a partner search: the sector's columns only, NIK/No. KK as text, every export logged."""

from datetime import date
from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from jsika.core.access_log import log_access
from jsika.core.models import AccessLog
from jsika.core.roles import Role

from .fields import PartnerFields, household_values, person_values
from .queries import PersonCriteria, attach_household_size, partner_persons, with_household_size

# Roles whose exports carry full NIK / No. KK (specs/api.md: operator and manager; the export is logged).
FULL_NUMBER_ROLES = (Role.MANAGER, Role.OPERATOR)
TEXT_COLUMNS = {"nik", "no_kk"}
MAX_EXPORT_ROWS = 100_000


def column_labels() -> dict[str, str]:
    return {
        "nik": _("NIK"), "name": _("Nama"), "sex": _("Jenis kelamin"), "birth_date": _("Tanggal lahir"),
        "age": _("Umur"), "relation": _("Hubungan"), "education": _("Pendidikan"),
        "school_status": _("Status sekolah"), "pregnant": _("Hamil"), "disabled": _("Disabilitas"),
        "stunting_risk": _("Risiko stunting"), "occupation": _("Pekerjaan"), "phone": _("Telepon"),
        "nik_mismatch": _("NIK tidak padan"), "no_kk": _("No. KK"), "region": _("Kode wilayah"),
        "region_name": _("Desa/kelurahan"), "address": _("Alamat"), "rt": _("RT"), "rw": _("RW"),
        "desil": _("Desil"), "is_pkh_recipient": _("Penerima PKH"), "latitude": _("Lintang"),
        "longitude": _("Bujur"), "member_count": _("Jumlah anggota"),
    }


def export_columns(allowed: PartnerFields) -> tuple[list[str], list[str]]:
    person = [c for c in allowed.person_columns() if c != "id"]
    household = [c for c in allowed.household_columns() if c != "id"]
    return person, household


def _cell(sheet, value, *, text: bool):
    if isinstance(value, bool):
        value = _("Ya") if value else _("Tidak")
    elif isinstance(value, date):
        value = value.isoformat()
    cell = WriteOnlyCell(sheet, value="" if value is None else (str(value) if text else value))
    if text:
        cell.number_format = "@"  # Excel keeps all 16 digits and the leading digits as written
    return cell


def export_persons(*, by, criteria: PersonCriteria, allowed: PartnerFields, today: date, request=None,
                   search_name: str = "") -> tuple[bytes, int]:
    """The persons matching ``criteria`` in ``by``'s scope as an xlsx file; returns (bytes, rows). Logged."""
    full = by.has_role(*FULL_NUMBER_ROLES)
    qs = criteria.apply(partner_persons(by, today=today, with_stunting="stunting_risk" in allowed.person), today)
    qs = with_household_size(qs).order_by("household__region_id", "household_id", "birth_date", "pk")[:MAX_EXPORT_ROWS]
    person_cols, household_cols = export_columns(allowed)
    labels = column_labels()
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("data KPM"))
    sheet.append([labels[c] for c in person_cols] + [labels[c] for c in household_cols])
    rows = 0
    for person in qs.iterator(chunk_size=2000):
        attach_household_size(person)
        p = person_values(person, allowed, today=today, full_numbers=full)
        h = household_values(person.household, allowed, full_numbers=full)
        sheet.append([_cell(sheet, p.get(c), text=c in TEXT_COLUMNS) for c in person_cols]
                     + [_cell(sheet, h.get(c), text=c in TEXT_COLUMNS or c == "region") for c in household_cols])
        rows += 1
    out = BytesIO()
    book.save(out)
    log_access(user=by, action=AccessLog.Action.EXPORT, object_type="partner_search",
               object_id=search_name or "-", request=request, filter=criteria.as_dict(), rows=rows,
               sector=allowed.sector, full_numbers=full)
    return out.getvalue(), rows

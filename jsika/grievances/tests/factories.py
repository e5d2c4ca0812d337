"""Grievances and the people around them, for the grievance tests (plain functions)."""

import time
from datetime import timedelta

from django.utils import timezone

from jsika.grievances import services
from jsika.grievances.challenge import make_token
from jsika.registry.tests.factories import assign_caseload, make_household, make_person, make_user

__all__ = ["file", "people", "form_data", "make_household", "make_person", "make_user", "assign_caseload", "days_ago",
           "PNG", "JPEG", "WEBP"]

VILLAGE = "36.72.03.1001"  # Kelurahan Lebak Gede, Kecamatan Pulomerak, Kota Cilegon
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 64


def days_ago(n: float):
    return timezone.now() - timedelta(days=n)


def file(category="cut", region=VILLAGE, description="Bantuan dipotong Rp200.000 oleh oknum.", **kw):
    """A grievance filed by the public through the service."""
    return services.file_grievance(category=category, region=region, description=description, **kw)


def people():
    return {
        "operator": make_user("op.cilegon", "operator", "36.72"),
        "operator_lebak": make_user("op.lebak", "operator", "36.02"),
        "manager": make_user("mgr.cilegon", "manager", "36.72"),
        "province": make_user("mgr.banten", "manager", "36"),
        "auditor": make_user("auditor", "auditor", "36"),
        "facilitator": make_user("pendamping.a", "facilitator", "36.72.03"),
        "facilitator2": make_user("pendamping.b", "facilitator", "36.72.03"),
        "partner": make_user("opd", "partner", "36"),
        "bank": make_user("bank", "bank", "", bank_code="BJB"),
        "admin": make_user("root", "superuser"),
    }


def form_data(**over) -> dict:
    """A valid public form submission whose challenge was asked 10 seconds ago (3 + 4 = 7)."""
    data = {
        "category": "cut", "kabkota": "36.72", "kecamatan": "36.72.03", "region": VILLAGE, "program": "",
        "description": "Bantuan yang kami terima dipotong Rp200.000 oleh orang yang mengaku petugas.",
        "nik": "", "no_kk": "", "reporter_name": "", "contact": "", "answer": "7",
        "token": make_token(3, 4, issued_at=time.time() - 10), "website": "",
    }
    data.update(over)
    return data

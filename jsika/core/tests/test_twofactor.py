"""Two-factor login (TOTP): enrolment, the code step, throttling, mandatory mode, no bypass."""

import re
import time
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from jsika.core.models import AuditEvent, User
from jsika.core.twofactor import remove_two_factor

PASSWORD = "benar-sekali-2026"


def code_for(device, offset_steps: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset_steps * device.step
    return f"{totp.token():06d}"


def wrong_code(device) -> str:
    good = {code_for(device, s) for s in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in good)


@pytest.fixture
def manager(db):
    return User.objects.create_user("dinsos.banten", password=PASSWORD, role="manager", scope="36")


@pytest.fixture
def enrolled(manager):
    return TOTPDevice.objects.create(user=manager, name="test", confirmed=True)


def logged_in_as(client):
    return client.session.get("_auth_user_id")


def test_enrolment_shows_qr_and_secret_and_a_right_code_confirms_it(client, manager):
    client.force_login(manager)
    page = client.get("/keamanan/2fa/daftar/")
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html
    device = TOTPDevice.objects.get(user=manager, confirmed=False)
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    import base64
    assert base64.b32decode(secret + "=" * (-len(secret) % 8)) == device.bin_key

    bad = client.post("/keamanan/2fa/konfirmasi/", {"device": device.pk, "code": wrong_code(device)})
    assert bad.status_code == 400 and "Kode salah" in bad.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    device.throttling_failure_timestamp = timezone.now() - timedelta(minutes=5)
    device.save()

    ok = client.post("/keamanan/2fa/konfirmasi/", {"device": device.pk, "code": code_for(device)})
    assert ok.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    event = AuditEvent.objects.get(action=AuditEvent.Action.TOTP_ENROLLED)
    assert event.actor == manager and event.subject_user == manager
    assert client.get("/beranda/").status_code == 200  # the enrolling session counts as verified


def test_password_alone_does_not_log_in_an_enrolled_user(client, enrolled):
    response = client.post("/masuk/", {"username": "dinsos.banten", "password": PASSWORD})
    assert response.status_code == 302 and response.url == "/masuk/kode/"
    assert logged_in_as(client) is None
    assert client.get("/beranda/").url.startswith("/masuk/")


def test_wrong_code_refused_then_throttled_then_right_code_logs_in(client, enrolled):
    client.post("/masuk/", {"username": "dinsos.banten", "password": PASSWORD, "next": "/registry/"})
    wrong = client.post("/masuk/kode/", {"code": wrong_code(enrolled)})
    assert wrong.status_code == 400 and "Kode salah" in wrong.content.decode()
    assert logged_in_as(client) is None

    # django-otp's throttle: right after a failure even the right code waits.
    throttled = client.post("/masuk/kode/", {"code": code_for(enrolled)})
    assert throttled.status_code == 400 and "Terlalu banyak" in throttled.content.decode()
    assert logged_in_as(client) is None

    enrolled.refresh_from_db()
    enrolled.throttling_failure_timestamp = timezone.now() - timedelta(minutes=5)
    enrolled.save()
    ok = client.post("/masuk/kode/", {"code": code_for(enrolled)})
    assert ok.status_code == 302 and ok.url == "/registry/"
    assert logged_in_as(client) == str(enrolled.user_id)
    assert client.get("/beranda/").status_code == 200


def test_a_used_code_cannot_be_replayed(client, enrolled):
    code = code_for(enrolled)
    client.post("/masuk/", {"username": "dinsos.banten", "password": PASSWORD})
    assert client.post("/masuk/kode/", {"code": code}).status_code == 302
    client.post("/keluar/")
    client.post("/masuk/", {"username": "dinsos.banten", "password": PASSWORD})
    assert client.post("/masuk/kode/", {"code": code}).status_code == 400
    assert logged_in_as(client) is None


def test_the_code_step_expires_and_needs_the_password_step(client, enrolled):
    assert client.get("/masuk/kode/").url == "/masuk/"
    client.post("/masuk/", {"username": "dinsos.banten", "password": PASSWORD})
    session = client.session
    session["jsika_2fa_pending"]["at"] -= 3600
    session.save()
    assert client.post("/masuk/kode/", {"code": code_for(enrolled)}).url == "/masuk/"
    assert logged_in_as(client) is None


def test_unenrolled_manager_sees_a_reminder_and_logs_in_with_password(client, manager):
    response = client.post("/masuk/", {"username": "dinsos.banten", "password": PASSWORD}, follow=True)
    assert response.status_code == 200 and logged_in_as(client)
    assert "belum memakai verifikasi dua langkah" in response.content.decode()


def test_operator_gets_no_reminder(client, regions):
    User.objects.create_user("operator.cilegon", password=PASSWORD, role="operator", scope="36.72")
    response = client.post("/masuk/", {"username": "operator.cilegon", "password": PASSWORD}, follow=True)
    assert "belum memakai verifikasi dua langkah" not in response.content.decode()


@override_settings(JSIKA_REQUIRE_2FA_ROLES=["manager", "auditor"])
def test_mandatory_mode_sends_an_unenrolled_manager_to_enrolment_first(client, manager):
    client.force_login(manager)
    for path in ("/beranda/", "/registry/", "/penyaluran/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith("/keamanan/"), path
    assert client.get("/keamanan/").status_code == 200
    assert client.get("/keamanan/2fa/daftar/").status_code == 200
    api = client.get("/api/v1/households")
    assert api.status_code == 403 and "verifikasi dua langkah" in api.json()["detail"]


@override_settings(JSIKA_REQUIRE_2FA_ROLES=["manager", "auditor"])
def test_mandatory_mode_leaves_other_roles_alone(client, regions):
    operator = User.objects.create_user("operator.cilegon", password=PASSWORD, role="operator", scope="36.72")
    client.force_login(operator)
    assert client.get("/beranda/").status_code == 200


@override_settings(JSIKA_REQUIRE_2FA_ROLES=["manager"])
def test_enrolled_manager_cannot_bypass_the_code_through_another_login(client, enrolled):
    # A session authenticated without the code step (e.g. /admin/login/) is sent to the code page.
    client.force_login(enrolled.user)
    response = client.get("/registry/")
    assert response.status_code == 302 and response.url.startswith("/masuk/kode/")
    assert client.get("/admin/").url.startswith("/masuk/kode/")
    assert client.get("/api/v1/households").status_code == 403
    ok = client.post("/masuk/kode/?next=/registry/", {"code": code_for(enrolled), "next": "/registry/"})
    assert ok.status_code == 302 and ok.url == "/registry/"
    assert client.get("/registry/").status_code == 200


def test_an_auditor_without_a_setting_may_skip_enrolment(client, regions):
    auditor = User.objects.create_user("auditor.inspektorat", password=PASSWORD, role="auditor", scope="36")
    client.force_login(auditor)
    assert client.get("/beranda/").status_code == 200


def test_owner_removes_the_device_with_a_current_code_and_it_is_logged(client, enrolled):
    client.post("/masuk/", {"username": "dinsos.banten", "password": PASSWORD})
    client.post("/masuk/kode/", {"code": code_for(enrolled)})
    bad = client.post("/keamanan/2fa/hapus/", {"code": "12"}, follow=True)
    assert "Kode salah" in bad.content.decode() and TOTPDevice.objects.filter(user=enrolled.user).exists()
    enrolled.refresh_from_db()
    enrolled.throttling_failure_timestamp = timezone.now() - timedelta(minutes=5)
    enrolled.save()
    client.post("/keamanan/2fa/hapus/", {"code": code_for(enrolled, 1)})
    assert not TOTPDevice.objects.filter(user=enrolled.user).exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.TOTP_REMOVED)
    assert event.subject_user == enrolled.user and event.actor == enrolled.user
    assert "Verifikasi dua langkah dihapus" in client.get("/keamanan/").content.decode()


def test_admin_reset_after_a_lost_phone_is_logged_with_the_admin(enrolled):
    admin = User.objects.create_superuser("admin", password=PASSWORD)
    assert remove_two_factor(user=enrolled.user, by=admin, reason="ponsel hilang") == 1
    event = AuditEvent.objects.get(action=AuditEvent.Action.TOTP_REMOVED)
    assert event.actor == admin and event.detail["reason"] == "ponsel hilang"


def test_reset_two_factor_command_removes_the_device_and_logs_the_admin(enrolled):
    from io import StringIO

    from django.core.management import call_command

    admin = User.objects.create_superuser("admin", password=PASSWORD)
    out = StringIO()
    call_command("reset_two_factor", "dinsos.banten", "--by", "admin", "--reason", "ponsel hilang", stdout=out)
    assert "1 perangkat" in out.getvalue() and not TOTPDevice.objects.filter(user=enrolled.user).exists()
    assert AuditEvent.objects.get(action=AuditEvent.Action.TOTP_REMOVED).actor == admin

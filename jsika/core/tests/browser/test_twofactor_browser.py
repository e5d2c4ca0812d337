"""Two-factor login in a real browser under the CSP: enrol from the QR page, then log in with a code."""

import re
import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from jsika.conftest import needs_chromium
from jsika.registry.tests.factories import PASSWORD, make_user

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]


def current_code(device, steps: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps * device.step
    return f"{totp.token():06d}"


def test_manager_enrols_and_then_logs_in_with_a_code(live_server, page, regions, login):
    make_user("dinsos.banten", "manager", "36")
    login("dinsos.banten", PASSWORD)
    expect(page.get_by_text("belum memakai verifikasi dua langkah")).to_be_visible()
    page.get_by_role("link", name="Aktifkan sekarang").click()
    page.get_by_role("link", name=re.compile("Aktifkan verifikasi dua langkah")).click()
    expect(page.locator(".totp-qr svg")).to_be_visible()
    device = TOTPDevice.objects.get(user__username="dinsos.banten", confirmed=False)
    page.fill("input[name=code]", current_code(device))
    page.get_by_role("button", name=re.compile("Konfirmasi")).click()
    expect(page.get_by_text("Verifikasi dua langkah aktif")).to_be_visible()

    page.context.clear_cookies()
    login("dinsos.banten", PASSWORD)
    assert page.url.endswith("/masuk/kode/")
    page.fill("input[name=code]", current_code(device, 1))  # the next step: the enrolment code is spent
    page.get_by_role("button", name=re.compile("Verifikasi")).click()
    page.wait_for_load_state()
    assert page.url.endswith("/beranda/")
    expect(page.get_by_text("belum memakai verifikasi dua langkah")).to_have_count(0)

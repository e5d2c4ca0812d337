"""Two-factor login (TOTP, django-otp): enrolment, removal, the rules of who must use it.

Passwords stay the first step (django-axes throttles them); a user holding a confirmed TOTP device
is only logged in after the second step verifies a code (django-otp throttles those: 1, 2, 4, ...
seconds after each failure). ``JSIKA_REQUIRE_2FA_ROLES`` makes enrolment mandatory for roles:
the middleware sends such a user to the enrolment page before anything else.
"""

import io

import segno
from django.conf import settings
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import AuditEvent
from .roles import Role

# Roles reminded to enrol (optional for them unless JSIKA_REQUIRE_2FA_ROLES names them).
SUGGESTED_ROLES = {Role.MANAGER, Role.AUDITOR}
DEVICE_NAME = "e-JSiKa TOTP"

# Addresses a user may reach before the second step / before enrolment.
PENDING_PATHS = ("/masuk/", "/keluar/", "/i18n/", "/static/", "/favicon.ico")
ENROL_PATH_NAMES = ("core:security", "core:totp_enrol", "core:totp_confirm")


def role_key(user) -> str:
    return "superuser" if user.is_superuser else (user.role or "")


def required_for(user) -> bool:
    """Does a setting make two-factor login mandatory for this user's role?"""
    required = getattr(settings, "JSIKA_REQUIRE_2FA_ROLES", [])
    return user.is_authenticated and role_key(user) in required


def suggested_for(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.role in SUGGESTED_ROLES or required_for(user))


def confirmed_device(user) -> TOTPDevice | None:
    if not user.is_authenticated:
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_two_factor(user) -> bool:
    return user.is_authenticated and TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_device(user) -> TOTPDevice:
    """The unconfirmed device of an enrolment in progress (made once, reused while the page is reloaded)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def qr_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// address as an inline SVG QR code (no image library needed)."""
    buffer = io.BytesIO()
    segno.make(device.config_url, error="m").save(buffer, kind="svg", scale=5, border=2, xmldecl=False,
                                                  svgns=True, title=_("Kode QR aplikasi autentikator"))
    return buffer.getvalue().decode()


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, grouped by four, for typing into an app by hand."""
    from base64 import b32encode

    raw = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def verify_code(device: TOTPDevice, code: str) -> tuple[bool, str]:
    """Check one code against ``device`` with django-otp's throttling; (ok, message for the user)."""
    allowed, info = device.verify_is_allowed()
    if not allowed:
        return False, _("Terlalu banyak kode salah. Tunggu beberapa detik lalu coba lagi.")
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if locked.verify_token(code):
            device.refresh_from_db()
            return True, ""
    device.refresh_from_db()
    return False, _("Kode salah atau sudah kedaluwarsa. Periksa jam ponsel Anda lalu coba lagi.")


@transaction.atomic
def confirm_enrolment(*, user, device: TOTPDevice, code: str, request=None) -> tuple[bool, str]:
    """Confirm ``device`` with a first code; other devices of the user are removed; logged."""
    if device.user_id != user.pk or device.confirmed:
        return False, _("Pendaftaran tidak ditemukan. Muat ulang halaman.")
    ok, message = verify_code(device, code)
    if not ok:
        return False, message
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
    device.confirmed = True
    AuditEvent.record(actor=user, subject_user=user, action=AuditEvent.Action.TOTP_ENROLLED,
                      request=request, device_id=device.pk)
    return True, ""


@transaction.atomic
def remove_two_factor(*, user, by, reason: str = "", request=None) -> int:
    """Remove every TOTP device of ``user`` (the owner, or an admin after a lost phone); logged."""
    deleted = TOTPDevice.objects.filter(user=user).delete()[0]
    if deleted:
        AuditEvent.record(actor=by, subject_user=user, action=AuditEvent.Action.TOTP_REMOVED,
                          request=request, reason=reason, devices=deleted)
    return deleted


class TwoFactorMiddleware:
    """After django-otp's middleware: a device holder whose session has not passed the second step
    (e.g. logged in through /admin/login/) goes to the code page; a user whose role must use two
    factors and has none goes to the enrolment page. API calls with a session answer 403."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith(PENDING_PATHS):
            return self.get_response(request)
        if user.is_verified():
            return self.get_response(request)
        if has_two_factor(user):
            return self._refuse(request, "core:login_code", _("Masukkan kode autentikator terlebih dahulu."))
        if required_for(user) and not self._is_enrolment(request):
            return self._refuse(request, "core:security", _("Aktifkan verifikasi dua langkah terlebih dahulu."))
        return self.get_response(request)

    @staticmethod
    def _is_enrolment(request) -> bool:
        return request.path in {reverse(name) for name in ENROL_PATH_NAMES}

    @staticmethod
    def _refuse(request, url_name: str, message: str):
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=403)
        target = reverse(url_name)
        if request.method == "GET" and "HX-Request" not in request.headers:
            from urllib.parse import urlencode
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return redirect(target)

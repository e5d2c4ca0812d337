"""Pages of two-factor login: the second login step, the account security page, enrolment."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import twofactor
from .models import AuditEvent
from .subject_report import may_request
from .views import LoginView

PENDING_KEY = "jsika_2fa_pending"
PENDING_SECONDS = 300  # the password step is valid this long while the code is typed


def safe_next(request, value: str | None) -> str:
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()},
                                                 require_https=request.is_secure()):
        return value
    return settings.LOGIN_REDIRECT_URL


class TwoStepLoginView(LoginView):
    """The password step; a user holding a TOTP device is logged in only after the code step."""

    def form_valid(self, form):
        user = form.get_user()
        if twofactor.has_two_factor(user):
            self.request.session[PENDING_KEY] = {
                "user": user.pk, "backend": user.backend, "at": time.time(), "next": self.get_success_url(),
            }
            return redirect("core:login_code")
        response = super().form_valid(form)
        if twofactor.suggested_for(user):
            messages.warning(self.request, format_html(
                '{} <a class="alert-link" href="{}">{}</a>',
                _("Akun Anda belum memakai verifikasi dua langkah."), reverse("core:security"),
                _("Aktifkan sekarang"),
            ))
        return response


def _pending_user(request):
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None, None
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    return user, pending


def login_code(request):
    """Second login step: a six-digit code from the authenticator app (throttled by django-otp)."""
    if request.user.is_authenticated:  # logged in some other way (e.g. /admin/login/) but not verified
        user, pending = request.user, {"next": safe_next(request, request.GET.get("next") or request.POST.get("next"))}
        if user.is_verified():
            return redirect(pending["next"])
    else:
        user, pending = _pending_user(request)
        if user is None:
            messages.info(request, _("Sesi masuk berakhir. Masukkan nama pengguna dan kata sandi lagi."))
            return redirect("core:login")
    device = twofactor.confirmed_device(user)
    if device is None:
        return redirect(pending["next"])
    error = ""
    if request.method == "POST":
        ok, error = twofactor.verify_code(device, request.POST.get("code", ""))
        if ok:
            if not request.user.is_authenticated:
                auth_login(request, user, backend=pending["backend"])
                request.session.pop(PENDING_KEY, None)
            else:
                request.session.cycle_key()
            otp_login(request, device)
            return redirect(safe_next(request, pending["next"]))
    return render(request, "core/login_code.html", {"error": error, "next": pending["next"]},
                  status=400 if error else 200)


@login_required
def security(request):
    """The user's own account security: two-factor status, enrolment start, recent security events."""
    device = twofactor.confirmed_device(request.user)
    events = AuditEvent.objects.filter(subject_user=request.user).select_related("actor")[:20]
    return render(request, "core/security.html", {
        "device": device, "required": twofactor.required_for(request.user),
        "suggested": twofactor.suggested_for(request.user), "events": events,
        "next": safe_next(request, request.GET.get("next")),
        "reports_subjects": may_request(request.user),
    })


def _enrol_page(request, device, error="", status=200):
    return render(request, "core/totp_enrol.html", {
        "device": device, "qr_svg": twofactor.qr_svg(device), "secret": twofactor.secret_text(device),
        "error": error, "next": safe_next(request, request.POST.get("next") or request.GET.get("next")),
    }, status=status)


@login_required
def totp_enrol(request):
    """Shows the QR code and secret of a new (unconfirmed) device; confirmed with a first code."""
    if twofactor.has_two_factor(request.user):
        return redirect("core:security")
    return _enrol_page(request, twofactor.pending_device(request.user))


@require_POST
@login_required
def totp_confirm(request):
    device = get_object_or_404(TOTPDevice, pk=request.POST.get("device"), user=request.user, confirmed=False)
    ok, error = twofactor.confirm_enrolment(user=request.user, device=device, code=request.POST.get("code", ""),
                                            request=request)
    if not ok:
        return _enrol_page(request, device, error=error, status=400)
    otp_login(request, device)  # this session has just proven the code
    messages.success(request, _("Verifikasi dua langkah aktif. Mulai sekarang masuk meminta kode dari aplikasi."))
    return redirect(safe_next(request, request.POST.get("next")))


@require_POST
@login_required
def totp_remove(request):
    """The owner removes their device, proving a current code first."""
    device = twofactor.confirmed_device(request.user)
    if device is None:
        return redirect("core:security")
    ok, error = twofactor.verify_code(device, request.POST.get("code", ""))
    if not ok:
        messages.error(request, error)
        return redirect("core:security")
    twofactor.remove_two_factor(user=request.user, by=request.user, reason=_("dihapus pemilik akun"),
                                request=request)
    messages.info(request, _("Verifikasi dua langkah dihapus dari akun Anda."))
    return redirect("core:security")

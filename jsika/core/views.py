from datetime import date

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jsika.regions.models import Region
from jsika.registry import queries

from .models import Job
from .roles import REGISTRY_WRITERS, Role


def landing(request):
    """The public front page: what the programs are, how to complain. No personal data, ever."""
    return render(request, "core/landing.html")


class LoginForm(AuthenticationForm):
    # Django's Indonesian catalogue renders "nama pengguna nama pengguna" here; say it plainly.
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Nama pengguna atau kata sandi salah. Huruf besar dan kecil dibedakan."),
    }


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


def reads_registry(user) -> bool:
    """Everyone with a role reads the registry in their scope, except banks (payment files only)."""
    return user.is_superuser or (bool(user.role) and user.role != Role.BANK)


# (key, label, icon, css, list query) of the cards on the home page, counted in one query.
HOME_CARDS = [
    ("hamil", _("Ada ibu hamil"), "bi-heart-pulse", "crit-hamil", "hamil=on"),
    ("balita", _("Ada anak balita"), "bi-balloon-heart", "crit-balita", "balita=on"),
    ("sd", _("Ada anak SD"), "bi-backpack", "crit-sekolah", "anak_sekolah=sd"),
    ("smp", _("Ada anak SMP"), "bi-backpack2", "crit-sekolah", "anak_sekolah=smp"),
    ("sma", _("Ada anak SMA/SMK"), "bi-mortarboard", "crit-sekolah", "anak_sekolah=sma"),
    ("lansia", _("Ada lansia (60+)"), "bi-person-standing", "crit-lansia", "lansia=on"),
    ("disabilitas", _("Ada penyandang disabilitas"), "bi-person-wheelchair", "crit-disabilitas", "disabilitas=on"),
]


def household_counts(user, today: date) -> dict:
    """Households in the user's scope, in total and per criterion (one query)."""
    conditions = {
        "hamil": queries.pregnant_q(), "balita": queries.toddler_q(today), "lansia": queries.elderly_q(today),
        "disabilitas": queries.disability_q(),
        "sd": queries.school_q("sd"), "smp": queries.school_q("smp"), "sma": queries.school_q("sma"),
    }
    aggregates = {key: Count("pk", filter=condition) for key, condition in conditions.items()}
    return queries.households_for(user).aggregate(
        total=Count("pk"), desil_1_4=Count("pk", filter=Q(desil__lte=4)), **aggregates,
    )


@login_required
def home(request):
    """Each role's start page: its scope and the households in it, with links into the registry."""
    user = request.user
    context = {
        "scope_region": Region.objects.filter(code=user.scope).first() if user.scope else None,
        "reads_registry": reads_registry(user),
        "writes_registry": user.is_superuser or user.role in REGISTRY_WRITERS,
        "is_facilitator": user.role == Role.FACILITATOR,
        "is_bank": user.role == Role.BANK,
    }
    if context["reads_registry"]:
        counts = household_counts(user, date.today())
        list_url = reverse("registry:household_list")
        context["counts"] = counts
        context["cards"] = [
            {"label": label, "icon": icon, "css": css, "value": counts[key], "url": f"{list_url}?{query}"}
            for key, label, icon, css, query in HOME_CARDS
        ]
    return render(request, "core/home.html", context)


@login_required
def job_status(request, job_id):
    """The progress of one background job, polled by htmx until it finishes."""
    job = get_object_or_404(Job, pk=job_id)
    if job.user_id != request.user.pk and not request.user.is_superuser:
        raise Http404
    return render(request, "core/_job_status.html", {"job": job})

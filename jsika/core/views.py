from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from .models import Job


def landing(request):
    return render(request, "core/landing.html")


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


@login_required
def home(request):
    return render(request, "core/home.html")


@login_required
def job_status(request, job_id):
    """The progress of one background job, polled by htmx until it finishes."""
    job = get_object_or_404(Job, pk=job_id)
    if job.user_id != request.user.pk and not request.user.is_superuser:
        raise Http404
    return render(request, "core/_job_status.html", {"job": job})

"""Pages around the cycles: the bank's desk, budgets per funder, KPM accounts (collective opening)."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from jsika.core.roles import Role
from jsika.programs.models import Program
from jsika.programs.queries import enrollments_for

from . import accounts, queries, services
from .forms import AccountOpeningForm, BudgetForm, OpenedAccountsForm
from .models import Reconciliation
from .views import require_staff


@login_required
def bank_home(request):
    """The bank's desk: its approved cycles, the file of each, the reconciliation upload and its results."""
    user = request.user
    if not (user.is_superuser or user.role == Role.BANK):
        raise PermissionDenied
    cycles = queries.cycles_for(user).order_by("-approved_at", "-pk")
    waiting = [c for c in cycles if c.status in ("approved", "sent")]
    done = [c for c in cycles if c.status not in ("approved", "sent")][:30]
    recent = (Reconciliation.objects.filter(cycle__in=cycles).select_related("cycle__program", "imported_by")
              .order_by("-imported_at")[:15])
    return render(request, "payments/bank_home.html", {"waiting": waiting, "done": done, "recent": recent})


def _program_and_year(request):
    programs = list(Program.objects.order_by("code"))
    code = request.GET.get("program") or (programs[0].code if programs else "")
    program = next((p for p in programs if p.code == code), None)
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() else timezone.localdate().year
    return programs, program, year


@login_required
def budget(request):
    """Per program and year, each funder's allocation, what approved cycles committed, paid, returned, remains."""
    require_staff(request.user)
    programs, program, year = _program_and_year(request)
    form = BudgetForm(request.POST or None)
    if request.method == "POST" and program and form.is_valid():
        data = form.cleaned_data
        try:
            services.set_budget(program=program, year=year, funder_region=data["funder_region"].strip(),
                                allocated_rupiah=data["allocated_rupiah"], note=data["note"], by=request.user)
        except services.PaymentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Pagu disimpan."))
            return redirect(f"{request.path}?program={program.code}&year={year}")
    lines = queries.budget_report(program, year) if program else []
    totals = {name: sum(getattr(line, name) for line in lines) for name in (
        "allocated_rupiah", "planned_rupiah", "committed_rupiah", "paid_rupiah", "returned_rupiah",
        "remaining_rupiah")}
    shares = list(program.funding_shares.select_related("funder_region")) if program else []
    return render(request, "payments/budget.html", {
        "programs": programs, "program": program, "year": year, "lines": lines, "totals": totals, "form": form,
        "shares": shares, "years": range(year - 3, year + 2),
        "can_edit": request.user.is_superuser or request.user.role == Role.MANAGER,
        "returns": queries.returns_by_cycle(program).filter(year=year) if program else [],
    })


@login_required
def bank_accounts(request):
    """Collective account opening: the file of KPM without an account for the bank, and the opened accounts back."""
    user = request.user
    if not (user.is_superuser or user.role in (Role.MANAGER, Role.OPERATOR, Role.BANK)):
        raise PermissionDenied
    export_form = AccountOpeningForm(request.GET if "program" in request.GET else None,
                                     initial={"bank_code": user.bank_code or "BJB"})
    import_form = OpenedAccountsForm(request.POST or None, request.FILES or None,
                                     initial={"bank_code": user.bank_code or "BJB"})
    result = None
    if "program" in request.GET and export_form.is_valid():
        data = export_form.cleaned_data
        buffer = io.BytesIO()
        try:
            rows = accounts.export_account_opening_file(program=data["program"], bank_code=data["bank_code"],
                                                        region_code=data["region"].strip(), by=user, out=buffer,
                                                        request=request)
        except services.PaymentError as exc:
            messages.error(request, str(exc))
        else:
            response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
            name = f"pembukaan-rekening-{data['program'].code}-{data['bank_code']}.csv"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            response["X-Rows"] = str(rows)
            return response
    if request.method == "POST" and import_form.is_valid():
        try:
            result = accounts.import_opened_accounts(file=import_form.cleaned_data["file"],
                                                     bank_code=import_form.cleaned_data["bank_code"], by=user)
        except services.PaymentError as exc:
            import_form.add_error(None, str(exc))
        else:
            messages.success(request, _("%(n)s rekening baru tercatat, %(u)s sudah ada, %(r)s baris ditolak.")
                             % {"n": result.created, "u": result.unchanged, "r": len(result.rejected)})
    waiting = []
    if user.is_superuser or user.role != Role.BANK:
        in_scope = enrollments_for(user).values("pk")
        for program in Program.objects.filter(is_active=True).prefetch_related("banks").order_by("code"):
            for bank in sorted({program.bank_code, *(b.bank_code for b in program.banks.all())} - {""}):
                count = queries.households_without_account(program, bank).filter(pk__in=in_scope).count()
                waiting.append((program, bank, count))
    return render(request, "payments/accounts.html", {
        "export_form": export_form, "import_form": import_form, "result": result, "waiting": waiting,
        "accounts": queries.accounts_for(user).order_by("-created_at")[:20] if user.role != Role.BANK else [],
    })

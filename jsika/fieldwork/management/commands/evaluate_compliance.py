"""Monthly commitment verification from the command line (e.g. a cron job on the 1st of the month)."""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from jsika.fieldwork import compliance, periods
from jsika.fieldwork.services import FieldworkError


class Command(BaseCommand):
    help = ("Hitung verifikasi komitmen KPM untuk satu bulan (bawaan: bulan lalu) dari kunjungan dan kehadiran "
            "P2K2; dengan --apply, terapkan aturan program (peringatan, lalu penangguhan).")

    def add_arguments(self, parser):
        parser.add_argument("--period", help="bulan TTTT-BB (bawaan: bulan lalu)")
        parser.add_argument("--program", help="kode program, mis. JSCM (bawaan: semua program aktif)")
        parser.add_argument("--user", required=True,
                            help="akun pengelola/operator yang menjalankan (cakupannya berlaku)")
        parser.add_argument("--apply", action="store_true", help="terapkan peringatan/penangguhan setelah dihitung")

    def handle(self, *args, period, program, user, apply, **options):
        period = period or periods.shift(periods.of(timezone.localdate()), -1)
        if not periods.is_period(period):
            raise CommandError(f"--period harus TTTT-BB, bukan {period!r}.")
        by = get_user_model().objects.filter(username=user, is_active=True).first()
        if by is None:
            raise CommandError(f"Akun {user} tidak ada atau tidak aktif.")
        program_model = apps.get_model("programs", "Program")
        programs = program_model.objects.filter(is_active=True)
        if program:
            programs = programs.filter(code=program.upper())
            if not programs.exists():
                raise CommandError(f"Program {program} tidak dikenal.")
        try:
            for p in programs.order_by("code"):
                result = compliance.evaluate_compliance(period=period, by=by, program=p)
                line = (f"{p.code} {period}: {result.enrollments} KPM, memenuhi {result.counts.get('met', 0)}, "
                        f"tidak memenuhi {result.counts.get('not_met', 0)}, belum ada data "
                        f"{result.counts.get('unknown', 0)}")
                if apply:
                    rules = compliance.apply_compliance_rules(program=p, period=period, by=by)
                    line += f"; {rules.warnings} peringatan, {rules.suspensions} penangguhan"
                    for eid, why in rules.not_suspended:
                        self.stderr.write(f"  kepesertaan {eid} tidak ditangguhkan: {why}")
                self.stdout.write(line)
        except FieldworkError as exc:
            raise CommandError(str(exc)) from None

"""`manage.py apply_retention [--dry-run] [--years N] [--user USERNAME]`: pseudonymise exited households."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from jsika.core.management.users import user_or_superuser
from jsika.core.retention import apply_retention


class Command(BaseCommand):
    help = ("Pseudonimkan data pribadi keluarga yang semua kepesertaannya berakhir lebih dari N tahun lalu "
            "(JSIKA_RETENTION_YEARS_AFTER_EXIT), tanpa pengaduan terbuka dan tanpa penyaluran yang belum tuntas.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Hanya hitung, tidak mengubah data.")
        parser.add_argument("--years", type=int, default=None,
                            help=f"Tahun setelah keluar (bawaan {settings.JSIKA_RETENTION_YEARS_AFTER_EXIT}).")
        parser.add_argument("--user", default=None, help="Pengguna yang dicatat melakukan (bawaan: superuser).")

    def handle(self, *args, dry_run, years, user, **options):
        if years is not None and years < 1:
            raise CommandError("--years minimal 1.")
        result = apply_retention(by=user_or_superuser(user), years=years, dry_run=dry_run)
        verb = "akan dipseudonimkan" if dry_run else "dipseudonimkan"
        self.stdout.write(f"Keluarga yang keluar sebelum {result.cutoff}: {result.households} keluarga, "
                          f"{result.persons} orang {verb}.")
        if not dry_run:
            self.stdout.write(f"Penyaluran {result.payments}, rekening {result.bank_accounts}, "
                              f"kunjungan {result.visits}, pengaduan {result.grievances} dibersihkan.")

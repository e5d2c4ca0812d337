"""manage.py refresh_dashboard — rebuild the dashboard's pre-aggregated figures (run it from cron or a timer)."""

from django.core.management.base import BaseCommand

from jsika.reports.services import refresh_figures


class Command(BaseCommand):
    help = "Bangun ulang angka ringkas dasbor, peta dan laporan dari data sumber."

    def handle(self, *args, **options):
        run = refresh_figures()
        self.stdout.write(self.style.SUCCESS(
            f"Angka dasbor diperbarui: {run.rows} baris dalam {run.seconds:.1f} detik "
            f"(sumber: {', '.join(run.sources) or '-'})."))

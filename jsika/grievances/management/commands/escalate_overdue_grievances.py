from django.core.management.base import BaseCommand

from jsika.grievances.services import escalate_overdue


class Command(BaseCommand):
    help = ("Eskalasi ke provinsi setiap pengaduan terbuka yang melewati batas waktu tanggapan atau penyelesaian "
            "(jalankan harian, mis. lewat cron). Aman dijalankan berulang.")

    def handle(self, *args, **options):
        count = escalate_overdue()
        self.stdout.write(self.style.SUCCESS(f"{count} pengaduan dieskalasi ke provinsi."))

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from jsika.core.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_URL


class Command(BaseCommand):
    help = "Tampilkan akun demo (nama pengguna, peran, cakupan, kata sandi) dan alamat halaman masuk."

    def add_arguments(self, parser):
        parser.add_argument("--url", default=DEMO_URL, help=f"alamat halaman masuk (default {DEMO_URL})")

    def handle(self, *args, url, **options):
        present = set(get_user_model().objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS])
                      .values_list("username", flat=True))
        rows = [("nama pengguna", "peran", "cakupan", "instansi", "kata sandi")]
        for account in DEMO_ACCOUNTS:
            role = "superuser" if account.is_superuser else str(account.role)
            rows.append((account.username, role, account.scope_label, account.organization, DEMO_PASSWORD))
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        line = "  ".join("-" * w for w in widths)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Akun demo e-JSiKa"))
        for index, row in enumerate(rows):
            self.stdout.write("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
            if index == 0:
                self.stdout.write(line)
        self.stdout.write("")
        self.stdout.write(f"Masuk di {url}")
        missing = [a.username for a in DEMO_ACCOUNTS if a.username not in present]
        if missing:
            self.stdout.write(self.style.WARNING(
                f"Belum ada di database ini: {', '.join(missing)}. Jalankan: python manage.py seed_demo"
            ))

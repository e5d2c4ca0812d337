from django.core.management.base import BaseCommand, CommandError

from jsika.core.management.users import user_or_superuser
from jsika.registry.services import export_family_file


class Command(BaseCommand):
    help = "Ekspor data keluarga dalam format berkas impor (CSV/XLSX), untuk baris dalam cakupan pengguna."

    def add_arguments(self, parser):
        parser.add_argument("out")
        parser.add_argument("--wilayah", default="", help="kode wilayah, mis. 36.72")
        parser.add_argument("--format", choices=["csv", "xlsx"], default=None)
        parser.add_argument("--user", help="nama pengguna (cakupan wilayahnya berlaku); bawaan: superuser")

    def handle(self, *args, out, wilayah, format, user, **options):
        fmt = format or ("xlsx" if out.lower().endswith(".xlsx") else "csv")
        by = user_or_superuser(user)
        if wilayah and not wilayah.replace(".", "").isdigit():
            raise CommandError(f"Kode wilayah {wilayah!r} tidak valid (contoh: 36.72).")
        count = export_family_file(by=by, out=out, wilayah=wilayah, fmt=fmt)
        self.stdout.write(self.style.SUCCESS(f"{count} baris ditulis ke {out}."))

from django.core.management.base import BaseCommand
from django.db import transaction

from jsika.registry import summary


class Command(BaseCommand):
    help = ("Hitung ulang ringkasan anggota setiap keluarga (hamil, disabilitas, jenjang sekolah, umur termuda "
            "dan tertua) yang dipakai pencarian kriteria; untuk perbaikan setelah data ditulis di luar aplikasi.")

    def handle(self, *args, **options):
        with transaction.atomic():
            changed = summary.refresh()
        if changed:
            self.stdout.write(self.style.WARNING(f"{changed} keluarga diperbaiki ringkasannya."))
        else:
            self.stdout.write(self.style.SUCCESS("Semua ringkasan anggota keluarga sudah sesuai."))

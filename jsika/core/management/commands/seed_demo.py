import argparse
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from jsika.core.demo import DEMO_URL, SEED_STEPS, SeedContext, run_steps
from jsika.regions.models import Region


class Command(BaseCommand):
    help = (
        "Buat data demo sintetis (keluarga Banten, terutama Kota Cilegon) dan akun demo specs/accounts.md. "
        "Idempoten: akun demo disetel ulang, langkah yang datanya sudah ada dilewati."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0,
                            help="pengali jumlah keluarga (1 = ±4.500 KK; 20 untuk uji beban)")
        parser.add_argument("--force", action="store_true",
                            help="jalankan juga ketika DEBUG mati (akun demo memakai kata sandi publik)")
        parser.add_argument("--seed", type=int, default=SeedContext.seed, help="benih acak (default tetap)")
        parser.add_argument("--families", type=int, help=argparse.SUPPRESS)  # tests: exact households

    def handle(self, *args, scale, force, seed, families, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo menolak berjalan karena DEBUG mati (server produksi?): akun demo memakai kata sandi "
                "yang diketahui umum. Tambahkan --force bila ini memang server demo."
            )
        if scale <= 0:
            raise CommandError("--scale harus lebih dari 0.")
        if families is not None and families <= 0:
            raise CommandError("--families harus lebih dari 0.")
        if not Region.objects.filter(code="36.72.03", level=Region.Level.DISTRICT).exists():
            raise CommandError("Kode wilayah Banten belum dimuat. Jalankan dulu: python manage.py load_regions")

        quiet = options["verbosity"] == 0
        ctx = SeedContext(scale=scale, families=families, seed=seed,
                          progress=None if quiet else tqdm)
        started = time.monotonic()
        summary = run_steps(ctx, SEED_STEPS)
        if quiet:
            return
        self.stdout.write(self.style.SUCCESS(f"Data demo siap ({time.monotonic() - started:.1f} detik):"))
        for step, line in summary:
            self.stdout.write(f"  {step:<16} {line}")
        self.stdout.write(f"Masuk di {DEMO_URL} — daftar akun: python manage.py demo_logins")

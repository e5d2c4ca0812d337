import json

from django.core.management.base import BaseCommand

from jsika.core.fingerprint import database_fingerprint


class Command(BaseCommand):
    help = "Cetak jumlah baris per tabel dan jumlah setiap kolom uang (JSON) untuk membandingkan cadangan."

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(database_fingerprint(), indent=1, sort_keys=True))

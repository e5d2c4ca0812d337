from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jsika.core.management.users import user_or_superuser
from jsika.payments import services
from jsika.payments.models import PaymentCycle
from jsika.programs.rules import rupiah


class Command(BaseCommand):
    help = ("Tulis berkas bank (specs/bank-files.md) tahap penyaluran yang sudah disetujui ke OUT, dengan ringkasan "
            "OUT.sha256 di sebelahnya.")

    def add_arguments(self, parser):
        parser.add_argument("cycle_id", help="nomor tahap penyaluran")
        parser.add_argument("out", help="berkas CSV yang ditulis")
        parser.add_argument("--user", help="nama pengguna (bank atau pengelola); bawaan: superuser")

    def handle(self, *args, cycle_id, out, user, **options):
        by = user_or_superuser(user)
        if not cycle_id.isdigit():
            raise CommandError(f"CYCLE_ID harus angka, bukan {cycle_id!r}.")
        cycle = PaymentCycle.objects.select_related("program").filter(pk=int(cycle_id)).first()
        if cycle is None:
            raise CommandError(f"Tahap penyaluran {cycle_id} tidak ada.")
        path = Path(out)
        if not path.parent.is_dir():
            raise CommandError(f"Folder {path.parent} tidak ada.")
        try:
            summary = services.export_payment_file(cycle=cycle, by=by, out=path)
        except services.PaymentError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{cycle.description} · {cycle.bank_label}: {summary.rows} baris, "
                          f"{rupiah(summary.total_rupiah)} → {path}")
        self.stdout.write(f"SHA-256 {summary.sha256} → {path}.sha256")

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jsika.core.management.users import user_or_superuser
from jsika.payments import services
from jsika.payments.bankfiles import BankFileError
from jsika.payments.models import PaymentCycle
from jsika.programs.rules import rupiah


class Command(BaseCommand):
    help = ("Impor berkas rekonsiliasi dari bank (specs/bank-files.md) untuk satu tahap penyaluran. Keluar 0 bila "
            "berkas diproses (walau ada baris ditolak), 2 bila berkas tidak dapat dibaca, 1 untuk masukan lain yang "
            "salah.")

    def add_arguments(self, parser):
        parser.add_argument("cycle_id", help="nomor tahap penyaluran")
        parser.add_argument("file", help="berkas rekonsiliasi CSV dari bank")
        parser.add_argument("--user", help="nama pengguna (bank atau pengelola); bawaan: superuser")
        parser.add_argument("--json", action="store_true", help="cetak hasil lengkap sebagai JSON")

    def handle(self, *args, cycle_id, file, user, **options):
        by = user_or_superuser(user)
        if not cycle_id.isdigit():
            raise CommandError(f"CYCLE_ID harus angka, bukan {cycle_id!r}.")
        cycle = PaymentCycle.objects.select_related("program").filter(pk=int(cycle_id)).first()
        if cycle is None:
            raise CommandError(f"Tahap penyaluran {cycle_id} tidak ada.")
        path = Path(file)
        if not path.is_file():
            self.stderr.write(self.style.ERROR(f"Berkas {path} tidak ada."))
            raise SystemExit(2)
        try:
            result = services.import_reconciliation(cycle=cycle, file=path, by=by, collect_applied=options["json"])
        except BankFileError as exc:
            self.stderr.write(self.style.ERROR(f"Berkas tidak bisa diproses: {exc}"))
            raise SystemExit(2) from exc
        except services.PaymentError as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=1))
            return
        cycle.refresh_from_db()
        if result.duplicate_of:
            self.stdout.write(f"Berkas yang sama sudah diimpor pada {result.duplicate_of.imported_at:%Y-%m-%d %H:%M}.")
        self.stdout.write(f"Diterapkan {result.applied_count}, ditandai {len(result.flagged)}, "
                          f"ditolak {len(result.rejected)}, tidak berubah {result.unchanged}.")
        for row in (result.flagged + result.rejected)[:50]:
            kind = "ditandai" if row in result.flagged else "ditolak"
            self.stdout.write(f"  baris {row['row']} ({kind}): {row['reason']}")
        more = len(result.flagged) + len(result.rejected) - 50
        if more > 0:
            self.stdout.write(f"  … dan {more} baris lain (lihat halaman tahap penyaluran).")
        self.stdout.write(f"{cycle.description}: {cycle.get_status_display()} — berhasil {cycle.paid_count} "
                          f"({rupiah(cycle.paid_rupiah)}), gagal {cycle.failed_count}, menunggu {cycle.pending_count}.")

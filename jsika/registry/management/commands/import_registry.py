from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from jsika.core.management.users import user_or_superuser
from jsika.registry.fileformat import FileError
from jsika.registry.services import import_family_file


class Command(BaseCommand):
    help = "Impor berkas data keluarga (CSV/XLSX, specs/registry-import.md) sebagai seorang pengguna."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="periksa dan laporkan saja, tidak menyimpan")
        parser.add_argument("--user", help="nama pengguna (cakupan wilayahnya berlaku); bawaan: superuser")
        parser.add_argument("--rejects", help="tulis baris yang ditolak ke berkas CSV ini")

    def handle(self, *args, file, dry_run, user, rejects, **options):
        by = user_or_superuser(user)
        path = Path(file)
        rejects_path = Path(rejects) if rejects else path.with_name(path.stem + ".penolakan.csv")
        bars: dict[str, tqdm] = {}

        def progress(stage, done, total):
            if options["verbosity"] == 0:
                return
            bar = bars.get(stage)
            if bar is None:
                for other in bars.values():
                    other.close()
                bar = bars[stage] = tqdm(total=total, desc=stage, unit_scale=True, leave=False)
            bar.total = total
            bar.n = done
            bar.refresh()

        try:
            report, _job = import_family_file(path=path, by=by, dry_run=dry_run, rejects_path=rejects_path,
                                              progress=progress)
        except FileError as exc:
            self.stderr.write(self.style.ERROR(f"Berkas tidak bisa diproses: {exc}"))
            raise SystemExit(2) from exc
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        finally:
            for bar in bars.values():
                bar.close()
        self.stdout.write(report.summary())
        if report.unknown_columns:
            self.stdout.write("Kolom tidak dikenal (diabaikan): " + ", ".join(report.unknown_columns))
        for row, nik, reason in report.flagged[:20]:
            self.stdout.write(f"  baris {row}: NIK {nik} tidak padan — {reason}")
        if report.rows_rejected:
            self.stdout.write(f"Baris yang ditolak beserta alasannya: {rejects_path}")
        else:
            rejects_path.unlink(missing_ok=True)

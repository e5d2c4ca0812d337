"""The operator commands of specs/commands.md, run as from the shell (exit codes included)."""

import json
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ..models import Payment
from .factories import approved_cycle, jscm_world, ready_cycle

pytestmark = pytest.mark.django_db


def run(*argv) -> int:
    """``manage.py argv…``: the exit code, as ``BaseCommand.run_from_argv`` gives it (a ``CommandError`` is
    printed to stderr and exits 1). ``run_from_argv`` itself closes the database connections, which would end
    the test's transaction on PostgreSQL, so its handling is repeated here."""
    try:
        call_command(*argv)
    except CommandError as error:
        sys.stderr.write(f"CommandError: {error}\n")
        return error.returncode
    except SystemExit as exit_:
        return exit_.code or 0
    return 0


@pytest.fixture
def cycle(regions):
    program, p, _ = jscm_world(n_pulomerak=2, n_ciwaduk=0)
    return approved_cycle(program, p), p


def test_export_writes_the_file_and_its_summary(cycle, tmp_path, capsys):
    cycle, p = cycle
    out = tmp_path / "bjb.csv"
    assert run("export_payment_file", str(cycle.pk), str(out), "--user", p["bank"].username) == 0
    assert out.read_text().startswith("id_penyaluran;no_rekening;nama;nik;nominal;kode_wilayah;keterangan\n")
    assert (tmp_path / "bjb.csv.sha256").exists()
    assert "2 baris, Rp2.000.000" in capsys.readouterr().out


def test_export_refuses_bad_input_with_a_message_and_non_zero_exit(cycle, tmp_path, capsys):
    cycle, p = cycle
    assert run("export_payment_file", "abc", str(tmp_path / "x.csv")) == 1
    assert "CYCLE_ID harus angka" in capsys.readouterr().err
    assert run("export_payment_file", "999999", str(tmp_path / "x.csv")) == 1
    assert "Tahap penyaluran 999999 tidak ada" in capsys.readouterr().err
    assert run("export_payment_file", str(cycle.pk), str(tmp_path / "no" / "x.csv")) == 1
    assert "tidak ada" in capsys.readouterr().err
    assert run("export_payment_file", str(cycle.pk), str(tmp_path / "x.csv"), "--user", p["operator"].username) == 1
    assert "Hanya bank penyalur" in capsys.readouterr().err
    assert run("export_payment_file", str(cycle.pk), str(tmp_path / "x.csv"), "--user", "nobody") == 1


def test_export_of_a_cycle_not_yet_approved_fails(regions, tmp_path, capsys):
    program, p, _ = jscm_world(n_pulomerak=1, n_ciwaduk=0)
    cycle = ready_cycle(program, p)
    assert run("export_payment_file", str(cycle.pk), str(tmp_path / "x.csv")) == 1
    assert "belum disetujui" in capsys.readouterr().err


def test_import_reconciliation_reports_and_exits_zero_even_with_rejected_rows(cycle, tmp_path, capsys):
    cycle, p = cycle
    a, b = Payment.objects.filter(cycle=cycle).order_by("pk")
    source = tmp_path / "recon.csv"
    source.write_text("id_penyaluran;no_rekening;nominal;status;tanggal;keterangan\n"
                      f"{a.pk};{a.account_number};1000000;BERHASIL;2025-11-20;\n"
                      f"{b.pk};{b.account_number};1000000;GAGAL;;rekening tidak aktif\n"
                      "777777;1;1000000;BERHASIL;2025-11-20;\n", encoding="utf-8")
    assert run("import_reconciliation", str(cycle.pk), str(source), "--user", p["bank"].username) == 0
    out = capsys.readouterr().out
    assert "Diterapkan 2, ditandai 0, ditolak 1, tidak berubah 0." in out
    assert "baris 4 (ditolak): id_penyaluran tidak dikenal" in out
    assert run("import_reconciliation", str(cycle.pk), str(source), "--json") == 0
    answer = json.loads(capsys.readouterr().out)
    assert (answer["applied"], answer["unchanged"]) == ([], 2)
    assert answer["rejected"] == [{"row": 4, "id_penyaluran": "777777", "reason": "id_penyaluran tidak dikenal"}]


def test_import_reconciliation_exit_codes(cycle, tmp_path, capsys):
    cycle, p = cycle
    assert run("import_reconciliation", str(cycle.pk), str(tmp_path / "missing.csv")) == 2
    assert "tidak ada" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text("id;rekening\n1;2\n")
    assert run("import_reconciliation", str(cycle.pk), str(bad)) == 2
    assert "Kolom wajib tidak ada" in capsys.readouterr().err
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    assert run("import_reconciliation", str(cycle.pk), str(bad)) == 2
    assert run("import_reconciliation", "0", str(bad)) == 1
    assert run("import_reconciliation", "x1", str(bad)) == 1
    good = tmp_path / "good.csv"
    good.write_text("id_penyaluran;no_rekening;nominal;status;tanggal\n")
    assert run("import_reconciliation", str(cycle.pk), str(good), "--user", p["auditor"].username) == 1
    assert "Hanya bank penyalur" in capsys.readouterr().err

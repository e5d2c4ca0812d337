"""The first self-reliance assessment instrument (version 1), published, valid from 2013 (Jamsosratu's start).

Its data live here, not in application code, so this migration always creates the same version 1
whatever later versions look like. Scores are 0–100: below 40 "belum siap", from 40 "berkembang",
from 70 "siap graduasi".
"""

from datetime import date, datetime, timezone

from django.db import migrations

V1 = [
    ("penghasilan", "Penghasilan keluarga dibanding garis kemiskinan kab/kota", 3,
     "Penghasilan per kapita per bulan dibanding garis kemiskinan kab/kota (BPS) tahun berjalan.",
     [("Di bawah garis kemiskinan", 0), ("Sekitar garis kemiskinan (selisih ≤ 10%)", 1),
      ("Di atas garis kemiskinan, sampai 1,5 kali", 2), ("Lebih dari 1,5 kali garis kemiskinan", 3)]),
    ("pekerjaan", "Pekerjaan pencari nafkah utama", 2, "",
     [("Tidak bekerja", 0), ("Serabutan / tidak tentu", 1),
      ("Bekerja tetap tanpa kontrak (buruh harian tetap, pedagang kecil)", 2),
      ("Penghasilan tetap dan teratur / usaha berjalan stabil", 3)]),
    ("rumah", "Kondisi rumah", 2, "Lantai, dinding, atap, sanitasi.",
     [("Tidak layak huni (lantai tanah, dinding/atap rusak)", 0), ("Semi permanen, perlu perbaikan", 1),
      ("Permanen dan layak huni", 2)]),
    ("aset", "Kepemilikan aset", 1, "Kendaraan, ternak, alat usaha, barang elektronik bernilai.",
     [("Tidak ada aset berarti", 0), ("Sepeda motor atau ternak kecil", 1),
      ("Sepeda motor dan alat usaha/ternak", 2), ("Beberapa aset produktif", 3)]),
    ("sekolah", "Anak usia sekolah (7–18 tahun) bersekolah", 2, "",
     [("Ada anak yang putus sekolah", 0), ("Semua bersekolah, kehadiran di bawah 85%", 1),
      ("Semua bersekolah, kehadiran 85% atau lebih", 3), ("Tidak ada anak usia sekolah", 3)]),
    ("jaminan_kesehatan", "Jaminan kesehatan (BPJS Kesehatan)", 1, "",
     [("Tidak ada anggota yang terdaftar", 0), ("Sebagian anggota terdaftar", 1),
      ("Semua anggota terdaftar sebagai PBI (iuran dibayar pemerintah)", 2),
      ("Semua anggota terdaftar mandiri/pekerja (iuran dibayar sendiri)", 3)]),
    ("tabungan", "Tabungan keluarga", 2, "",
     [("Tidak punya tabungan", 0), ("Ada, kurang dari satu bulan pengeluaran", 1),
      ("Cukup untuk 1–3 bulan pengeluaran", 2), ("Cukup untuk lebih dari 3 bulan pengeluaran", 3)]),
    ("utang", "Utang keluarga", 1, "",
     [("Utang ke rentenir/pinjaman daring, sering menunggak", 0),
      ("Cicilan berat (lebih dari 30% penghasilan)", 1), ("Utang ringan, cicilan lancar", 2),
      ("Tidak punya utang", 3)]),
]


def create_v1(apps, schema_editor):
    Instrument = apps.get_model("graduation", "Instrument")
    Indicator = apps.get_model("graduation", "Indicator")
    Option = apps.get_model("graduation", "Option")
    if Instrument.objects.filter(code="KEMANDIRIAN", version=1).exists():
        return
    instrument = Instrument.objects.create(
        code="KEMANDIRIAN", version=1, name="Asesmen kemandirian keluarga",
        description="Instrumen awal penilaian kemajuan ekonomi keluarga KPM untuk keputusan graduasi.",
        valid_from=date(2013, 1, 1), developing_from=40, ready_from=70,
        published_at=datetime(2013, 1, 1, tzinfo=timezone.utc))
    for order, (code, label, weight, help_text, options) in enumerate(V1):
        indicator = Indicator.objects.create(instrument=instrument, code=code, label=label, weight=weight,
                                             help_text=help_text, order=order)
        Option.objects.bulk_create([Option(indicator=indicator, label=text, score=score, order=n)
                                    for n, (text, score) in enumerate(options)])


def remove_v1(apps, schema_editor):
    apps.get_model("graduation", "Instrument").objects.filter(
        code="KEMANDIRIAN", version=1, assessments__isnull=True).delete()


class Migration(migrations.Migration):

    dependencies = [("graduation", "0001_initial")]

    operations = [migrations.RunPython(create_v1, remove_v1)]

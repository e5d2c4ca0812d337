"""The five P2K2 (family capacity) modules, stored as data so a region can edit or add to them."""

from django.db import migrations

MODULES = [
    (1, "kesehatan-gizi", "Kesehatan dan Gizi", 3,
     "Gizi ibu hamil dan 1.000 hari pertama kehidupan, gizi dan kesehatan anak usia dini, kesehatan lingkungan."),
    (2, "pendidikan-pengasuhan", "Pendidikan dan Pengasuhan Anak", 5,
     "Menjadi orang tua yang lebih baik, memahami perilaku anak, membantu anak sukses di sekolah."),
    (3, "ekonomi", "Pengelolaan Keuangan dan Perencanaan Usaha", 3,
     "Mengelola keuangan keluarga, cermat meminjam dan menabung, memulai usaha."),
    (4, "perlindungan-anak", "Perlindungan Anak", 2,
     "Pencegahan kekerasan dan penelantaran anak, hak anak, pernikahan anak dan pekerja anak."),
    (5, "kesejahteraan-sosial", "Kesejahteraan Sosial (Disabilitas dan Lanjut Usia)", 2,
     "Pelayanan bagi penyandang disabilitas berat dan lanjut usia di dalam keluarga."),
]


def seed_modules(apps, schema_editor):
    Module = apps.get_model("fieldwork", "Module")
    for number, code, name, sessions, description in MODULES:
        Module.objects.update_or_create(code=code, defaults={
            "number": number, "name": name, "session_count": sessions, "description": description})


def remove_modules(apps, schema_editor):
    apps.get_model("fieldwork", "Module").objects.filter(code__in=[m[1] for m in MODULES]).delete()


class Migration(migrations.Migration):

    dependencies = [("fieldwork", "0002_visits_sessions_compliance")]

    operations = [migrations.RunPython(seed_modules, remove_modules)]

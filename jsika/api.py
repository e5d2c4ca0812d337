"""The JSON API at /api/v1/: one NinjaAPI, each app adds its router."""

from ninja import NinjaAPI

from jsika.core.api_auth import api_auth
from jsika.core.api_errors import install_error_handlers

DESCRIPTION = """API e-JSiKa: data keluarga, KPM, dan layanan mitra (specs/api.md).

**Autentikasi**: `Authorization: Bearer <token>` (token dari `manage.py create_api_token USERNAME`),
atau sesi peramban untuk halaman aplikasi sendiri (CSRF berlaku untuk POST/PUT/PATCH/DELETE).
Peran dan cakupan wilayah sama dengan di halaman.

**Galat** selalu JSON `{"detail": "..."}`:
400 nilai tidak dapat dipakai (kolom `field` menyebut parameternya, mis. NIK bukan 16 digit),
401 tanpa/token salah, 403 peran tidak berhak (mis. bank pada data keluarga),
404 tidak ada *atau di luar cakupan Anda* (keberadaan data tidak pernah dikonfirmasi),
409 konflik, 422 parameter tidak sesuai tipe/rentang yang didokumentasikan (mis. `limit` > 500).

**Daftar** berhalaman: `limit` (bawaan 50, maks. 500) dan `offset`; jawaban memuat `count`.
NIK dan No. KK tersamar (`3672********0042`) kecuali pada baca detail oleh operator/pengelola,
dan setiap baca detail dicatat di log akses.
"""

api = NinjaAPI(
    title="e-JSiKa API",
    version="1",
    description=DESCRIPTION,
    auth=api_auth,
    urls_namespace="api",
)
install_error_handlers(api)

from jsika.registry.api import router as registry_router  # noqa: E402

api.add_router("/", registry_router)

from jsika.programs.api import router as programs_router  # noqa: E402

api.add_router("/", programs_router)

from jsika.fieldwork.api import router as fieldwork_router  # noqa: E402

api.add_router("/", fieldwork_router)

from jsika.grievances.api import router as grievances_router  # noqa: E402

api.add_router("/", grievances_router)

from jsika.graduation.api import router as graduation_router  # noqa: E402

api.add_router("/", graduation_router)

from jsika.partners.api import router as partners_router  # noqa: E402

api.add_router("/", partners_router)

from jsika.payments.api import router as payments_router  # noqa: E402

api.add_router("/", payments_router)

"""The JSON API at /api/v1/: one NinjaAPI, each app adds its router."""

from ninja import NinjaAPI

from jsika.core.api_auth import api_auth

api = NinjaAPI(
    title="e-JSiKa API",
    version="1",
    description="API e-JSiKa: data keluarga, KPM, dan layanan mitra. Autentikasi: `Authorization: Bearer <token>`.",
    auth=api_auth,
    urls_namespace="api",
)

from jsika.registry.api import router as registry_router  # noqa: E402

api.add_router("/", registry_router)

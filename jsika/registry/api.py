"""Registry endpoints of specs/api.md (households, persons)."""

from ninja import Router

router = Router(tags=["registry"])

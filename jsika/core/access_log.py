"""Recording reads of personal data (UU PDP No. 27/2022: who saw which full record, when)."""

from .models import AccessLog


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def log_access(*, user, action: str, object_type: str, object_id, request=None, **detail) -> AccessLog:
    """Append one entry to the access log; never updated or deleted by the application."""
    return AccessLog.objects.create(
        user=user, action=action, object_type=object_type, object_id=str(object_id),
        detail=detail, ip_address=client_ip(request),
    )

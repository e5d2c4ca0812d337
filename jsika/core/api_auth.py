"""API authentication: a bearer token (its SHA-256 looked up) or the browser session of the pages.

A request that presents ``Authorization: Bearer …`` is judged by that token alone: a wrong,
revoked or inactive user's token is 401 even when a session cookie rides along. Without the
header, the Django session works for the pages' own calls (ninja's ``django_auth``, which
checks CSRF on unsafe methods).
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, django_auth

from .models import ApiToken, hash_token

# ``last_used_at`` is for people reviewing tokens ("used today?"), not an audit trail (the access
# log is): writing it at most once a minute saves a committed UPDATE on almost every API call.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        token = (token or "").strip()
        # The digest is unique: a slice, not first(), which would add an ORDER BY to compile and run.
        found = next(iter(ApiToken.objects.select_related("user")
                          .filter(digest=hash_token(token), revoked_at__isnull=True, user__is_active=True)[:1]),
                     None) if token else None
        if found is None:
            raise AuthenticationError(message=_("Token tidak berlaku."))
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


api_auth = [BearerToken(), django_auth]


def require_role(request, *roles: str):
    """The authenticated user if their role is one of ``roles`` (a superuser always is); 403 otherwise."""
    user = request.auth
    if not user.has_role(*roles):
        raise PermissionDenied(_("Peran Anda tidak berhak mengakses data ini."))
    return user

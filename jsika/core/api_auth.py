"""API authentication: a bearer token (hash looked up) or the browser session of the pages."""

from django.utils import timezone
from ninja.security import HttpBearer, django_auth

from .models import ApiToken, hash_token


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        found = (ApiToken.objects.select_related("user")
                 .filter(digest=hash_token(token), revoked_at__isnull=True, user__is_active=True).first())
        if found is None:
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.user = found.user
        return found.user


api_auth = [BearerToken(), django_auth]

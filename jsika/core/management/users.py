"""Choosing the user a management command acts as."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError


def user_or_superuser(username: str | None):
    """The named active user, or the first active superuser when no name is given."""
    users = get_user_model().objects.filter(is_active=True)
    if username:
        user = users.filter(username=username).first()
        if user is None:
            raise CommandError(f"Pengguna {username!r} tidak ada atau tidak aktif.")
        return user
    user = users.filter(is_superuser=True).order_by("pk").first()
    if user is None:
        raise CommandError("Tidak ada superuser; sebutkan --user USERNAME.")
    return user

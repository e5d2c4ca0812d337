"""`manage.py create_api_token USERNAME`: print a new bearer token; only its SHA-256 is stored."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from jsika.core.models import ApiToken


class Command(BaseCommand):
    help = "Buat token API baru untuk pengguna (Authorization: Bearer <token>). Token hanya ditampilkan sekali."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="Label token, mis. nama sistem mitra yang memakainya.")

    def handle(self, *args, username, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Pengguna '{username}' tidak ditemukan.")
        if not user.is_active:
            raise CommandError(f"Pengguna '{username}' tidak aktif; aktifkan dulu sebelum membuat token.")
        token, raw = ApiToken.issue(user=user, name=name)
        self.stderr.write(f"Token baru untuk {user.username} (awalan {token.prefix}); simpan sekarang, "
                          "token tidak dapat ditampilkan lagi:")
        self.stdout.write(raw)

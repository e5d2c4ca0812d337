"""`manage.py reset_two_factor USERNAME --by ADMIN --reason TEXT`: remove a user's TOTP device (lost phone)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from jsika.core.management.users import user_or_superuser
from jsika.core.twofactor import remove_two_factor


class Command(BaseCommand):
    help = "Hapus verifikasi dua langkah seorang pengguna (mis. ponsel hilang); dicatat di log audit."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--by", default=None, help="Admin yang melakukan (bawaan: superuser pertama).")
        parser.add_argument("--reason", required=True, help="Alasan, mis. 'ponsel hilang, tiket #123'.")

    def handle(self, *args, username, by, reason, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Pengguna '{username}' tidak ditemukan.")
        removed = remove_two_factor(user=user, by=user_or_superuser(by), reason=reason)
        self.stdout.write(f"{removed} perangkat verifikasi dua langkah milik {username} dihapus.")

"""Test settings: immediate background tasks, fast hashing, plain static storage."""

from .base import *  # noqa: F403

DEBUG = False
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = BASE_DIR / ".test-media"  # noqa: F405
AXES_ENABLED = True
LANGUAGE_CODE = "id"

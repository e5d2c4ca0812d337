"""Settings for ``bench/api_load.py``'s gunicorn: production settings plus one bare endpoint (bench only)."""

from jsika.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench._serve_urls"

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "jsika.core"
    label = "core"

from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "jsika.registry"
    label = "registry"

    def ready(self):
        from . import summary  # noqa: F401  (connects the member-summary signals)

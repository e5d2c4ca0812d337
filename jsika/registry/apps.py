from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "jsika.registry"
    label = "registry"

from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "jsika.regions"
    label = "regions"

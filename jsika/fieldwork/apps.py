from django.apps import AppConfig


class FieldworkConfig(AppConfig):
    name = "jsika.fieldwork"
    label = "fieldwork"

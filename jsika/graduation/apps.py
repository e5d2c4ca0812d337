from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GraduationConfig(AppConfig):
    name = "jsika.graduation"
    label = "graduation"
    verbose_name = _("Asesmen, graduasi dan UEP")

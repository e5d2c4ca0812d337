"""Small template helpers shared by every page: the agency's name, masking of identity numbers."""

from django import template
from django.conf import settings

from jsika.core.masking import mask_number

register = template.Library()


@register.simple_tag
def agency_name() -> str:
    """The deployment's agency (letterhead, footer), from settings.JSIKA_AGENCY_NAME."""
    return getattr(settings, "JSIKA_AGENCY_NAME", "")


@register.filter
def mask(value) -> str:
    """An NIK or No. KK with its birth date and serial hidden (``3672********0042``)."""
    return mask_number(str(value) if value is not None else "")

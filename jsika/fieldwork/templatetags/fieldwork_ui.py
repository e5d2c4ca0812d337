"""Template helpers of the field pages."""

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``mapping[key]`` (None when missing): a member's name by id in a visit's condition."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None

"""Masking of identity numbers in lists and API answers."""


def mask_number(value: str | None) -> str:
    """``3672031705800042`` → ``3672********0042``: region kept, birth date and serial hidden."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]

"""Masking of personal data (names, phone numbers) shown by default in pages, API and exports."""

from __future__ import annotations


def mask_name(name: str) -> str:
    """Keep the first and (for names of three or more characters) the last character.

    >>> mask_name("张三"), mask_name("欧阳明华"), mask_name("")
    ('张*', '欧**华', '')
    """
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(phone: str) -> str:
    """Hide the middle of a phone number, keeping the first three and last four digits.

    >>> mask_phone("13812345678")
    '138****5678'
    """
    if len(phone) < 8:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]

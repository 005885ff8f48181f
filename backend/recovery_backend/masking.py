"""Masked forms of personal data, for customers (an email hint) and for logs."""
from __future__ import annotations


def mask_email(email: str) -> str:
    """ma***@z***.pl: enough for the owner to recognise, too little for a stranger to use."""
    local, _, domain = (email or "").partition("@")
    if not domain:
        return "***"
    name, _, tld = domain.rpartition(".")
    return f"{local[:2]}***@{(name or tld)[:1]}***.{tld if name else ''}".rstrip(".")


def mask_phone(phone: str) -> str:
    digits = phone or ""
    return f"{digits[:3]}******{digits[-3:]}" if len(digits) > 6 else "***"

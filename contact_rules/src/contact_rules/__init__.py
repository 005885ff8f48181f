"""Phone, e-mail, code and NIP rules shared by the backend, the actions and the channels:
the finders that read them in text, the redactor driven by those finders, the masked forms."""
from .code import find_codes, find_digit_runs
from .email import find_emails, is_valid_email, suggest_email
from .masking import is_masked_email, is_masked_phone, mask_email, mask_phone
from .nip import find_nips
from .phone import find_phones, phone_kind, to_e164
from .redaction import redact

__all__ = ["find_codes", "find_digit_runs", "find_emails", "find_nips", "find_phones", "is_valid_email",
           "is_masked_email", "is_masked_phone", "mask_email", "mask_phone", "phone_kind", "redact", "suggest_email", "to_e164"]

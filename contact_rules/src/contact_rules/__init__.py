"""Phone, e-mail and masking rules shared by the backend, the actions and the channels."""
from .email import is_valid_email
from .masking import is_masked_phone, mask_email, mask_phone
from .phone import phone_kind, to_e164

__all__ = ["is_valid_email", "is_masked_phone", "mask_email", "mask_phone", "phone_kind", "to_e164"]

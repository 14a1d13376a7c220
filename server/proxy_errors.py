"""Refusals of the family-proxy features, each with a stable code (see docs/family.md).

The family page turns each code into a sentence in the visitor's language
(server/data/family_page.yaml); the kiosk picks its words from the catalogue.
"""

from __future__ import annotations

from .errors import ApiError, NotFound


class ConsentCodeInvalid(ApiError):
    """No consent code like that: mistyped, or made up. Counts towards the rate limit."""

    status_code = 400
    code = "consent_code_invalid"


class ConsentCodeExpired(ApiError):
    """The code was right but its ten minutes are over (or the elder withdrew it)."""

    status_code = 410
    code = "consent_code_expired"


class ConsentCodeUsed(ApiError):
    """The code was already used to link a family member; each code works once."""

    status_code = 410
    code = "consent_code_used"


class ConsentNotExtendable(ApiError):
    """The code can no longer be extended: used, expired, withdrawn, or extended too often."""

    status_code = 409
    code = "consent_not_extendable"


class ConsentNotFound(NotFound):
    code = "consent_not_found"


class ProxyNotSignedIn(ApiError):
    """No family session, or it ended: enter a new code from the elder."""

    status_code = 401
    code = "proxy_not_signed_in"


class ProxyRevoked(ApiError):
    """The elder or staff took the permission back."""

    status_code = 403
    code = "proxy_revoked"


class ProxyExpired(ApiError):
    """The permission's end date has passed."""

    status_code = 403
    code = "proxy_expired"


class ProxyScopeMissing(ApiError):
    """The elder did not allow this (e.g. cancelling) to this family member."""

    status_code = 403
    code = "proxy_scope_missing"


class ProxyNotFound(NotFound):
    code = "proxy_not_found"


class FormRejected(ApiError):
    """A family-page form that was not sent by the page itself (CSRF) or has unknown fields."""

    status_code = 403
    code = "form_rejected"

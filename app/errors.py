"""Typed errors carrying Stripe's type, code, param and HTTP status.

Every layer raises these; `app/http/wire/errors.py` renders them, and nothing else does.
"""

from __future__ import annotations


class StripeError(Exception):
    status: int = 400
    type: str = "invalid_request_error"
    code: str | None = None
    should_retry: bool | None = None
    # True for the few failures Stripe records anyway (a declined charge's attempt and event): the
    # boundary commits the unit of work before rendering the error. Everything else rolls back.
    keeps_changes: bool = False

    def __init__(
        self, message: str, *, code: str | None = None, param: str | None = None, status: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.param = param

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status}, code={self.code!r}, param={self.param!r})"


class CardError(StripeError):
    """402 card_error: a card was declined; `decline_code` says why (Stripe's list)."""

    status = 402
    type = "card_error"
    code = "card_declined"

    def __init__(
        self, message: str, *, code: str | None = None, param: str | None = None, decline_code: str | None = None
    ) -> None:
        super().__init__(message, code=code, param=param)
        self.decline_code = decline_code


class InvalidRequest(StripeError):
    """400: the request is malformed or breaks a rule."""


class ParameterUnknown(InvalidRequest):
    code = "parameter_unknown"

    def __init__(self, param: str) -> None:
        super().__init__(f"Received unknown parameter: {param}", param=param)


class ParameterMissing(InvalidRequest):
    code = "parameter_missing"

    def __init__(self, param: str) -> None:
        super().__init__(f"Missing required param: {param}.", param=param)


class ResourceMissing(InvalidRequest):
    status = 404
    code = "resource_missing"

    def __init__(self, noun: str, object_id: str, *, param: str = "id") -> None:
        super().__init__(f"No such {noun}: '{object_id}'", param=param)


class AuthenticationFailed(StripeError):
    status = 401


class PermissionDenied(StripeError):
    status = 403


class IdempotencyError(StripeError):
    type = "idempotency_error"


class IdempotencyKeyInUse(StripeError):
    status = 409
    code = "idempotency_key_in_use"
    should_retry = True


class Conflict(StripeError):
    """409: a concurrent change won a race the database settled; retrying is safe."""

    status = 409
    code = "resource_conflict"
    should_retry = True


class RequestTooLarge(InvalidRequest):
    status = 413
    code = "request_too_large"


class RateLimited(StripeError):
    status = 429
    code = "rate_limit"


class ApiError(StripeError):
    """500: our fault. The SDKs retry it (with the same idempotency key)."""

    status = 500
    type = "api_error"
    should_retry = True

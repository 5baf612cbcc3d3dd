"""Domain exceptions. The API maps each to its own HTTP problem type in one place
(``api/errors.py``); the library and the CLI raise and catch them without knowing HTTP."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Conflict",
    "FieldError",
    "Forbidden",
    "NetwerkError",
    "NotFound",
    "Timeout",
    "TooLarge",
    "TooManyRequests",
    "Unauthorized",
    "ValidationFailed",
]


@dataclass(frozen=True)
class FieldError:
    """One problem with one input location: a field path, a row or a line."""

    field: str
    message: str
    row: int | None = None
    line: int | None = None

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"field": self.field, "message": self.message}
        if self.row is not None:
            out["row"] = self.row
        if self.line is not None:
            out["line"] = self.line
        return out


class NetwerkError(Exception):
    """Base of every error the domain raises on purpose."""

    title = "Error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(NetwerkError):
    title = "Not found"

    def __init__(self, what: str, ident: str | None = None) -> None:
        detail = f"{what} not found" if ident is None else f"{what} '{ident[:64]}' not found"
        super().__init__(detail)
        self.what = what


class Conflict(NetwerkError):
    title = "Conflict"


class Forbidden(NetwerkError):
    title = "Forbidden"


class Unauthorized(NetwerkError):
    title = "Unauthorized"


class TooLarge(NetwerkError):
    title = "Payload too large"


class TooManyRequests(NetwerkError):
    title = "Too many requests"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class Timeout(NetwerkError):
    title = "Analysis took too long"


class ValidationFailed(NetwerkError):
    """Input that breaks a rule of the domain. Carries every :class:`FieldError` found."""

    title = "Invalid input"

    def __init__(
        self,
        field_or_errors: str | list[FieldError],
        message: str | None = None,
        *,
        row: int | None = None,
        line: int | None = None,
    ) -> None:
        if isinstance(field_or_errors, str):
            errors = [FieldError(field_or_errors, message or "invalid", row=row, line=line)]
        else:
            errors = list(field_or_errors)
        first = errors[0] if errors else FieldError("", "invalid input")
        where = first.field
        if first.row is not None:
            where = f"row {first.row}, {where}"
        elif first.line is not None:
            where = f"line {first.line}, {where}"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(f"{where}: {first.message}{more}")
        self.errors = errors

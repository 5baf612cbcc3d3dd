"""Logging set-up shared by the service and the CLI: text or JSON lines, each carrying the
id of the request it was written for (``request_id``, set by the API's access middleware).

Logs never hold personal data: names, notes, search terms and token secrets stay out of
every message (DESIGN.md 6).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
from typing import Any

__all__ = ["JsonFormatter", "RequestIdFilter", "configure_logging", "request_id"]

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "netwerk_request_id", default=None
)
_RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request id and
    any ``extra=`` fields; an exception as its traceback."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _RESERVED and not key.startswith("_") and value is not None:
                out[key] = value
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str, ensure_ascii=False)


def configure_logging(level: str, fmt: str) -> None:
    """The root logger: ``fmt`` is ``text`` or ``json``; every line carries the request id.
    Calling it again replaces the handler it installed before (never two)."""
    handler = logging.StreamHandler()
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
        )
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_netwerk", False)]:
        root.removeHandler(old)
    handler._netwerk = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level.upper())

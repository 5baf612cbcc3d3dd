"""Spinnen in het web: the domain library (no web framework in here)."""

__version__ = "0.1.0"

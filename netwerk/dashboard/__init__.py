"""The wijkteam dashboard: the group map and its names, change per month, gaps to act on,
resilience in aggregate, and the printable report. Domain only (no web framework)."""

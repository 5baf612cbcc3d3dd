"""The pages: the broker's workspace (/app), in plain ES modules, CSS, catalogues per
language and vendored, checksummed third-party JavaScript. A package only so that editable
and regular installs (and the Docker image) can find the files."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent

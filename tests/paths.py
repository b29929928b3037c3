"""Folders the tests read or write."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"  # copies of ../shared inputs (see tests/data/README.md)

#: Where browser tests save their screenshots: docs/screenshots/ when asked for
#: (`make screenshots` sets SURVKG_SCREENSHOTS), else a temporary folder, so that a test
#: run does not rewrite tracked files.
SCREENSHOTS = Path(os.environ.get("SURVKG_SCREENSHOTS")
                   or Path(tempfile.gettempdir()) / "survkg-screenshots")

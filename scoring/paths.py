"""Where the repository's data lives (criteria sets, form layouts, code lists, templates, demo)."""

from __future__ import annotations

import os
from pathlib import Path

#: The repository (or source tree) root: the folder that holds ``scoring/`` and ``data/``.
REPO_ROOT = Path(__file__).resolve().parent.parent
#: The data folder; ``$SCORING_DATA`` overrides it (an installed copy, a site's own sets).
DATA_DIR = Path(os.environ.get("SCORING_DATA") or REPO_ROOT / "data")

"""Exited projects recommended again (the year-to-year cycle) on the organizer console: the
exited followed projects with any override granted for the current round, and the override
itself (a reason required). Model side (no widgets); the view is :mod:`.recommend_view`."""

from __future__ import annotations

from typing import Any

import traitlets as tl


class RecommendMixin(tl.HasTraits):
    """The console model's part: read the exited projects, grant an override."""

    #: Bumped when the exited projects are (re)read.
    exited_version = tl.Int(0)
    exited: Any = None

    def load_exited(self) -> None:
        """Read the exited followed projects and this round's overrides."""
        self.exited = self.run(self.backend.wb.recommend.exited, self.identity, clear=False)
        self.exited_version += 1

    def grant_override(self, project_id: str, reason: str) -> bool:
        """Let an exited project be recommended in this round (the reason is required)."""
        if not project_id:
            self.fail("cycle.pick")
            return False
        done = self.run(self.backend.wb.recommend.override, self.identity, project_id, reason)
        if done is None:
            return False
        self.say("cycle.granted", project=project_id)
        self.load_exited()
        return True

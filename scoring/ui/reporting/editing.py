"""项目报送 — the editing of :class:`~scoring.ui.reporting.model.ReportingModel`: blocks, rows,
indicators, contact and summary changed in place, numbering and the computed indicator ratios."""

from __future__ import annotations

from typing import Any


class LedgerEditingMixin:
    """The ledger edits of the reporting model (needs its traits: ``content``, ``editable`` …)."""

    # -- editing -----------------------------------------------------------------------------
    def _edited(self, *, structural: bool = False) -> None:
        if not self.editable:
            self.fail("fu.not_editable")
            return
        self.dirty = True
        self.submit_findings = []  # the store's findings of the last refusal are stale now
        if self.state is not None:
            self.stored = self._stored_text(self.state) + self.tr("fu.unsaved")
        self.check()
        self.edits += 1
        if structural:
            self.structure += 1
        self.autosave.poke()

    def blocks(self) -> list[dict[str, Any]]:
        return self.content.setdefault("blocks", [])

    def set_contact(self, value: str) -> None:
        self.content["contact"] = value
        self._edited()

    def add_block(self) -> None:
        """Add a block: an up/downstream enterprise (附件4-1) or a region (附件4-2)."""
        from scoring.followup.content import empty_row

        role = "region" if self.kind == "region" else ("partner" if self.blocks() else "core")
        self.blocks().append(
            {"role": role, "name": "", "city": "", "industries": [], "rows": [empty_row(self.kind)]}
        )
        self._edited(structural=True)

    def remove_block(self, b: int) -> None:
        blocks = self.blocks()
        if 0 <= b < len(blocks):
            del blocks[b]
            if blocks and self.kind == "enterprise":
                blocks[0]["role"] = "core"
            self._edited(structural=True)

    def add_row(self, b: int) -> None:
        from scoring.followup.content import empty_row

        self.blocks()[b].setdefault("rows", []).append(empty_row(self.kind))
        self._edited(structural=True)

    def remove_row(self, b: int, r: int) -> None:
        rows = self.blocks()[b].get("rows") or []
        if 0 <= r < len(rows):
            del rows[r]
            self._edited(structural=True)

    def set_block(self, b: int, name: str, value: Any) -> None:
        """Set a block field (``name``, ``city``, ``industries``: text or a list of codes)."""
        if name == "industries":
            from scoring.followup.codes import parse_industries

            text = value if isinstance(value, str) else "、".join(value or [])
            codes = parse_industries(text)
            if not codes and text.strip():
                codes = [text.strip()]  # kept for the check to name
            value = codes
        self.blocks()[b][name] = value
        self._edited()

    def set_row(self, b: int, r: int, name: str, value: Any) -> None:
        """Set a row field; amounts are kept as typed (the check names what is not a number)."""
        from scoring.followup.content import to_number

        if name in ("loan", "bill", "lease", "letter", "other"):
            value = to_number(value)
        self.blocks()[b]["rows"][r][name] = value
        self._edited()

    def set_indicator(self, key: str, name: str, value: Any) -> None:
        """Set an indicator's ``value``, ``baseline`` or an input (``inputs.<name>``)."""
        from scoring.followup.content import to_number

        entry = self.content.setdefault("indicators", {}).setdefault(key, {})
        v = to_number(value)
        if name.startswith("inputs."):
            inputs = entry.setdefault("inputs", {})
            inputs[name.split(".", 1)[1]] = v
            if all(x is None for x in inputs.values()):
                entry.pop("inputs")
        elif v is None:
            entry.pop(name, None)
        else:
            entry[name] = v
        if not entry:
            self.content["indicators"].pop(key, None)
        self._edited()

    def set_summary(self, key: str, value: str) -> None:
        self.content.setdefault("summary", {})[key] = value
        self._edited()

    def numbered(self) -> dict[str, Any]:
        """The form's content with goal and measure numbers (``goal_no``, ``measure_no``)."""
        from scoring.followup.content import numbered

        return numbered(self.content)

    def computed(self, key: str) -> Any:
        """The value of indicator ``key`` computed from its inputs (or given), None if none."""
        from scoring.followup.indicators import indicator, value_of

        return value_of(indicator(key, self.group), self.content.get("indicators", {}).get(key))

    def indicator_rows(self) -> list[dict[str, Any]]:
        """The indicators to fill: catalogue entry, entry, baseline and target of the year."""
        from scoring.followup.indicators import indicators

        from .common import plan_of

        out = []
        for ind in indicators(self.group):
            if not ind.entered:
                continue
            entry = self.content.get("indicators", {}).get(ind.key) or {}
            base, target = plan_of(self.project, ind.key, self.year)
            out.append(
                {
                    "ind": ind,
                    "entry": entry,
                    "baseline": base,
                    "target": target,
                    "needs_baseline": base is None,
                }
            )
        return out

"""Panel set-up on the organizer console (model side, no widgets): the form is checked in the
page's language before the store sees it (name, a real date, a chair, at least three experts,
at least one loaded candidate); a draft panel that is not frozen is loaded back into the form to
be corrected, or deleted with a reason; the lists of what exists (panels with their state,
loaded candidates searchable, accounts); and the printable sheet of a panel's access codes."""

from __future__ import annotations

import html
from typing import Any

import traitlets as tl

from scoring.programme.panel_rules import MIN_MEMBERS, clean_date, clean_name

#: Most candidates the searchable list shows at once.
LIST_MAX = 200


class PanelSetupMixin(tl.HasTraits):
    """Checks, edits, deletion and lists of the console's panel set-up."""

    #: The draft panel loaded into the form for editing (0: the form creates a new panel).
    editing = tl.Int(0)
    #: Bumped when the form's values are replaced (a panel loaded, or the form cleared).
    form_version = tl.Int(0)

    form: dict[str, Any] = {}

    def check_panel_form(
        self, name: str, members: list[str], candidates: list[str], chair: str, date: str
    ) -> list[str]:
        """What is wrong with the panel form, in the page's language (empty: nothing)."""
        out = []
        try:
            clean_name(name)
        except ValueError:
            out.append(self.tr("setup.need_name"))
        try:
            clean_date(date)
        except ValueError:
            out.append(self.tr("setup.bad_date", date=date))
        if not (chair or "").strip():
            out.append(self.tr("setup.need_chair"))
        elif chair.strip().upper() not in {a["login"] for a in self.chair_accounts()}:
            out.append(self.tr("setup.not_chair", chair=chair.strip()))
        if len(set(members)) < MIN_MEMBERS:
            out.append(self.tr("setup.need_members", n=MIN_MEMBERS, have=len(set(members))))
        if not candidates:
            out.append(self.tr("setup.need_candidates"))
        known = {pid for _label, pid in self.projects}
        unknown = [c for c in candidates if c not in known]
        if unknown:
            out.append(self.tr("setup.unknown_candidates", ids="、".join(unknown[:10])))
        return out

    def chair_accounts(self) -> list[dict[str, Any]]:
        """Active chair accounts."""
        rows = self.run(self.backend.accounts, self.identity, clear=False) or []
        return [a for a in rows if a["role"] == "chair" and a.get("active", True)]

    def save_panel_form(
        self,
        name: str,
        members: list[str],
        candidates: list[str],
        chair: str = "",
        date: str = "",
        criteria_set: str = "defense",
    ) -> bool:
        """Create the panel, or save the edited one (:attr:`editing`), once the form is right."""
        problems = self.check_panel_form(name, members, candidates, chair, date)
        if problems:
            self.error = "；".join(problems)
            return False
        if not self.editing:
            return (
                self.create_panel(name, members, candidates, chair, date, criteria_set) is not None
            )
        done = self.run(
            self.backend.update_panel,
            self.identity,
            self.editing,
            name=name.strip(),
            date=date.strip() or None,
            chair=chair.strip(),
            members=list(members),
            candidates=list(candidates),
        )
        if done is None and self.error:
            return False
        self.notice = self.tr("setup.saved", name=name.strip())
        self.editing = 0
        self.reload()
        return True

    def editable_panels(self) -> list[tuple[str, int]]:
        """``(label, id)`` of the draft panels whose configuration is not frozen."""
        return [
            (f"{p['name']} #{p['id']}", int(p["id"]))
            for p in self.panels
            if p["status"] == "draft" and not p.get("config_hash")
        ]

    def load_panel(self, panel_id: Any) -> bool:
        """Put a draft panel into the form to correct it."""
        if not panel_id:
            self.fail("setup.pick_panel")
            return False
        got = self.run(self.backend.panel_setup, self.identity, int(panel_id))
        if got is None:
            return False
        if got["frozen"] or got["status"] != "draft":
            self.fail("setup.frozen")
            return False
        self.form = got
        self.editing = int(panel_id)
        self.form_version += 1
        return True

    def clear_form(self) -> None:
        """Back to creating a new panel."""
        self.form = {}
        self.editing = 0
        self.form_version += 1

    def delete_panel(self, panel_id: Any, reason: str) -> bool:
        """Delete a draft panel that is not frozen, with a reason."""
        if not panel_id:
            self.fail("setup.pick_panel")
            return False
        if not (reason or "").strip():
            self.fail("setup.delete_reason")
            return False
        done = self.run(self.backend.delete_panel, self.identity, int(panel_id), reason.strip())
        if done is None and self.error:
            return False
        if self.editing == int(panel_id):
            self.clear_form()
        self.notice = self.tr("setup.deleted", id=panel_id)
        self.reload()
        return True

    # -- lists --------------------------------------------------------------------------------
    def panel_rows(self) -> list[dict[str, Any]]:
        """Each panel with its state, date, members and candidates counted, frozen or not."""
        out = []
        for p in self.panels:
            got = self.run(self.backend.panel_setup, self.identity, p["id"], clear=False) or {}
            out.append(
                {
                    "id": p["id"],
                    "name": p["name"],
                    "status": p["status"],
                    "date": got.get("date") or "",
                    "chair": got.get("chair") or "",
                    "members": len(got.get("members", ())),
                    "candidates": len(got.get("candidates", ())),
                    "hash": (p.get("config_hash") or "")[:12],
                }
            )
        return out

    def candidate_rows(self, search: str = "") -> tuple[list[tuple[str, str]], int]:
        """Loaded candidates whose id or name contains ``search`` (at most :data:`LIST_MAX`)
        and how many match in all."""
        needle = (search or "").strip().lower()
        hits = [(pid, label) for label, pid in self.projects if needle in label.lower()]
        return hits[:LIST_MAX], len(hits)

    def account_rows(self) -> list[dict[str, Any]]:
        """Every account (never a code)."""
        return self.run(self.backend.accounts, self.identity, clear=False) or []

    def codes_sheet(self, panel_id: Any) -> tuple[str, bytes] | None:
        """Reissue the access codes of a panel's chair and members (the old ones stop working)
        and return a printable page: one card per person, to cut and hand out."""
        if not panel_id:
            self.fail("setup.pick_panel")
            return None
        got = self.run(self.backend.panel_setup, self.identity, int(panel_id))
        if got is None:
            return None
        names = {
            str(a["login"]).upper(): (a.get("name") or "", a["role"]) for a in self.account_rows()
        }
        people = ([got["chair"]] if got["chair"] else []) + list(got["members"])
        cards, missing = [], []
        for login in people:
            if login.upper() not in names:
                missing.append(login)
                continue
            code = self.run(self.backend.issue_code, self.identity, login)
            if code is None:
                return None
            name, role = names[login.upper()]
            cards.append((login, name, role, code))
        if missing:
            self.notice = self.tr("setup.no_account", ids="、".join(missing))
        title = f"{got['name']} {got.get('date') or ''}".strip()
        page = _codes_page(title, cards, self.tr)
        self.reload()
        return f"access-codes-panel-{got['id']}.html", page.encode("utf-8")


def _codes_page(title: str, cards: list[tuple[str, str, str, str]], tr: Any) -> str:
    """A print-ready HTML page: one card per person with the login, name, role and code."""
    esc = html.escape
    items = "".join(
        f"<div class='card'><div class='t'>{esc(title)}</div>"
        f"<div class='n'>{esc(name or login)}（{esc(tr('role.' + role))}）</div>"
        f"<div class='c'>{esc(code)}</div>"
        f"<div class='h'>{esc(tr('setup.card_hint'))}</div></div>"
        for login, name, role, code in cards
    )
    return (
        "<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>"
        f"<title>{esc(tr('setup.codes_title'))} {esc(title)}</title><style>"
        "body{font-family:'Noto Sans CJK SC','Noto Sans SC',sans-serif;margin:12mm}"
        ".card{border:1px dashed #555;padding:8mm;margin:0 0 6mm;page-break-inside:avoid}"
        ".t{font-size:11pt;color:#444}.n{font-size:16pt;margin:2mm 0}"
        ".c{font:bold 18pt monospace;letter-spacing:1px}.h{font-size:9pt;color:#666;margin-top:2mm}"
        "@media print{body{margin:8mm}}</style></head><body>"
        f"<h2>{esc(tr('setup.codes_title'))} · {esc(title)}</h2>{items}</body></html>"
    )

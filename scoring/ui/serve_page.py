"""The ``scoring`` Voila template of the dashboards' pages: the page script and CSS.

The script (widget HTML cannot carry a working ``<script>``: Voila does not run it):

* polls ``/scoring/api/alive/<kernel>`` and shows a reload banner when the kernel is gone, died,
  was restarted, or the page loaded without its widgets (:data:`EMPTY_PAGE_GRACE_MS`);
* Enter in a code or reason field presses the field's button (log in, sign, close ...);
* a click on a header of a ``table.sortable`` (:func:`scoring.ui.markup.html_table` with
  ``sortable=True``) sorts its rows by that column — numerically when every filled cell is a
  number, else ``localeCompare(…, 'zh')`` — and marks the header ▲ / ▼;
* when the timer's blinking end-of-time bar (``.scoring-timer-over``) appears, a short beep by
  the Web Audio API, once per expiry (``window.scoringAlarms`` counts them).
"""

from __future__ import annotations

import json
from pathlib import Path

#: Milliseconds after the page has loaded before a page with no output counts as broken.
EMPTY_PAGE_GRACE_MS = 15000

_TEMPLATE_CONF = {"base_template": "lab"}

_TEMPLATE_INDEX = r"""{%- extends 'lab/index.html.j2' -%}
{%- block footer_js -%}
{{ super() }}
<style>
  #rendered_cells { padding: 0 8px; }
  table.sortable th { cursor: pointer; user-select: none; }
  .jp-OutputArea-output { overflow-x: auto; }
  .scoring-dead-banner { position: fixed; top: 0; left: 0; right: 0; z-index: 10000;
    background: #b71c1c; color: #fff; padding: 12px 16px; font-size: 16px; text-align: center; }
  .scoring-dead-banner button { margin-left: 12px; font-size: 15px; }
  @media (max-width: 1100px) { .widget-label { min-width: 6em; } }
</style>
<script>
(function () {
  var cfgEl = document.getElementById('jupyter-config-data');
  if (!cfgEl) { return; }
  var cfg = JSON.parse(cfgEl.textContent);
  var base = cfg.baseUrl || '/';
  var url = base + 'scoring/api/alive/' + cfg.kernelId;
  var generation = null, failures = 0, shown = false, loadedAt = null;
  var DEAD = '页面已与服务器断开（计算内核已停止），请刷新页面后继续。' +
    ' This page lost its server session; please reload.';
  var EMPTY = '页面未能完整显示，请刷新页面后继续。' +
    ' This page did not finish loading; please reload.';
  window.addEventListener('load', function () { loadedAt = Date.now(); });
  function banner(text) {
    if (shown) { return; }
    shown = true;
    var div = document.createElement('div');
    div.className = 'scoring-dead-banner';
    div.setAttribute('role', 'alert');
    div.id = 'scoring-dead-banner';
    div.textContent = text || DEAD;
    var b = document.createElement('button');
    b.textContent = '刷新 Reload';
    b.onclick = function () { window.location.reload(); };
    div.appendChild(b);
    document.body.appendChild(div);
  }
  function empty() {
    // Voila renders each cell's output as .jp-OutputArea-output; a dashboard always has one.
    if (loadedAt === null || Date.now() - loadedAt < __GRACE__) { return false; }
    return document.querySelector('.jp-OutputArea-output') === null;
  }
  function check() {
    if (empty()) { banner(EMPTY); return; }
    fetch(url, {cache: 'no-store', credentials: 'same-origin'}).then(function (r) {
      if (r.status === 404) { banner(); return null; }
      return r.ok ? r.json() : null;
    }).then(function (m) {
      if (!m) { return; }
      failures = 0;
      if (!m.alive) { banner(); return; }
      if (generation === null) { generation = m.generation; }
      else if (generation !== m.generation) { banner(); }
    }).catch(function () {
      failures += 1;
      if (failures >= 2) { banner(); }
    });
  }
  // Enter in a code or reason field presses the field's button (log in, sign, close ...)
  var ENTER = {'scoring-code': 'scoring-login', 'scoring-confirm-code': 'scoring-confirm',
    'scoring-close-reason': 'scoring-force-close', 'scoring-reopen-reason': 'scoring-reopen'};
  document.addEventListener('keydown', function (ev) {
    if (ev.key !== 'Enter' || ev.isComposing || !ev.target || ev.target.tagName !== 'INPUT') {
      return;
    }
    for (var field in ENTER) {
      var box = ev.target.closest('.' + field);
      if (!box) { continue; }
      var scope = box.parentElement;
      var button = null;
      while (scope && !button) {
        button = scope.querySelector('button.' + ENTER[field]);
        scope = scope.parentElement;
      }
      if (button && !button.disabled) {
        ev.preventDefault();
        // let the widget send the typed value first, then press the button
        ev.target.dispatchEvent(new Event('change', {bubbles: true}));
        setTimeout(function () { button.click(); }, 60);
      }
      return;
    }
  }, true);
  // A click on a header of a table.sortable sorts its rows by that column: as numbers when
  // every filled cell is one, else in Chinese order; empty cells and "—" last; ▲ / ▼ marks it.
  var NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?%?$/i;
  function cellText(row, i) {
    var cell = row.cells[i];
    return cell ? cell.textContent.trim() : '';
  }
  function blank(text) { return text === '' || text === '—' || text === '-'; }
  document.addEventListener('click', function (ev) {
    var th = ev.target && ev.target.closest ? ev.target.closest('table.sortable th') : null;
    if (!th) { return; }
    var table = th.closest('table'), head = th.parentElement, col = th.cellIndex;
    var rows = Array.prototype.filter.call(table.rows, function (r) {
      return r !== head && r.parentElement.tagName !== 'THEAD';
    });
    if (!rows.length) { return; }
    var up = th.getAttribute('data-sort') !== 'asc';
    var numeric = rows.every(function (r) {
      var t = cellText(r, col).replace(/,/g, '');
      return blank(t) || NUMBER.test(t);
    });
    var keyed = rows.map(function (r, k) { return {row: r, k: k, text: cellText(r, col)}; });
    keyed.sort(function (a, b) {
      var ea = blank(a.text), eb = blank(b.text), d = 0;
      if (ea || eb) { return ea === eb ? a.k - b.k : (ea ? 1 : -1); }
      if (numeric) {
        d = parseFloat(a.text.replace(/,/g, '')) - parseFloat(b.text.replace(/,/g, ''));
      } else {
        d = a.text.localeCompare(b.text, 'zh');
      }
      return (up ? d : -d) || a.k - b.k;
    });
    keyed.forEach(function (x) { x.row.parentElement.appendChild(x.row); });
    Array.prototype.forEach.call(head.cells, function (h) {
      h.removeAttribute('data-sort');
      var old = h.querySelector('.scoring-sort-mark');
      if (old) { old.remove(); }
    });
    th.setAttribute('data-sort', up ? 'asc' : 'desc');
    var mark = document.createElement('span');
    mark.className = 'scoring-sort-mark';
    mark.textContent = up ? ' ▲' : ' ▼';
    th.appendChild(mark);
  });
  // The timer's end: when the blinking bar appears, a short beep (Web Audio), once per expiry.
  // Browsers start audio only after a gesture on the page: the first click unlocks it.
  var audio = null, overShown = false;
  window.scoringAlarms = 0;
  function audioContext() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!audio && Ctx) { try { audio = new Ctx(); } catch (e) { audio = null; } }
    if (audio && audio.state === 'suspended') { audio.resume(); }
    return audio;
  }
  document.addEventListener('pointerdown', audioContext, true);
  function beep() {
    window.scoringAlarms += 1;
    var ctx = audioContext();
    if (!ctx) { return; }
    [0, 0.3, 0.6].forEach(function (at) {
      var osc = ctx.createOscillator(), gain = ctx.createGain(), t0 = ctx.currentTime + at;
      osc.type = 'square';
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.0001, t0);
      gain.gain.exponentialRampToValueAtTime(0.2, t0 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t0 + 0.2);
      osc.connect(gain);
      gain.connect(ctx.destination);
      osc.start(t0);
      osc.stop(t0 + 0.22);
    });
  }
  new MutationObserver(function () {
    var over = document.querySelector('.scoring-timer-over') !== null;
    if (over && !overShown) { beep(); }
    overShown = over;
  }).observe(document.body, {childList: true, subtree: true});
  window.scoringHeartbeat = check;
  setInterval(check, 3000);
  setTimeout(check, 500);
})();
</script>
{%- endblock footer_js -%}
"""


def template_index() -> str:
    """The ``index.html.j2`` of the ``scoring`` template."""
    return _TEMPLATE_INDEX.replace("__GRACE__", str(EMPTY_PAGE_GRACE_MS))


def write_template(root: Path) -> Path:
    """Write the ``scoring`` Voila template under ``root/voila/templates/scoring``.

    Returns
    -------
    Path
        ``root`` (to be put first on ``JUPYTER_PATH``).
    """
    tdir = root / "voila" / "templates" / "scoring"
    tdir.mkdir(parents=True, exist_ok=True)
    (tdir / "conf.json").write_text(json.dumps(_TEMPLATE_CONF), encoding="utf-8")
    (tdir / "index.html.j2").write_text(template_index(), encoding="utf-8")
    return root

/** The console's one page: plain HTML and a small script; live through Server-Sent Events. */
export const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>liftwatch facility</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px system-ui,sans-serif;margin:1.5rem;color:#222}h1{font-size:1.3rem}h2{font-size:1.05rem;margin-top:1.5rem}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
.critical{color:#b00020;font-weight:600}.major{color:#c25400}.minor{color:#806000}.info{color:#666}
.offline{color:#b00020}.online{color:#1b7a1b}.case{border:1px solid #ccc;border-radius:6px;padding:.6rem;margin:.5rem 0}
.timeline{margin:.3rem 0 .3rem 1rem;padding:0}.muted{color:#777}button{margin-right:.4rem}
</style></head><body>
<h1>liftwatch facility <span id="live" class="muted">connecting…</span></h1>
<p class="muted" id="note"></p>
<h2>Gateways</h2><table id="gateways"><thead><tr><th>site</th><th>gateway</th><th>state</th><th>session</th><th>last health</th></tr></thead><tbody></tbody></table>
<h2>Lifts</h2><table id="lifts"><thead><tr><th>site</th><th>lift</th><th>landings</th><th>active alarms</th></tr></thead><tbody></tbody></table>
<h2>Open cases</h2><div id="open"></div>
<h2>Actions</h2><table id="actions"><thead><tr><th>when</th><th>kind</th><th>to</th><th>lift</th><th>state</th><th>note</th></tr></thead><tbody></tbody></table>
<script>
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c]));
function rows(id, items, cells) { document.querySelector('#' + id + ' tbody').innerHTML = items.map((i) => '<tr>' + cells(i).map((c) => '<td>' + c + '</td>').join('') + '</tr>').join(''); }
async function act(path, body) {
  const r = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!r.ok) alert((await r.json()).error ?? r.statusText);
}
function render(v) {
  document.getElementById('note').textContent = v.contactsShown ? '' : 'Tenant contacts are hidden: log in to see them.';
  rows('gateways', v.gateways, (g) => [esc(g.siteId), esc(g.gatewayId), '<span class="' + g.state + '">' + g.state + '</span>', g.session, esc(g.healthAt ?? '—')]);
  rows('lifts', v.lifts, (l) => [esc(l.siteName), esc(l.label), esc(l.landings.join(' ')), l.activeAlarms.map((a) => '<span class="' + a.severity + '">' + esc(a.code) + '</span>').join(', ') || '<span class="muted">none</span>']);
  document.getElementById('open').innerHTML = v.openCases.map((c) =>
    '<div class="case" data-alarm="' + esc(c.alarmId) + '"><b class="' + c.severity + '">' + esc(c.code) + '</b> ' + esc(c.siteName) + ', ' + esc(c.liftLabel) +
    ' (landings ' + esc(c.landings.join(' ')) + ')' + (c.acknowledged ? ' <span class="ack">acknowledged</span>' : '') +
    '<ul class="timeline">' + c.steps.map((s) => '<li>' + esc(s.at) + ' ' + esc(s.lifecycle) + (s.detail ? ' — ' + esc(s.detail) : '') + '</li>').join('') +
    c.actions.map((a) => '<li class="muted">' + esc(a.kind) + ' → ' + esc(a.to.name) + ': ' + esc(a.state) + '</li>').join('') + '</ul>' +
    (c.acknowledged ? '' : '<button class="ack-btn" data-id="' + esc(c.alarmId) + '">Acknowledge</button>') +
    '<button class="close-btn" data-id="' + esc(c.alarmId) + '">Close</button></div>').join('') || '<p class="muted">No open case.</p>';
  rows('actions', v.actions, (a) => [esc(a.createdAt), esc(a.kind), esc(a.to.name + ' ' + a.to.address), esc(a.liftId), esc(a.state), esc(a.lastError ?? a.reason ?? '')]);
}
document.addEventListener('click', (e) => {
  const b = e.target.closest('button'); if (!b) return;
  const id = encodeURIComponent(b.dataset.id);
  if (b.classList.contains('ack-btn')) act('/api/cases/' + id + '/ack', { by: 'console' });
  if (b.classList.contains('close-btn')) act('/api/cases/' + id + '/close', { by: 'console' });
});
async function refresh() { const r = await fetch('/api/overview'); if (r.ok) render(await r.json()); }
const stream = new EventSource('/api/stream');
stream.onopen = () => { document.getElementById('live').textContent = 'live'; refresh(); };
stream.onerror = () => { document.getElementById('live').textContent = 'reconnecting…'; };
stream.onmessage = () => refresh();
refresh();
</script></body></html>`;

export const LOGIN = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>liftwatch facility: log in</title></head>
<body style="font:14px system-ui,sans-serif;margin:2rem"><h1>liftwatch facility</h1>
<form method="post" action="/login"><p><label>User <input name="username" autocomplete="username"></label></p>
<p><label>Password <input name="password" type="password" autocomplete="current-password"></label></p><button>Log in</button></form></body></html>`;

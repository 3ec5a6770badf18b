// The Warewulf dashboard: a table of nodes kept live from /api/events.
// Plain ES module, no build step, no dependencies. Data: GET /api/dashboard
// once, then Server-Sent Events (`status`: a node's status entry;
// `revision`: the rows of nodes whose configuration changed). The browser's
// Basic-auth prompt covers every request (same origin).

const $ = (sel) => document.querySelector(sel);

/** State: rows and status by node name. */
const state = {
  rows: new Map(),
  status: new Map(),
  freshness: {},
  images: {},
  interval: 60,
  /** server clock minus ours, seconds */
  skew: 0,
  revision: '',
  selected: '',
};

async function getJson(url) {
  const r = await fetch(url, { headers: { accept: 'application/json' } });
  if (!r.ok) throw new Error(`${url}: ${r.status} ${r.statusText}`);
  return r.json();
}

function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') e.className = v;
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c ?? '')));
  return e;
}

/* ---------- name patterns: globs and hostlist ranges (n[01-10,15]) ---------- */

const escapeRe = (s) => s.replace(/[.+^${}()|\\]/g, '\\$&');

function bracketAlternation(body) {
  const alts = [];
  for (const part of body.split(',')) {
    const m = /^(\d+)-(\d+)$/.exec(part);
    if (!m) {
      alts.push(escapeRe(part));
      continue;
    }
    const [lo, hi, width] = [Number(m[1]), Number(m[2]), m[1].length];
    if (hi < lo || hi - lo > 10000) return null;
    for (let i = lo; i <= hi; i++) alts.push(String(i).padStart(width, '0'));
  }
  return `(?:${alts.join('|')})`;
}

/** A matcher for whitespace-separated patterns; a pattern without wildcards matches as a substring. */
function nameMatcher(text) {
  const pats = text.trim().split(/\s+/).filter(Boolean);
  if (pats.length === 0) return () => true;
  const res = [];
  for (const p of pats) {
    let re = '';
    let wild = false;
    for (let i = 0; i < p.length; i++) {
      const ch = p[i];
      if (ch === '*') { re += '.*'; wild = true; }
      else if (ch === '?') { re += '.'; wild = true; }
      else if (ch === '[') {
        const end = p.indexOf(']', i);
        const alt = end > i ? bracketAlternation(p.slice(i + 1, end)) : null;
        if (alt === null) { re += '\\['; continue; }
        re += alt;
        wild = true;
        i = end;
      } else re += escapeRe(ch);
    }
    res.push(new RegExp(wild ? `^${re}$` : re));
  }
  return (name) => res.some((r) => r.test(name));
}

/* ---------- rendering ---------- */

function ago(lastSeen) {
  if (!lastSeen) return ['never', 'unseen'];
  const now = Date.now() / 1000 + state.skew;
  const s = Math.max(0, Math.round(now - lastSeen));
  const cls = s >= 2 * state.interval ? 'seen-gone' : s >= state.interval + 5 ? 'seen-late' : 'seen-ok';
  const text = s < 60 ? `${s}s ago` : s < 3600 ? `${Math.floor(s / 60)}m ago` : s < 86400 ? `${Math.floor(s / 3600)}h ago` : `${Math.floor(s / 86400)}d ago`;
  return [text, cls];
}

function freshnessCell(name) {
  const f = state.freshness[name];
  const td = el('td', { class: 'overlays' });
  if (!f) return td;
  for (const [kind, label] of [['system', 'system'], ['runtime', 'runtime']]) {
    const s = f[kind];
    const cls = s.fresh ? 'fresh' : s.mtime ? 'stale' : 'missing';
    const title = s.fresh ? `${kind}: up to date (built ${s.mtime})` : `${kind}: ${s.reason || 'not built'}`;
    td.append(el('span', { class: cls, title }, `${label} ${s.fresh ? '✓' : s.mtime ? 'stale' : 'not built'}`), ' ');
  }
  return td;
}

function rowElement(r) {
  const st = state.status.get(r.name) ?? { stage: '', 'last seen': 0 };
  const [seen, cls] = ago(st['last seen']);
  const tr = el(
    'tr',
    { dataset: { node: r.name } },
    el('td', { class: 'name' }, r.name),
    el('td', { class: 'profiles' }, r.profiles.join(', ')),
    el('td', { class: 'image' }, r.image),
    el('td', { class: 'address' }, r.address),
    el('td', { class: 'stage' }, st.stage || '—'),
    el('td', { class: `seen ${cls}`, dataset: { seen: String(st['last seen'] ?? 0) } }, seen),
    freshnessCell(r.name),
  );
  if (r.name === state.selected) tr.classList.add('selected');
  return tr;
}

function visibleRows() {
  const match = nameMatcher($('#pattern').value);
  const profile = $('#profile').value;
  return [...state.rows.values()]
    .filter((r) => match(r.name) && (profile === '' || r.profiles.includes(profile)))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function renderTable() {
  const rows = visibleRows();
  $('#nodes tbody').replaceChildren(...rows.map(rowElement));
  $('#shown').textContent = `${rows.length} of ${state.rows.size} shown`;
}

/** Re-render one node's row in place (a status or configuration change), flashing it. */
function refreshRow(name) {
  const old = document.querySelector(`#nodes tbody tr[data-node="${CSS.escape(name)}"]`);
  const r = state.rows.get(name);
  if (!old || !r) return renderTable();
  const tr = rowElement(r);
  tr.classList.add('flash');
  old.replaceWith(tr);
}

function renderProfiles() {
  const sel = $('#profile');
  const current = sel.value;
  const names = [...new Set([...state.rows.values()].flatMap((r) => r.profiles))].sort();
  sel.replaceChildren(el('option', { value: '' }, 'any'), ...names.map((n) => el('option', { value: n }, n)));
  sel.value = names.includes(current) ? current : '';
}

function renderSummary() {
  $('#summary').textContent = `${state.rows.size} nodes · nodes.conf ${state.revision.slice(0, 12) || '(none)'}`;
}

function renderInUse() {
  const images = new Map();
  const overlays = new Map();
  for (const r of state.rows.values()) {
    if (r.image) images.set(r.image, (images.get(r.image) ?? 0) + 1);
    for (const o of r.systemOverlays) overlays.set(o, { n: (overlays.get(o)?.n ?? 0) + 1, kinds: new Set([...(overlays.get(o)?.kinds ?? []), 'system']) });
    for (const o of r.runtimeOverlays) overlays.set(o, { n: (overlays.get(o)?.n ?? 0) + (r.systemOverlays.includes(o) ? 0 : 1), kinds: new Set([...(overlays.get(o)?.kinds ?? []), 'runtime']) });
  }
  $('#images tbody').replaceChildren(
    ...[...images].sort().map(([name, n]) => {
      const i = state.images[name];
      return el('tr', {}, el('td', {}, name), el('td', {}, n), el('td', {}, i ? i.kernels.join(', ') || '—' : 'missing'), el('td', {}, i?.buildtime ? new Date(i.buildtime).toLocaleString() : '—'));
    }),
  );
  $('#overlays tbody').replaceChildren(
    ...[...overlays].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, o]) => el('tr', {}, el('td', {}, name), el('td', {}, o.n), el('td', {}, [...o.kinds].join(', ')))),
  );
}

function renderAll() {
  renderSummary();
  renderProfiles();
  renderTable();
  renderInUse();
}

/* ---------- provenance of one node ---------- */

async function showDetail(name) {
  state.selected = name;
  for (const tr of document.querySelectorAll('#nodes tbody tr')) tr.classList.toggle('selected', tr.dataset.node === name);
  $('#detail').hidden = false;
  $('#detail-name').textContent = name;
  const layout = $('#detail-seed').checked ? 'seed' : 'current';
  try {
    const rows = await getJson(`/api/nodes/${encodeURIComponent(name)}/fields?layout=${layout}`);
    if (state.selected !== name) return;
    $('#fields tbody').replaceChildren(...rows.map((r) => el('tr', {}, el('td', {}, r.Field), el('td', {}, r.Source), el('td', {}, r.Value))));
  } catch (err) {
    $('#fields tbody').replaceChildren(el('tr', {}, el('td', { colspan: '3' }, String(err.message))));
  }
}

/* ---------- data ---------- */

let freshTimer;
/** Overlay freshness is a dry run of the builder on the server: fetched on load and after changes, not per event. */
function refreshFreshness(delay = 300) {
  clearTimeout(freshTimer);
  freshTimer = setTimeout(async () => {
    try {
      state.freshness = await getJson('/api/dashboard/freshness');
      renderTable();
    } catch {
      /* the column stays as it was */
    }
  }, delay);
}

async function refreshImages() {
  try {
    state.images = await getJson('/api/images');
    renderInUse();
  } catch {
    /* shown as missing */
  }
}

async function load() {
  const d = await getJson('/api/dashboard');
  state.rows = new Map(d.nodes.map((r) => [r.name, r]));
  state.status = new Map(Object.entries(d.status));
  state.interval = d.interval;
  state.skew = d.now - Date.now() / 1000;
  state.revision = d.revision;
  renderAll();
  refreshFreshness(0);
  void refreshImages();
}

function connect() {
  const es = new EventSource('/api/events');
  const live = $('#live');
  es.addEventListener('open', () => {
    live.textContent = 'live';
    live.className = 'badge on';
  });
  es.addEventListener('error', () => {
    live.textContent = 'reconnecting';
    live.className = 'badge off';
  });
  es.addEventListener('hello', (e) => {
    const h = JSON.parse(e.data);
    // missed changes while disconnected: start over
    if (h.revision !== state.revision) void load();
  });
  es.addEventListener('status', (e) => {
    const s = JSON.parse(e.data);
    state.status.set(s['node name'], s);
    refreshRow(s['node name']);
  });
  es.addEventListener('revision', (e) => {
    const ev = JSON.parse(e.data);
    state.revision = ev.revision;
    for (const r of ev.nodes) state.rows.set(r.name, r);
    for (const name of ev.removed) state.rows.delete(name);
    renderSummary();
    renderProfiles();
    if (ev.removed.length > 0 || ev.nodes.some((r) => !document.querySelector(`#nodes tbody tr[data-node="${CSS.escape(r.name)}"]`))) renderTable();
    else for (const r of ev.nodes) refreshRow(r.name);
    renderInUse();
    refreshFreshness();
    if (ev.nodes.some((r) => r.name === state.selected)) void showDetail(state.selected);
  });
}

function init() {
  $('#pattern').addEventListener('input', renderTable);
  $('#profile').addEventListener('change', renderTable);
  $('#filters').addEventListener('submit', (e) => e.preventDefault());
  $('#nodes tbody').addEventListener('click', (e) => {
    const tr = e.target.closest('tr[data-node]');
    if (tr) void showDetail(tr.dataset.node);
  });
  $('#detail-close').addEventListener('click', () => {
    state.selected = '';
    $('#detail').hidden = true;
    for (const tr of document.querySelectorAll('#nodes tbody tr.selected')) tr.classList.remove('selected');
  });
  $('#detail-seed').addEventListener('change', () => state.selected && void showDetail(state.selected));
  // relative times move on by themselves
  setInterval(() => {
    for (const td of document.querySelectorAll('#nodes td.seen')) {
      const [text, cls] = ago(Number(td.dataset.seen));
      td.textContent = text;
      td.className = `seen ${cls}`;
    }
  }, 1000);
  load().then(connect, (err) => {
    $('#summary').textContent = `cannot load the dashboard: ${err.message}`;
  });
}

init();

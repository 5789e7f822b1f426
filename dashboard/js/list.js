// list.js - the instances list: filters and sort kept in the URL, counts
// per status, pages sorted and filtered on the host (GET
// /admin/durable/instances) that follow its continuation tokens,
// auto-refresh, column and sort choices kept in localStorage, bulk actions
// (through the management API), start form.
import { call, listPage, errorText, MGMT, enc } from './api.js';
import { el, clear, put, excerpt, fmtTime, fmtDuration, instanceHref, statusBadge } from './dom.js';
import { modal } from './modal.js';

export const STATUSES = ['Pending', 'Running', 'Suspended', 'Completed', 'Failed', 'Terminated', 'ContinuedAsNew'];
const ACTIVE = new Set(['Pending', 'Running', 'Suspended', 'ContinuedAsNew']);
// What the management API's purge by filter deletes: finished instances only.
const TERMINAL = ['Completed', 'Failed', 'Terminated'];
// The columns the host sorts on, by the listing's names for them.
const SORT_KEYS = { instanceId: 'id', name: 'name', runtimeStatus: 'status', createdTime: 'created', lastUpdatedTime: 'updated' };

const COLUMNS = [
  { key: 'instanceId', label: 'Instance ID', on: true },
  { key: 'name', label: 'Name', on: true },
  { key: 'runtimeStatus', label: 'Status', on: true },
  { key: 'createdTime', label: 'Created (UTC)', on: true },
  { key: 'lastUpdatedTime', label: 'Last updated (UTC)', on: true },
  { key: 'duration', label: 'Duration', on: false },
  { key: 'customStatus', label: 'Custom status', on: true },
  { key: 'input', label: 'Input', on: false },
  { key: 'output', label: 'Output', on: false },
];
const LS_COLUMNS = 'cfunc.dashboard.columns';
const LS_SORT = 'cfunc.dashboard.sort';
const LS_REFRESH = 'cfunc.dashboard.refresh';
const MAX_CALLS = 40;      // listing calls one dashboard page may make (a sparse filter)
const BULK_TOP = 1000;     // the listing's largest page
const BULK_PARALLEL = 8;   // per-instance calls in flight in a bulk action

function load(keyName, dflt) {
  try { const v = JSON.parse(localStorage.getItem(keyName)); return v ?? dflt; } catch { return dflt; }
}
function save(keyName, v) { try { localStorage.setItem(keyName, JSON.stringify(v)); } catch { /* private mode */ } }

// The filter as the URL holds it:
// #/instances?status=Running,Failed&name=..&prefix=..&from=..&to=..&size=25&sort=created&order=desc
// sort: undefined when the URL names none (then the remembered one applies).
function filterFrom(params) {
  const status = (params.get('status') || '').split(',').filter((s) => STATUSES.includes(s));
  const size = parseInt(params.get('size') || '25', 10);
  const col = Object.keys(SORT_KEYS).find((k) => SORT_KEYS[k] === params.get('sort'));
  return {
    status, name: params.get('name') || '', prefix: params.get('prefix') || '',
    from: params.get('from') || '', to: params.get('to') || '',
    size: [10, 25, 50, 100, 200].includes(size) ? size : 25,
    sort: params.has('sort') ? { key: col || null, desc: col ? params.get('order') === 'desc' : false } : undefined,
  };
}

export function filterHash(f) {
  const q = new URLSearchParams();
  if (f.status.length) q.set('status', f.status.join(','));
  for (const k of ['name', 'prefix', 'from', 'to']) if (f[k]) q.set(k, f[k]);
  if (f.size !== 25) q.set('size', String(f.size));
  if (f.sort) {
    q.set('sort', f.sort.key ? SORT_KEYS[f.sort.key] : 'none');
    if (f.sort.key && f.sort.desc) q.set('order', 'desc');
  }
  const s = q.toString();
  return '#/instances' + (s ? '?' + s : '');
}

// The management API's purge by filter for the instances `f` selects,
// created up to `until` (the time they were counted): null when the filter
// has what that API cannot express (a name or id prefix).
function purgeQuery(f, until) {
  if (f.name || f.prefix) return null;
  const q = new URLSearchParams();
  q.set('createdTimeFrom', f.from || '1970-01-01T00:00:00Z');
  q.set('createdTimeTo', f.to && Date.parse(f.to) < Date.parse(until) ? f.to : until);
  const st = f.status.length ? TERMINAL.filter((s) => f.status.includes(s)) : TERMINAL;
  q.set('runtimeStatus', st.join(','));
  return q.toString();
}

function cell(col, it) {
  switch (col) {
    case 'instanceId':
      return el('a', { href: instanceHref(it.instanceId), class: 'mono', testid: 'instance-link' }, it.instanceId);
    case 'runtimeStatus': return statusBadge(it.runtimeStatus);
    case 'createdTime': return fmtTime(it.createdTime);
    case 'lastUpdatedTime': return fmtTime(it.lastUpdatedTime);
    case 'duration': return fmtDuration(Date.parse(it.lastUpdatedTime) - Date.parse(it.createdTime));
    case 'customStatus': case 'input': case 'output':
      return el('span', { class: 'mono excerpt', title: excerpt(it[col], 2000) }, excerpt(it[col]));
    default: return String(it[col] ?? '');
  }
}

export function showInstances(root, params) {
  const f = filterFrom(params);
  let columns = load(LS_COLUMNS, null);
  if (!Array.isArray(columns)) columns = COLUMNS.filter((c) => c.on).map((c) => c.key);
  // The URL's sort wins (a shared link); else the one last chosen.
  let sort = f.sort || load(LS_SORT, { key: null, desc: false });
  if (!SORT_KEYS[sort.key]) sort = { key: null, desc: false };
  if (f.sort) save(LS_SORT, sort);
  let refreshSec = load(LS_REFRESH, 5);
  let paused = false;
  let timer = null;
  let stopped = false;
  const pages = [{ token: null }];
  let page = 0;
  let shown = [];
  const selected = new Set();

  // ---- the filter form
  const statusBoxes = STATUSES.map((s) => el('label', { class: 'chk' },
    el('input', { type: 'checkbox', value: s, checked: f.status.includes(s), testid: `filter-status-${s}` }), s));
  const nameIn = el('input', { type: 'search', value: f.name, placeholder: 'name starts with', testid: 'filter-name' });
  const prefixIn = el('input', { type: 'search', value: f.prefix, placeholder: 'instance id prefix', testid: 'filter-prefix' });
  const fromIn = el('input', { type: 'text', value: f.from, placeholder: 'created from, ISO 8601', testid: 'filter-from' });
  const toIn = el('input', { type: 'text', value: f.to, placeholder: 'created to, ISO 8601', testid: 'filter-to' });
  const preset = el('select', { testid: 'filter-preset' },
    el('option', { value: '' }, 'any time'),
    el('option', { value: '3600' }, 'last hour'),
    el('option', { value: '86400' }, 'last 24 hours'),
    el('option', { value: '604800' }, 'last 7 days'));
  preset.addEventListener('change', () => {
    if (!preset.value) { fromIn.value = ''; toIn.value = ''; return; }
    fromIn.value = new Date(Date.now() - 1000 * Number(preset.value)).toISOString().replace(/\.\d+Z$/, 'Z');
    toIn.value = '';
  });
  const sizeSel = el('select', { testid: 'page-size' },
    ...[10, 25, 50, 100, 200].map((n) => el('option', { value: String(n), selected: n === f.size }, `${n} per page`)));
  const form = el('form', { class: 'filters', testid: 'filters' },
    el('div', { class: 'row' }, statusBoxes),
    el('div', { class: 'row' }, nameIn, prefixIn, fromIn, toIn, preset, sizeSel,
      el('button', { type: 'submit', class: 'primary', testid: 'filter-apply' }, 'Apply'),
      el('button', { type: 'button', testid: 'filter-reset', onclick: () => { location.hash = '#/instances'; } }, 'Reset')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const nf = {
      status: statusBoxes.map((l) => l.firstChild).filter((c) => c.checked).map((c) => c.value),
      name: nameIn.value.trim(), prefix: prefixIn.value.trim(),
      from: fromIn.value.trim(), to: toIn.value.trim(), size: Number(sizeSel.value), sort: f.sort,
    };
    const h = filterHash(nf);
    if (h === location.hash) reload(); else location.hash = h;
  });

  // ---- counts, toolbar, table, pager
  const counts = el('div', { class: 'counts', testid: 'counts' });
  const refreshSel = el('select', { testid: 'refresh-interval' },
    ...[0, 2, 5, 10, 30].map((n) => el('option', { value: String(n), selected: n === refreshSec }, n ? `every ${n} s` : 'no auto-refresh')));
  const pauseBtn = el('button', { type: 'button', testid: 'refresh-pause' }, 'Pause');
  const refreshBtn = el('button', { type: 'button', testid: 'refresh-now' }, 'Refresh');
  const note = el('span', { class: 'note', testid: 'list-note' });
  const summary = el('div', { class: 'note', testid: 'bulk-summary' });
  const colMenu = el('details', { class: 'columns' }, el('summary', { testid: 'columns-menu' }, 'Columns'),
    ...COLUMNS.map((c) => el('label', { class: 'chk' },
      el('input', {
        type: 'checkbox', checked: columns.includes(c.key), testid: `col-${c.key}`,
        onchange: (e) => {
          columns = COLUMNS.map((x) => x.key).filter((k) => (k === c.key ? e.target.checked : columns.includes(k)));
          save(LS_COLUMNS, columns);
          render();
        },
      }), c.label)));
  const toolbar = el('div', { class: 'toolbar' },
    el('button', { type: 'button', class: 'primary', testid: 'new-instance', onclick: () => startForm() }, 'New orchestration'),
    el('button', { type: 'button', testid: 'bulk-terminate', onclick: () => bulk('terminate') }, 'Terminate\u2026'),
    el('button', { type: 'button', testid: 'bulk-purge', onclick: () => bulk('purge') }, 'Purge\u2026'),
    colMenu, refreshSel, pauseBtn, refreshBtn, note);
  const table = el('table', { class: 'grid', testid: 'instances' });
  const prevBtn = el('button', { type: 'button', testid: 'page-prev' }, '\u2190 Previous');
  const nextBtn = el('button', { type: 'button', testid: 'page-next' }, 'Next \u2192');
  const pageLabel = el('span', { testid: 'page-label' });
  const pager = el('div', { class: 'pager' }, prevBtn, pageLabel, nextBtn);
  const error = el('p', { class: 'error', testid: 'list-error' });

  put(clear(root), el('h1', {}, 'Orchestration instances'), form, counts, toolbar, summary, error, table, pager);

  refreshSel.addEventListener('change', () => { refreshSec = Number(refreshSel.value); save(LS_REFRESH, refreshSec); schedule(); });
  pauseBtn.addEventListener('click', () => {
    paused = !paused;
    pauseBtn.textContent = paused ? 'Resume refresh' : 'Pause';
    pauseBtn.classList.toggle('on', paused);
    schedule();
  });
  refreshBtn.addEventListener('click', () => reload());
  prevBtn.addEventListener('click', () => { if (page > 0) { page--; reload(); } });
  nextBtn.addEventListener('click', () => { if (pages[page + 1]) { page++; reload(); } });

  function schedule() {
    clearTimeout(timer);
    timer = null;
    if (!stopped && !paused && refreshSec > 0) timer = setTimeout(() => reload(true), refreshSec * 1000);
  }

  async function loadCounts() {
    const r = await call('GET', '/admin/durable/counts');
    clear(counts);
    if (r.status !== 200 || !r.body || !r.body.counts) return;
    put(counts, el('span', { class: 'total', testid: 'count-total' }, `${r.body.total} instances`));
    for (const s of STATUSES) {
      const n = r.body.counts[s] ?? 0;
      put(counts, el('a', {
        class: 'count s-' + s.toLowerCase(), testid: `count-${s}`,
        href: filterHash({ ...f, status: [s], sort: f.sort }),
      }, `${s} ${n}`));
    }
  }

  // Fills one dashboard page from pages[page]'s token. The host sorts and
  // filters; a page it ends short (it examines a bounded number of rows
  // per call, so a sparse filter comes in pieces) is topped up from the
  // next token, a bounded number of times.
  async function collect(state) {
    let rows = [];
    let token = state.token;
    let done = false;
    let calls = 0;
    while (rows.length < f.size && !done && calls < MAX_CALLS) {
      const r = await listPage(f, f.size - rows.length, token, sort.key ? { key: SORT_KEYS[sort.key], desc: sort.desc } : null);
      calls++;
      if (r.error) return { error: r.error };
      rows = rows.concat(r.items);
      token = r.next;
      done = !r.next;
    }
    return { rows, next: { token }, more: !done, calls, partial: rows.length < f.size && !done };
  }

  async function reload(fromTimer) {
    if (stopped) return;
    clearTimeout(timer);
    document.body.dataset.ready = '0';
    const [res] = await Promise.all([collect(pages[page]), loadCounts()]);
    if (stopped) return;
    if (res.error) {
      error.textContent = res.error;
    } else {
      error.textContent = '';
      shown = res.rows;
      pages.length = page + 1;
      if (res.more) pages.push(res.next);
      note.textContent = res.partial
        ? `${res.calls} calls did not fill the page; Next reads on`
        : fromTimer ? `refreshed ${new Date().toISOString().slice(11, 19)} UTC` : '';
      render();
    }
    document.body.dataset.ready = '1';
    schedule();
  }

  function render() {
    const cols = COLUMNS.filter((c) => columns.includes(c.key));
    const all = el('input', {
      type: 'checkbox', testid: 'select-page', title: 'select this page',
      checked: shown.length > 0 && shown.every((it) => selected.has(it.instanceId)),
      onchange: (e) => { for (const it of shown) e.target.checked ? selected.add(it.instanceId) : selected.delete(it.instanceId); render(); },
    });
    // A click sorts every instance the filter selects, on the host: asc,
    // desc, then the listing's own order (by id); paging starts over.
    const head = el('tr', {}, el('th', {}, all), ...cols.map((c) => {
      if (!SORT_KEYS[c.key]) return el('th', { testid: `sort-${c.key}` }, c.label);
      const mark = sort.key === c.key ? (sort.desc ? ' \u25bc' : ' \u25b2') : '';
      return el('th', {
        class: 'sortable', testid: `sort-${c.key}`, title: 'sort all instances by this column',
        onclick: () => {
          const ns = sort.key === c.key ? (sort.desc ? { key: null, desc: false } : { key: c.key, desc: true }) : { key: c.key, desc: false };
          save(LS_SORT, ns);
          location.hash = filterHash({ ...f, sort: ns });
        },
      }, c.label + mark);
    }));
    const body = el('tbody');
    for (const it of shown) {
      put(body, el('tr', { testid: 'instance-row', 'data-id': it.instanceId },
        el('td', {}, el('input', {
          type: 'checkbox', testid: 'select-row', checked: selected.has(it.instanceId),
          onchange: (e) => { e.target.checked ? selected.add(it.instanceId) : selected.delete(it.instanceId); },
        })),
        ...cols.map((c) => el('td', { class: 'c-' + c.key }, cell(c.key, it)))));
    }
    if (!shown.length) put(body, el('tr', {}, el('td', { colspan: cols.length + 1, class: 'empty', testid: 'no-instances' }, 'No instances match.')));
    put(clear(table), el('thead', {}, head), body);
    prevBtn.disabled = page === 0;
    nextBtn.disabled = !pages[page + 1];
    pageLabel.textContent = `page ${page + 1}`;
  }

  // Every id the filter selects (all pages), for the bulk actions.
  async function allMatching() {
    const items = [];
    let token = null;
    for (;;) {
      const r = await listPage(f, BULK_TOP, token, null);
      if (r.error) return { error: r.error };
      items.push(...r.items);
      if (!r.next) return { items };
      token = r.next;
    }
  }

  // fn(id) for every id, BULK_PARALLEL at a time; progress(n done so far).
  async function runAll(ids, fn, progress) {
    let okN = 0, i = 0;
    const failed = [];
    async function worker() {
      while (i < ids.length) {
        const id = ids[i++];
        const r = await fn(id);
        if (r.ok) okN++; else failed.push({ id, reason: errorText(r) });
        progress(okN + failed.length);
      }
    }
    await Promise.all(Array.from({ length: BULK_PARALLEL }, worker));
    return { okN, failed };
  }

  // "n done, m refused", then each reason the API gave with its count and an id.
  function report(kind, res) {
    const reasons = new Map();
    for (const x of res.failed) {
      const r = reasons.get(x.reason) || { n: 0, id: x.id };
      r.n++;
      reasons.set(x.reason, r);
    }
    put(clear(summary), el('div', { testid: 'bulk-done' },
      `${kind}: ${res.okN} done, ${res.failed.length} refused${res.how ? ` (${res.how})` : ''}`),
    ...[...reasons].map(([why, r]) => el('div', { class: 'error', testid: 'bulk-refused' }, `${r.n} \u00d7 ${why} (e.g. ${r.id})`)));
  }

  // Terminate or purge what the ticked rows or, with none ticked, the filter
  // select: counted first, confirmed, then done through the management API.
  // A purge of a filter it can express is one purge-by-filter call; the
  // rest goes instance by instance, BULK_PARALLEL at a time, with progress.
  async function bulk(kind) {
    const useSel = selected.size > 0;
    const countedAt = new Date().toISOString();
    let items;
    clear(summary);
    if (useSel) {
      items = [...selected].map((id) => ({ instanceId: id }));
    } else {
      note.textContent = 'counting the instances the filter selects\u2026';
      const r = await allMatching();
      note.textContent = '';
      if (r.error) { error.textContent = r.error; return; }
      items = r.items;
    }
    const wanted = kind === 'terminate' ? (it) => ACTIVE.has(it.runtimeStatus) : (it) => TERMINAL.includes(it.runtimeStatus);
    const targets = useSel ? items : items.filter(wanted);
    const byFilter = kind === 'purge' && !useSel ? purgeQuery(f, countedAt) : null;
    const what = useSel ? `the ${items.length} selected instance(s)` : `${items.length} instance(s) match the filter`;
    const reason = el('input', { type: 'text', placeholder: 'reason (optional)', testid: 'bulk-reason' });
    const body = el('div', {},
      el('p', { testid: 'bulk-count' }, kind === 'terminate'
        ? `${what}; ${targets.length} will be terminated${useSel ? ' (finished ones are refused with 410)' : ' (the ones not yet finished)'}.`
        : `${what}; ${targets.length} will be purged${useSel ? '' : ' (the finished ones)'}: their status and history are deleted for good.`),
      el('p', { class: 'note', testid: 'bulk-how' }, byFilter
        ? 'In one call: the management API\u2019s purge by filter.'
        : `One call per instance, ${BULK_PARALLEL} at a time.`),
      kind === 'terminate' ? reason : null);
    const progress = el('p', { testid: 'bulk-progress' });
    put(body, progress);
    let result = null;
    const confirmed = await modal(kind === 'terminate' ? 'Terminate instances' : 'Purge instances', body,
      kind === 'terminate' ? `Terminate ${targets.length}` : `Purge ${targets.length}`, async () => {
        if (byFilter) {
          progress.textContent = 'purging\u2026';
          const r = await call('DELETE', `${MGMT}/instances?${byFilter}`);
          // 404: nothing (left) to purge.
          if (!r.ok && r.status !== 404) return errorText(r);
          result = { okN: r.ok && r.body ? r.body.instancesDeleted : 0, failed: [], how: 'one purge-by-filter call' };
          return null;
        }
        const ids = targets.map((it) => it.instanceId);
        result = await runAll(ids, (id) => (kind === 'terminate'
          ? call('POST', `${MGMT}/instances/${enc(id)}/terminate?reason=${enc(reason.value)}`)
          : call('DELETE', `${MGMT}/instances/${enc(id)}`)),
        (n) => { progress.textContent = `${n} / ${ids.length}`; });
        return null;
      });
    if (!confirmed || !result) return;
    selected.clear();
    page = 0;
    pages.length = 1;
    await reload();
    report(kind === 'terminate' ? 'Terminate' : 'Purge', result);
  }

  async function startForm() {
    const r = await call('GET', '/admin/host/functions');
    const names = r.status === 200 && r.body ? r.body.functions.filter((fn) => fn.kind === 'orchestrationTrigger').map((fn) => fn.name) : [];
    const nameSel = el('select', { testid: 'start-name' }, ...names.map((n) => el('option', { value: n }, n)));
    const idIn = el('input', { type: 'text', placeholder: 'instance id (optional: generated)', testid: 'start-id' });
    const inputIn = el('textarea', { rows: '6', placeholder: 'input as JSON (optional), e.g. {"city": "Tokyo"}', testid: 'start-input' });
    const body = el('div', { class: 'form' },
      el('label', {}, 'Orchestrator', nameSel), el('label', {}, 'Instance ID', idIn), el('label', {}, 'Input', inputIn));
    let newId = null;
    const ok = await modal('Start a new orchestration', body, 'Start', async () => {
      const text = inputIn.value.trim();
      if (text) {
        try { JSON.parse(text); } catch (e) { return `The input is not JSON: ${e.message}`; }
      }
      if (!nameSel.value) return 'No orchestrator is registered.';
      const path = `${MGMT}/orchestrators/${enc(nameSel.value)}${idIn.value ? '/' + enc(idIn.value) : ''}`;
      const res = await call('POST', path, text ? { body: text } : {});
      if (res.status !== 202 && res.status !== 200) return errorText(res);
      newId = res.body && res.body.id;
      return null;
    });
    if (ok && newId) location.hash = instanceHref(newId);
  }

  reload();
  return () => { stopped = true; clearTimeout(timer); };
}

// functions.js - the registered functions and, with worker processes (the default),
// the worker processes (GET /admin/host/functions): per app its state
// (failed after a crash loop, with the reason) and its workers (pid, state,
// calls served, what runs now), then the recent crashes. The worker part
// refreshes every REFRESH_MS until paused; the functions do not change while
// the host runs. Names and ids come from apps and callers: text only.
import { call, errorText } from './api.js';
import { el, clear, put, fmtTime, fmtDuration, instanceHref } from './dom.js';

const REFRESH_MS = 2000;

function functionsTable(fns) {
  const rows = fns.map((fn) => el('tr', { testid: 'function-row', 'data-name': fn.name },
    el('td', {}, fn.name), el('td', {}, fn.kind), el('td', {}, fn.app),
    el('td', { class: 'mono' }, fn.url ?? fn.schedule ?? ''),
    el('td', {}, fn.methods ? fn.methods.join(', ') : fn.kind === 'httpTrigger' ? 'any' : ''),
    el('td', {}, fn.authLevel ?? ''), el('td', {}, fn.disabled ? 'disabled' : '')));
  return el('table', { class: 'grid', testid: 'functions' },
    el('thead', {}, el('tr', {}, ...['Name', 'Kind', 'App', 'Route / schedule', 'Methods', 'Auth level', ''].map((t) => el('th', {}, t)))),
    el('tbody', {}, rows));
}

function head(...titles) {
  return el('thead', {}, el('tr', {}, ...titles.map((t) => el('th', {}, t))));
}

// An instance id links to its detail; an HTTP invocation id is just text.
function callId(c) {
  if (c.instanceId) return el('a', { href: instanceHref(c.instanceId), class: 'mono', testid: 'call-instance' }, c.instanceId);
  return el('span', { class: 'mono' }, c.invocationId ?? '');
}

function runningNow(w, now) {
  const c = w.current;
  if (!c) return '';
  const since = c.since ? Date.parse(c.since) : NaN;
  return [el('span', { testid: 'worker-function' }, c.function), ` (${c.trigger}) `, callId(c),
    isFinite(since) ? el('span', { class: 'note' }, ` for ${fmtDuration(now - since)}`) : null];
}

function appSection(a, now) {
  const failed = a.state === 'failed';
  const rows = a.workers.map((w) => el('tr', { testid: 'worker-row', 'data-pid': String(w.pid), 'data-state': w.state },
    el('td', { class: 'mono' }, String(w.pid)),
    el('td', {}, w.episodes ? 'orchestrator episodes' : 'HTTP and activities'),
    el('td', {}, el('span', { class: `status w-${w.state}`, testid: 'worker-state' }, w.state)),
    el('td', {}, fmtTime(w.started)),
    el('td', { testid: 'worker-served' }, String(w.served)),
    el('td', {}, runningNow(w, now))));
  return el('section', { class: 'worker-app', testid: 'worker-app', 'data-app': a.app, 'data-state': a.state },
    el('h3', {}, a.app, ' ', el('span', { class: `status ${failed ? 's-failed' : 's-completed'}`, testid: 'app-state' }, failed ? 'failed' : 'ok')),
    failed ? el('p', { class: 'error failed-app', testid: 'app-failed-reason' },
      `This app is stopped: ${a.reason}. Its HTTP functions answer 503 and its durable work waits until it is deployed again or the host restarts.`) : null,
    rows.length ? el('table', { class: 'grid', testid: 'workers' },
      head('PID', 'Runs', 'State', 'Started (UTC)', 'Served', 'Running now'), el('tbody', {}, rows))
      : el('p', { class: 'note', testid: 'no-workers' }, 'No worker process runs for this app.'));
}

function crashesTable(crashes) {
  if (!crashes.length) return el('p', { class: 'note', testid: 'no-crashes' }, 'No worker has died since the host started.');
  const rows = crashes.map((c) => el('tr', { testid: 'crash-row', 'data-pid': String(c.pid) },
    el('td', {}, fmtTime(c.time)), el('td', {}, c.app), el('td', { class: 'mono' }, String(c.pid)),
    el('td', { testid: 'crash-function' }, c.function), el('td', {}, c.trigger),
    el('td', { testid: 'crash-id' }, callId(c)),
    el('td', { testid: 'crash-signal' }, c.signal, c.timedOut ? ' (timed out: past functionTimeout)' : ''),
    el('td', { class: 'mono' }, c.replacedBy ? String(c.replacedBy) : 'not replaced')));
  return el('table', { class: 'grid', testid: 'crashes' },
    head('Time (UTC)', 'App', 'PID', 'Function', 'Trigger', 'Instance / invocation', 'Signal or exit', 'Replaced by'),
    el('tbody', {}, rows));
}

function workersPart(workers) {
  if (workers === null) {
    return [el('p', { class: 'note', testid: 'workers-off' },
      'Apps run inside the host process (--in-process): start it without --in-process to run them in worker processes, shown here with their crashes.')];
  }
  const now = Date.now();
  return [...workers.apps.map((a) => appSection(a, now)),
    el('h2', {}, 'Recent crashes'), crashesTable(workers.recentCrashes)];
}

export function showFunctions(root) {
  let stopped = false, paused = false, timer = null, drawn = false;
  // A failed app is said above the (long) functions table too.
  const banner = el('div', { testid: 'failed-banner' });
  const fnBox = el('div');
  const workersBox = el('div', { testid: 'workers-box' });
  const note = el('span', { class: 'note', testid: 'workers-refreshed' });
  const pauseBtn = el('button', { type: 'button', testid: 'workers-pause' }, 'Pause refresh');
  pauseBtn.addEventListener('click', () => {
    paused = !paused;
    pauseBtn.textContent = paused ? 'Resume refresh' : 'Pause refresh';
    schedule();
  });
  put(clear(root), el('h1', {}, 'Functions'), banner, fnBox,
    el('h2', {}, 'Worker processes'), el('div', { class: 'toolbar' }, pauseBtn, note), workersBox);

  function schedule() {
    clearTimeout(timer);
    timer = null;
    if (!stopped && !paused) timer = setTimeout(reload, REFRESH_MS);
  }

  async function reload() {
    const r = await call('GET', '/admin/host/functions');
    if (stopped) return;
    if (r.status !== 200 || !r.body) {
      // Keep what was shown; say why it is not fresh.
      note.textContent = errorText(r);
      note.className = 'error';
    } else {
      if (!drawn) put(clear(fnBox), functionsTable(r.body.functions));
      put(clear(workersBox), workersPart(r.body.workers));
      const down = (r.body.workers?.apps ?? []).filter((a) => a.state === 'failed').map((a) => a.app);
      put(clear(banner), down.length ? el('p', { class: 'error failed-app' },
        `Stopped after a crash loop: ${down.join(', ')}. See Worker processes below.`) : null);
      note.className = 'note';
      note.textContent = `refreshed ${new Date().toISOString().slice(11, 19)} UTC`;
      drawn = true;
    }
    document.body.dataset.ready = '1';
    // Without worker processes there is nothing that changes to refresh.
    if (r.status !== 200 || r.body?.workers !== null) schedule();
    else pauseBtn.hidden = note.hidden = true;
  }

  reload();
  return () => { stopped = true; clearTimeout(timer); };
}

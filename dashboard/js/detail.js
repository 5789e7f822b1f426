// detail.js - one instance: status, payloads as formatted JSON text, the
// actions of the management API, the timeline, pending timers, children and
// the history table (paged and filtered in the page: the whole execution is
// read once per refresh, so 10,000 events cost one request).
import { call, errorText, MGMT, enc } from './api.js';
import { el, clear, put, jsonText, excerpt, fmtTime, instanceHref, statusBadge } from './dom.js';
import { modal } from './modal.js';
import { buildItems, drawTimeline, legend } from './timeline.js';

const TERMINAL = new Set(['Completed', 'Failed', 'Terminated', 'Canceled']);
const ACTIVE = new Set(['Pending', 'Running', 'Suspended', 'ContinuedAsNew']);
const HIST_PAGE = 100;
const TIMELINE_PAGE = 300;
const REPLAY_MARKERS = new Set(['OrchestratorStarted', 'OrchestratorCompleted']);

// Which actions the status allows (durable-http-api §6); restart with a new
// id is always possible.
function allowed(action, st) {
  switch (action) {
    case 'raise': case 'terminate': return ACTIVE.has(st);
    case 'suspend': return ACTIVE.has(st) && st !== 'Suspended';
    case 'resume': return st === 'Suspended';
    case 'rewind': return st === 'Failed';
    default: return true;
  }
}

function eventDetail(ev) {
  const bits = [];
  if (ev.TaskScheduledId !== undefined) bits.push(`task #${ev.TaskScheduledId}`);
  if (ev.TimerId !== undefined) bits.push(`timer #${ev.TimerId}`);
  if (ev.FireAt) bits.push(`fires ${fmtTime(ev.FireAt)}`);
  if (ev.StartedTime) bits.push(`started ${fmtTime(ev.StartedTime)}`);
  if (ev.EventType === 'SubOrchestrationInstanceCreated' || ev.EventType === 'EventSent') bits.push(`to ${ev.InstanceId}`);
  if (ev.OrchestrationStatus) bits.push(ev.OrchestrationStatus);
  if (ev.Reason) bits.push(ev.Reason);
  if (ev.Input !== undefined) bits.push(`input ${excerpt(ev.Input, 60)}`);
  if (ev.Result !== undefined) bits.push(`result ${excerpt(ev.Result, 60)}`);
  return bits.join(' \u00b7 ');
}

function payload(title, value, testid) {
  return el('section', { class: 'payload' }, el('h3', {}, title),
    el('pre', { class: 'json', testid }, value === undefined ? '(not shown)' : jsonText(value)));
}

export function showInstance(root, id) {
  let stopped = false;
  let timer = null;
  let paused = false;
  let status = null;
  let hist = null;
  let histPage = 0, tlPage = 0;
  let histType = '', histText = '', showMarkers = false;
  let selectedSeq = null;

  const head = el('div', { class: 'head' });
  const actions = el('div', { class: 'actions', testid: 'actions' });
  const message = el('p', { class: 'note', testid: 'action-result' });
  const error = el('p', { class: 'error', testid: 'detail-error' });
  const payloads = el('div', { class: 'payloads' });
  const timelineBox = el('section', { class: 'timeline-box' });
  const timersBox = el('section', {});
  const childrenBox = el('section', {});
  const histBox = el('section', {});
  const pauseBtn = el('button', { type: 'button', testid: 'detail-pause' }, 'Pause refresh');
  pauseBtn.addEventListener('click', () => {
    paused = !paused;
    pauseBtn.textContent = paused ? 'Resume refresh' : 'Pause refresh';
    schedule();
  });
  put(clear(root), 
    el('p', {}, el('a', { href: '#/instances', testid: 'back' }, '\u2190 all instances')),
    head, actions, message, error, payloads, timelineBox, timersBox, childrenBox, histBox);

  function schedule() {
    clearTimeout(timer);
    timer = null;
    if (!stopped && !paused && status && !TERMINAL.has(status.runtimeStatus)) timer = setTimeout(reload, 2000);
  }

  async function reload() {
    if (stopped) return;
    document.body.dataset.ready = '0';
    const [s, h] = await Promise.all([
      call('GET', `${MGMT}/instances/${enc(id)}`),
      call('GET', `/admin/durable/history?instanceId=${enc(id)}`),
    ]);
    if (stopped) return;
    if (s.status === 404) {
      put(clear(head), el('h1', {}, 'Instance ', el('span', { class: 'mono' }, id)),
        el('p', { class: 'error', testid: 'not-found' }, 'No such instance (never started, or purged).'));
      for (const b of [actions, payloads, timelineBox, timersBox, childrenBox, histBox]) clear(b);
      status = null;
      document.body.dataset.ready = '1';
      return;
    }
    if (s.status !== 200 && s.status !== 202) {
      error.textContent = errorText(s);
    } else {
      error.textContent = h.status === 200 ? '' : errorText(h);
      status = s.body;
      hist = h.status === 200 ? h.body : null;
      render();
    }
    document.body.dataset.ready = '1';
    schedule();
  }

  function render() {
    const st = status.runtimeStatus;
    put(clear(head), 
      el('h1', {}, el('span', { class: 'mono', testid: 'detail-id' }, status.instanceId), ' ', statusBadge(st)),
      el('dl', { class: 'facts' },
        el('dt', {}, 'Name'), el('dd', { testid: 'detail-name' }, status.name),
        el('dt', {}, 'Created (UTC)'), el('dd', {}, fmtTime(status.createdTime)),
        el('dt', {}, 'Last updated (UTC)'), el('dd', {}, fmtTime(status.lastUpdatedTime)),
        hist ? [el('dt', {}, 'Execution'), el('dd', { class: 'mono' }, hist.executionId ?? '')] : null,
        hist ? [el('dt', { title: 'executions of this id before the current one: continue-as-new, or a start over a finished instance' }, 'Generation'),
          el('dd', { testid: 'detail-generation' }, String(hist.generation))] : null,
        hist && hist.parentInstanceId ? [el('dt', {}, 'Parent'),
          el('dd', {}, el('a', { href: instanceHref(hist.parentInstanceId), class: 'mono', testid: 'parent-link' }, hist.parentInstanceId))] : null),
      ACTIVE.has(st) ? pauseBtn : null);
    renderActions(st);
    const started = hist ? hist.events.find((e) => e.EventType === 'ExecutionStarted') : null;
    const failure = st === 'Failed' && hist
      ? hist.events.filter((e) => e.EventType === 'TaskFailed' || e.EventType === 'SubOrchestrationInstanceFailed').map((e) => ({ reason: e.Reason, details: e.Details }))
      : null;
    put(clear(payloads), 
      payload('Input', status.input, 'detail-input'),
      payload(st === 'Failed' ? 'Output (failure message)' : 'Output', status.output, 'detail-output'),
      payload('Custom status', status.customStatus, 'detail-custom-status'),
      failure && failure.length ? payload('Failure details', failure, 'detail-failure') : null,
      started && started.PreviousInput !== undefined
        ? payload(`Previous input (before continue-as-new)`, started.PreviousInput, 'detail-previous-input') : null);
    renderTimeline(st);
    renderHistory();
  }

  function renderActions(st) {
    const mk = (key, label, fn) => el('button', {
      type: 'button', testid: `action-${key}`, disabled: !allowed(key, st),
      title: allowed(key, st) ? '' : `not possible while ${st}`, onclick: fn,
    }, label);
    const reasonDialog = (verb, key, path, extra) => async () => {
      const reason = el('input', { type: 'text', placeholder: 'reason (optional)', testid: 'action-reason' });
      const body = el('div', { class: 'form' }, el('p', {}, `${verb} instance ${status.instanceId}?`), extra ? extra.node : null,
        key === 'purge' ? null : el('label', {}, 'Reason', reason));
      await act(`${verb} instance`, body, verb, async () => {
        const q = key === 'purge' ? '' : `?reason=${enc(reason.value)}`;
        return extra && extra.run ? extra.run() : call(key === 'purge' ? 'DELETE' : 'POST', path + q);
      });
    };
    const base = `${MGMT}/instances/${enc(id)}`;
    const newId = el('input', { type: 'checkbox', checked: true, testid: 'restart-new-id' });
    put(clear(actions), 
      mk('raise', 'Raise event\u2026', raiseDialog),
      mk('terminate', 'Terminate\u2026', reasonDialog('Terminate', 'terminate', `${base}/terminate`)),
      mk('suspend', 'Suspend\u2026', reasonDialog('Suspend', 'suspend', `${base}/suspend`)),
      mk('resume', 'Resume\u2026', reasonDialog('Resume', 'resume', `${base}/resume`)),
      mk('rewind', 'Rewind\u2026', reasonDialog('Rewind', 'rewind', `${base}/rewind`)),
      mk('restart', 'Restart\u2026', async () => {
        const body = el('div', { class: 'form' }, el('p', {}, `Restart ${status.name} with the same input?`),
          el('label', { class: 'chk' }, newId, 'with a new instance id (otherwise the same id; refused while it runs)'));
        let started = null;
        await act('Restart instance', body, 'Restart', async () => {
          const r = await call('POST', `${base}/restart?restartWithNewInstanceId=${newId.checked}`);
          if (r.ok && r.body && r.body.id) started = r.body.id;
          return r;
        });
        if (started && started !== id) location.hash = instanceHref(started);
      }),
      mk('purge', 'Purge\u2026', async () => {
        const body = el('p', {}, `Purge instance ${status.instanceId}? Its status and history are deleted for good.`);
        const ok = await act('Purge instance', body, 'Purge', () => call('DELETE', base));
        if (ok) location.hash = '#/instances';
      }));
  }

  async function act(title, body, verb, run) {
    let done = false;
    const ok = await modal(title, body, verb, async () => {
      const r = await run();
      if (!r.ok) return errorText(r);
      done = true;
      return null;
    });
    if (ok && done) {
      message.textContent = `${verb}: accepted by the host.`;
      reload();
    }
    return ok && done;
  }

  async function raiseDialog() {
    const name = el('input', { type: 'text', placeholder: 'event name', required: true, testid: 'raise-name' });
    const data = el('textarea', { rows: '4', placeholder: 'event data as JSON, e.g. true', testid: 'raise-data' });
    const body = el('div', { class: 'form' }, el('label', {}, 'Event name', name), el('label', {}, 'Data (JSON)', data));
    await act('Raise an event', body, 'Raise', async () => {
      const text = data.value.trim() || 'null';
      try { JSON.parse(text); } catch (e) { return { ok: false, status: 400, body: { Message: `The data is not JSON: ${e.message}` } }; }
      if (!name.value) return { ok: false, status: 400, body: { Message: 'An event name is needed.' } };
      return call('POST', `${MGMT}/instances/${enc(id)}/raiseEvent/${enc(name.value)}`, { body: text });
    });
  }

  function renderTimeline(st) {
    clear(timelineBox);
    clear(timersBox);
    clear(childrenBox);
    if (!hist) return;
    const model = buildItems(hist.events, TERMINAL.has(st), Date.now());
    const tasks = model.items;
    put(timelineBox, el('h2', {}, `Timeline (${tasks.length} task${tasks.length === 1 ? '' : 's'})`));
    if (!tasks.length) {
      put(timelineBox, el('p', { class: 'note' }, 'No activities, timers, sub-orchestrations or events yet.'));
    } else {
      if (tlPage * TIMELINE_PAGE >= tasks.length) tlPage = 0;
      put(timelineBox, legend(), drawTimeline(model, tlPage * TIMELINE_PAGE, TIMELINE_PAGE));
      if (tasks.length > TIMELINE_PAGE) {
        const pages = Math.ceil(tasks.length / TIMELINE_PAGE);
        put(timelineBox, el('div', { class: 'pager' },
          el('button', { type: 'button', disabled: tlPage === 0, onclick: () => { tlPage--; renderTimeline(st); } }, '\u2190'),
          `rows ${tlPage * TIMELINE_PAGE + 1}\u2013${Math.min(tasks.length, (tlPage + 1) * TIMELINE_PAGE)} of ${tasks.length} (page ${tlPage + 1}/${pages})`,
          el('button', { type: 'button', disabled: tlPage + 1 >= pages, onclick: () => { tlPage++; renderTimeline(st); } }, '\u2192')));
      }
    }
    const pending = tasks.filter((t) => t.kind === 'timer' && t.status === 'pending');
    put(timersBox, el('h2', {}, 'Pending timers'));
    put(timersBox, pending.length
      ? el('ul', { testid: 'pending-timers' }, ...pending.map((t) => el('li', { testid: 'pending-timer' },
        `timer #${t.id} fires at ${fmtTime(new Date(t.fireAt).toISOString())} UTC`)))
      : el('p', { class: 'note', testid: 'no-pending-timers' }, 'None.'));
    const children = tasks.filter((t) => t.kind === 'suborch');
    if (children.length) {
      put(childrenBox, el('h2', {}, 'Sub-orchestrations'), el('ul', { testid: 'children' },
        ...children.map((c) => el('li', {}, el('a', { href: instanceHref(c.child), class: 'mono', testid: 'child-link' }, c.child),
          ` ${c.name} (${c.status})`))));
    }
  }

  function renderHistory() {
    clear(histBox);
    if (!hist) return;
    const types = [...new Set(hist.events.map((e) => e.EventType))].sort();
    const typeSel = el('select', { testid: 'history-type' }, el('option', { value: '' }, 'every type'),
      ...types.map((t) => el('option', { value: t, selected: t === histType }, t)));
    const textIn = el('input', { type: 'search', value: histText, placeholder: 'name or detail contains', testid: 'history-filter' });
    const markers = el('input', { type: 'checkbox', checked: showMarkers, testid: 'history-markers' });
    const needle = histText.toLowerCase();
    const rows = hist.events.filter((e) => (showMarkers || histType === e.EventType || !REPLAY_MARKERS.has(e.EventType)) &&
      (!histType || e.EventType === histType) &&
      (!needle || `${e.Name ?? ''} ${eventDetail(e)}`.toLowerCase().includes(needle)));
    const pages = Math.max(1, Math.ceil(rows.length / HIST_PAGE));
    if (histPage >= pages) histPage = pages - 1;
    const slice = rows.slice(histPage * HIST_PAGE, (histPage + 1) * HIST_PAGE);
    const tbody = el('tbody');
    for (const e of slice) {
      put(tbody, el('tr', {
        testid: 'history-row', class: e.Seq === selectedSeq ? 'selected' : '',
        onclick: () => { selectedSeq = e.Seq; renderHistory(); },
      }, el('td', {}, String(e.Seq)), el('td', {}, fmtTime(e.Timestamp)), el('td', {}, e.EventType),
      el('td', {}, e.EventId >= 0 ? String(e.EventId) : ''), el('td', {}, e.Name ?? ''),
      el('td', {}, el('span', { class: 'mono excerpt' }, eventDetail(e)))));
    }
    const sel = selectedSeq !== null ? hist.events.find((e) => e.Seq === selectedSeq) : null;
    const apply = () => { histType = typeSel.value; histText = textIn.value; showMarkers = markers.checked; histPage = 0; renderHistory(); };
    typeSel.addEventListener('change', apply);
    markers.addEventListener('change', apply);
    textIn.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') apply(); });
    textIn.addEventListener('search', apply);
    put(histBox, 
      el('h2', {}, `History (${hist.totalEvents} events)`),
      el('div', { class: 'row' }, typeSel, textIn, el('label', { class: 'chk' }, markers, 'show OrchestratorStarted/Completed'),
        el('span', { class: 'note', testid: 'history-count' }, `${rows.length} shown`)),
      el('table', { class: 'grid history', testid: 'history' },
        el('thead', {}, el('tr', {}, ...['#', 'Timestamp (UTC)', 'Event', 'EventId', 'Name', 'Detail'].map((t) => el('th', {}, t)))),
        tbody),
      el('div', { class: 'pager' },
        el('button', { type: 'button', testid: 'history-prev', disabled: histPage === 0, onclick: () => { histPage--; renderHistory(); } }, '\u2190 Previous'),
        el('span', { testid: 'history-page' }, `page ${histPage + 1} of ${pages}`),
        el('button', { type: 'button', testid: 'history-next', disabled: histPage + 1 >= pages, onclick: () => { histPage++; renderHistory(); } }, 'Next \u2192')),
      sel ? el('section', {}, el('h3', {}, `Event #${sel.Seq}`), el('pre', { class: 'json', testid: 'history-event' }, jsonText(sel))) : null);
  }

  reload();
  return () => { stopped = true; clearTimeout(timer); };
}

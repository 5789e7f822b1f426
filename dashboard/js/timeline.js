// timeline.js - the Gantt chart of one execution, drawn as SVG from the
// stored history (GET /admin/durable/history): one bar per activity attempt,
// timer and sub-orchestration, markers for events received and sent.
// An activity's bar is split at the time its attempt started (StartedTime):
// the light part is time in the queue, the solid part is the run.
import { svg, el, put, fmtTime, fmtDuration, instanceHref } from './dom.js';

const ROW = 20;
const LABEL_W = 240;
const WIDTH = 1100;

// events -> {items, start, end}. Items: {kind, name, id, start, started,
// end, status ('done'|'failed'|'pending'), fireAt, child}; times in ms.
export function buildItems(events, terminal, nowMs) {
  const byId = new Map();
  const items = [];
  let start = null, end = null;
  const t = (iso) => (iso ? Date.parse(iso) : null);
  for (const ev of events) {
    const ts = t(ev.Timestamp);
    if (start === null || ts < start) start = ts;
    if (end === null || ts > end) end = ts;
    switch (ev.EventType) {
      case 'TaskScheduled':
        byId.set(ev.EventId, items[items.push({ kind: 'activity', name: ev.Name, id: ev.EventId, start: ts, status: 'pending' }) - 1]);
        break;
      case 'TimerCreated':
        byId.set(ev.EventId, items[items.push({ kind: 'timer', name: 'timer', id: ev.EventId, start: ts, fireAt: t(ev.FireAt), status: 'pending' }) - 1]);
        break;
      case 'SubOrchestrationInstanceCreated':
        byId.set(ev.EventId, items[items.push({ kind: 'suborch', name: ev.Name, id: ev.EventId, start: ts, child: ev.InstanceId, status: 'pending' }) - 1]);
        break;
      case 'TaskCompleted': case 'TaskFailed':
      case 'SubOrchestrationInstanceCompleted': case 'SubOrchestrationInstanceFailed': {
        const it = byId.get(ev.TaskScheduledId);
        if (it) {
          it.end = ts;
          it.status = ev.EventType.endsWith('Failed') ? 'failed' : 'done';
          if (ev.StartedTime) it.started = t(ev.StartedTime);
          if (ev.Reason) it.reason = ev.Reason;
        }
        break;
      }
      case 'TimerFired': {
        const it = byId.get(ev.TimerId);
        if (it) { it.end = ts; it.status = 'done'; }
        break;
      }
      case 'EventRaised':
        items.push({ kind: 'event', name: `event ${ev.Name} received`, start: ts, end: ts, status: 'done' });
        break;
      case 'EventSent':
        items.push({ kind: 'event', name: `event ${ev.Name} sent to ${ev.InstanceId}`, start: ts, end: ts, status: 'done' });
        break;
      default:
        break;
    }
  }
  for (const it of items) {
    if (it.status !== 'pending') continue;
    if (terminal) { it.status = 'cancelled'; it.end = end; continue; }
    it.end = it.kind === 'timer' && it.fireAt ? Math.max(it.fireAt, nowMs) : nowMs;
  }
  if (!terminal) end = Math.max(end ?? nowMs, nowMs);
  for (const it of items) if (it.fireAt && it.status === 'pending') end = Math.max(end, it.fireAt);
  return { items, start: start ?? nowMs, end: end ?? nowMs };
}

function describe(it) {
  const parts = [`${it.kind} ${it.name}`];
  parts.push(`scheduled ${fmtTime(new Date(it.start).toISOString())}`);
  if (it.started) parts.push(`queued ${fmtDuration(it.started - it.start)}, ran ${fmtDuration(it.end - it.started)}`);
  else if (it.status !== 'pending') parts.push(`took ${fmtDuration(it.end - it.start)}`);
  if (it.fireAt) parts.push(`fires at ${fmtTime(new Date(it.fireAt).toISOString())}`);
  parts.push(it.status);
  if (it.reason) parts.push(it.reason);
  return parts.join(' \u00b7 ');
}

// Draws rows [from, from + count) of the items into an <svg>.
export function drawTimeline(model, from, count) {
  const { items, start, end } = model;
  const rows = items.slice(from, from + count);
  const span = Math.max(end - start, 1);
  const plotW = WIDTH - LABEL_W - 10;
  const x = (ms) => LABEL_W + ((ms - start) / span) * plotW;
  const height = ROW * (rows.length + 1) + 10;
  const root = svg('svg', { viewBox: `0 0 ${WIDTH} ${height}`, width: '100%', class: 'timeline', testid: 'timeline', role: 'img' });
  put(root, svg('text', { x: LABEL_W, y: 12, class: 'axis' }, fmtTime(new Date(start).toISOString())));
  put(root, svg('text', { x: WIDTH - 10, y: 12, class: 'axis', 'text-anchor': 'end' },
    `${fmtTime(new Date(end).toISOString())} (${fmtDuration(end - start)})`));
  rows.forEach((it, i) => {
    const y = ROW * (i + 1) + 4;
    const g = svg('g', { class: `bar k-${it.kind} b-${it.status}`, testid: `bar-${it.kind}` });
    put(g, svg('title', {}, describe(it)));
    let label = it.name;
    if (label.length > 34) label = label.slice(0, 33) + '\u2026';
    const labelNode = svg('text', { x: 4, y: y + 13, class: 'label' }, label);
    if (it.kind === 'suborch' && it.child) {
      const a = svg('a', { href: instanceHref(it.child) });
      put(a, labelNode);
      put(g, a);
    } else {
      put(g, labelNode);
    }
    const x0 = x(it.start), x1 = Math.max(x(it.end), x0 + 2);
    if (it.kind === 'event') {
      put(g, svg('circle', { cx: x0, cy: y + 9, r: 5, class: 'marker' }));
    } else if (it.started && it.started >= it.start) {
      const xs = Math.min(Math.max(x(it.started), x0), x1);
      put(g, svg('rect', { x: x0, y: y + 3, width: Math.max(xs - x0, 0.5), height: 12, class: 'queue', testid: 'bar-queue' }));
      put(g, svg('rect', { x: xs, y: y + 3, width: Math.max(x1 - xs, 2), height: 12, class: 'run', testid: 'bar-run' }));
    } else {
      put(g, svg('rect', { x: x0, y: y + 3, width: x1 - x0, height: 12, class: 'run' }));
    }
    put(root, g);
  });
  return root;
}

export function legend() {
  return el('p', { class: 'legend' },
    el('span', { class: 'key queue' }), ' time in the queue ',
    el('span', { class: 'key run' }), ' running or waiting ',
    el('span', { class: 'key failed' }), ' failed ',
    el('span', { class: 'key pending' }), ' not finished ',
    el('span', { class: 'key marker' }), ' event');
}

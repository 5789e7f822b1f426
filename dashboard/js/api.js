// api.js - every call the dashboard makes, to this origin only.
//
// The key lives in this module's memory and nowhere else: not in the URL,
// not in localStorage or sessionStorage, not in a cookie. A reload asks for
// it again. It goes out as the x-functions-key header, never as ?code=.

let key = null;
const listeners = [];

export function setKey(k) { key = k || null; }
export function hasKey() { return key !== null; }
export function onUnauthorized(fn) { listeners.push(fn); }

export const MGMT = '/runtime/webhooks/durabletask';

// Answers {status, ok, headers, body (parsed JSON or text or null), text}.
// Network failures answer status 0 with the error's message as text.
export async function call(method, path, { body, headers = {}, quiet401 = false } = {}) {
  const h = { ...headers };
  if (key) h['x-functions-key'] = key;
  let init = { method, headers: h, credentials: 'omit', cache: 'no-store' };
  if (body !== undefined) {
    init.body = body;
    if (!h['Content-Type']) h['Content-Type'] = 'application/json';
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    return { status: 0, ok: false, headers: new Headers(), body: null, text: String(e.message || e) };
  }
  const text = await res.text();
  let parsed = null;
  if (text) {
    try { parsed = JSON.parse(text); } catch { parsed = text; }
  }
  if (res.status === 401 && !quiet401) listeners.forEach((fn) => fn());
  return { status: res.status, ok: res.ok, headers: res.headers, body: parsed, text };
}

// What a refused call said, for the user: the API's Message and
// ExceptionMessage when it sent them, else the status line.
export function errorText(r) {
  if (r.status === 0) return `The host did not answer: ${r.text}`;
  const b = r.body;
  let msg = '';
  if (b && typeof b === 'object') {
    msg = [b.Message, b.ExceptionMessage].filter(Boolean).join(' ');
  } else if (typeof b === 'string') {
    msg = b;
  }
  const what = {
    400: 'Bad request', 401: 'Unauthorized (the key was refused)', 404: 'Not found',
    410: 'Gone: the instance has already finished', 500: 'Refused by the host',
  }[r.status] || 'HTTP error';
  return `${r.status} ${what}${msg ? ': ' + msg : ''}`;
}

export function enc(s) { return encodeURIComponent(s); }

// One page of GET /admin/durable/instances, the listing sorted on the host
// (sort: {key: id|created|updated|name|status, desc}; null: by id) with
// the name filter: {items, next} (next: token or null). Its entries are
// those of the management API's GET instances.
export async function listPage(filter, top, token, sort) {
  const q = new URLSearchParams();
  if (sort && sort.key) {
    q.set('sort', sort.key);
    if (sort.desc) q.set('order', 'desc');
  }
  if (filter.status && filter.status.length) q.set('runtimeStatus', filter.status.join(','));
  if (filter.name) q.set('name', filter.name);
  if (filter.prefix) q.set('instanceIdPrefix', filter.prefix);
  if (filter.from) q.set('createdTimeFrom', filter.from);
  if (filter.to) q.set('createdTimeTo', filter.to);
  q.set('top', String(top));
  const headers = token ? { 'x-ms-continuation-token': token } : {};
  const r = await call('GET', `/admin/durable/instances?${q}`, { headers });
  if (r.status !== 200) return { error: errorText(r) };
  const next = r.headers.get('x-ms-continuation-token');
  return { items: Array.isArray(r.body) ? r.body : [], next: next && next !== 'null' ? next : null };
}

// functions.js - the registered functions (GET /admin/host/functions) and
// the worker processes' section, which stays empty until the host runs
// apps in worker processes (the endpoint answers "workers": null).
import { call, errorText } from './api.js';
import { el, clear, put } from './dom.js';

export function showFunctions(root) {
  let stopped = false;
  const box = el('div');
  put(clear(root), el('h1', {}, 'Functions'), box);
  (async () => {
    const r = await call('GET', '/admin/host/functions');
    if (stopped) return;
    if (r.status !== 200 || !r.body) {
      put(box, el('p', { class: 'error' }, errorText(r)));
      document.body.dataset.ready = '1';
      return;
    }
    const rows = r.body.functions.map((fn) => el('tr', { testid: 'function-row', 'data-name': fn.name },
      el('td', {}, fn.name), el('td', {}, fn.kind), el('td', {}, fn.app),
      el('td', { class: 'mono' }, fn.url ?? fn.schedule ?? ''),
      el('td', {}, fn.methods ? fn.methods.join(', ') : fn.kind === 'httpTrigger' ? 'any' : ''),
      el('td', {}, fn.authLevel ?? ''), el('td', {}, fn.disabled ? 'disabled' : '')));
    put(box, 
      el('table', { class: 'grid', testid: 'functions' },
        el('thead', {}, el('tr', {}, ...['Name', 'Kind', 'App', 'Route / schedule', 'Methods', 'Auth level', ''].map((t) => el('th', {}, t)))),
        el('tbody', {}, rows)),
      el('h2', {}, 'Worker processes'),
      el('p', { class: 'note', testid: 'workers' }, r.body.workers === null
        ? 'Not available: apps run inside the host process in this version, so there are no worker processes to show.'
        : `${r.body.workers.length} worker(s)`));
    document.body.dataset.ready = '1';
  })();
  return () => { stopped = true; };
}

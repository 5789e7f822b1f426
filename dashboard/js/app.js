// app.js - start-up, the key prompt and the router (#/instances?...,
// #/instance/<id>, #/functions). Views get the <main> element and return a
// function that stops their timers when the route changes.
import { call, setKey, hasKey, onUnauthorized } from './api.js';
import { clear } from './dom.js';
import { showInstances } from './list.js';
import { showInstance } from './detail.js';
import { showFunctions } from './functions.js';

const view = document.getElementById('view');
const login = document.getElementById('login');
let stopView = null;
let hub = '';

function showLogin(message) {
  if (stopView) { stopView(); stopView = null; }
  clear(view);
  view.hidden = true;
  login.hidden = false;
  document.getElementById('logout').hidden = true;
  document.getElementById('login-error').textContent = message || '';
  document.getElementById('login-key').focus();
  document.body.dataset.ready = '1';
}

async function hostStatus() {
  return call('GET', '/admin/host/status', { quiet401: true });
}

function route() {
  if (stopView) { stopView(); stopView = null; }
  document.body.dataset.ready = '0';
  clear(view);
  const hash = location.hash || '#/instances';
  const [path, query] = hash.slice(1).split('?');
  const params = new URLSearchParams(query || '');
  for (const a of document.querySelectorAll('header nav a')) {
    a.classList.toggle('active', path.startsWith(a.getAttribute('href').slice(1)));
  }
  if (path.startsWith('/instance/')) {
    stopView = showInstance(view, decodeURIComponent(path.slice('/instance/'.length)));
  } else if (path === '/functions') {
    stopView = showFunctions(view);
  } else {
    stopView = showInstances(view, params);
  }
}

async function open() {
  login.hidden = true;
  view.hidden = false;
  document.getElementById('logout').hidden = !hasKey();
  route();
}

async function start() {
  const r = await hostStatus();
  if (r.status === 401) { showLogin(''); return; }
  if (r.status === 200 && r.body && r.body.taskHub) hub = r.body.taskHub.name || '';
  document.querySelector('[data-testid=hub]').textContent = hub ? `task hub ${hub}` : '';
  open();
}

document.getElementById('login-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const input = document.getElementById('login-key');
  setKey(input.value);
  const r = await hostStatus();
  if (r.status === 200) {
    input.value = '';
    if (r.body && r.body.taskHub) hub = r.body.taskHub.name || '';
    document.querySelector('[data-testid=hub]').textContent = hub ? `task hub ${hub}` : '';
    open();
  } else {
    setKey(null);
    showLogin(r.status === 401 ? 'That key was refused: the dashboard needs the master key.'
      : `The host answered ${r.status}.`);
  }
});

document.getElementById('logout').addEventListener('click', () => {
  setKey(null);
  showLogin('');
});

// A call refused later (the key was changed with `cfunc keys`): back to the form.
onUnauthorized(() => { setKey(null); showLogin('The key is no longer accepted.'); });

window.addEventListener('hashchange', () => { if (login.hidden) route(); });
start();

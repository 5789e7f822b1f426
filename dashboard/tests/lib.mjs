// lib.mjs - what the dashboard's browser tests share: launching Debian's
// chromium through playwright-core (installed by `make dashboard-test-deps`
// into build/dashboard-tests/node_modules, found through
// CFUNC_DASHBOARD_MODULES), blocking every origin but the host's, and the
// PASS/FAIL lines tests/50-e2e/dashboard*.sh turn into TAP.
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';

const modules = process.env.CFUNC_DASHBOARD_MODULES;
if (!modules) throw new Error('CFUNC_DASHBOARD_MODULES is not set (run through tests/50-e2e/dashboard*.sh)');
const require = createRequire(modules + '/index.js');
const { chromium } = require('playwright-core');

export const BASE = process.env.BASE;
export const MGMT = `${BASE}/runtime/webhooks/durabletask`;
export const SHOTS = process.env.SHOTS || '';
if (SHOTS) mkdirSync(SHOTS, { recursive: true });

let failures = 0;
export function ok(cond, desc, detail) {
  console.log(`${cond ? 'PASS' : 'FAIL'} ${desc}`);
  if (!cond) {
    failures++;
    if (detail !== undefined) console.log(`# ${String(detail).split('\n').join('\n# ')}`);
  }
  return cond;
}
export function is(got, want, desc) {
  return ok(got === want, desc, `got:  ${JSON.stringify(got)}\nwant: ${JSON.stringify(want)}`);
}
export function failed() { return failures; }

// Polls fn until it returns a truthy value or the deadline passes; returns
// the last value.
export async function until(fn, ms = 15000, step = 50) {
  const end = Date.now() + ms;
  let v;
  for (;;) {
    try { v = await fn(); } catch (e) { v = undefined; }
    if (v || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, step));
  }
}

// The management API from node (not through the page), to prepare and check.
export async function api(method, path, { body, key } = {}) {
  const headers = {};
  if (key) headers['x-functions-key'] = key;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(path.startsWith('http') ? path : BASE + path, { method, headers, body });
  const text = await r.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = text; }
  return { status: r.status, json, headers: r.headers };
}

export async function start(name, input, id, key) {
  const r = await api('POST', `/runtime/webhooks/durabletask/orchestrators/${encodeURIComponent(name)}${id ? '/' + encodeURIComponent(id) : ''}`,
    { body: input === undefined ? undefined : JSON.stringify(input), key });
  if (r.status !== 202) throw new Error(`start ${name}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json.id;
}

export async function status(id, key) {
  const r = await api('GET', `/runtime/webhooks/durabletask/instances/${encodeURIComponent(id)}`, { key });
  return r.status === 404 ? null : r.json;
}

export async function waitStatus(id, want, ms = 15000) {
  const s = await until(async () => { const st = await status(id); return st && want.includes(st.runtimeStatus) ? st : null; }, ms);
  return s ? s.runtimeStatus : (await status(id))?.runtimeStatus ?? 'gone';
}

// A browser whose every request to another origin is refused and counted.
export async function openBrowser() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const origin = new URL(BASE).origin;
  const foreign = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (new URL(url).origin !== origin) { foreign.push(url); return route.abort('blockedbyclient'); }
    return route.continue();
  });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  // A refused call (404, 410, 500) is logged by chromium as "Failed to load
  // resource"; the tests provoke those on purpose. Anything else is a bug.
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`);
  });
  const requests = [];
  page.on('request', (r) => requests.push({ url: r.url(), headers: r.headers() }));
  return { browser, context, page, foreign, problems, requests };
}

export async function ready(page) {
  await page.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 15000 });
}

export async function shot(page, name) {
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

// The checks every test ends with: nothing went to another origin, no
// script error or CSP violation on the page.
export function checkClean({ foreign, problems }) {
  is(foreign.length, 0, 'no request went to another origin');
  is(problems.join('\n'), '', 'no script error and no CSP violation');
}

// Runs a test's main(): exit 1 when a check failed or it stopped early.
export function run(main) {
  main().then(() => process.exit(failed() ? 1 : 0), (e) => {
    console.log(`FAIL the browser test stopped: ${e.stack || e}`);
    process.exit(1);
  });
}

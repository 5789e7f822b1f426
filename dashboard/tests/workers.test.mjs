// workers.test.mjs - the functions page with worker processes (the default)
// (tests/50-e2e/dashboard_workers.sh starts the host with the crashy and
// testapp apps, has crashed a few workers, and passes the invocation id of
// the SIGSEGV crash in CRASH_INV and the markup instance id of the aborting
// activity in HOSTILE): the workers per app, the crashes, a busy worker
// seen by the auto-refresh, then a crash loop shown as a failed app.
import { BASE, ok, is, until, api, openBrowser, ready, shot, checkClean, run } from './lib.mjs';

const DASH = `${BASE}/admin/dashboard/`;
const CRASH_INV = process.env.CRASH_INV;
const HOSTILE = process.env.HOSTILE;

const app = (page, name) => page.locator(`[data-testid=worker-app][data-app=${name}]`);

async function main() {
  const { browser, page, foreign, problems } = await openBrowser();
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
  try {
    const want = (await api('GET', '/admin/host/functions')).json.workers;
    const crashy = want.apps.find((a) => a.app === 'crashy');

    await page.goto(`${DASH}#/functions`);
    await ready(page);
    ok(await page.getByTestId('functions').isVisible(), 'the functions table is there');
    is(await page.getByTestId('failed-banner').textContent(), '', 'no app failed: no banner');
    is(await page.getByTestId('worker-app').count(), 2, 'one worker section per app');
    const rows = app(page, 'crashy').getByTestId('worker-row');
    is(await rows.count(), 4, 'crashy: its 4 workers');
    const shownPids = (await rows.evaluateAll((rs) => rs.map((r) => Number(r.dataset.pid)))).sort();
    is(JSON.stringify(shownPids), JSON.stringify(crashy.workers.map((w) => w.pid).sort()), '… with the pids the host reports');
    is(await app(page, 'crashy').getByTestId('app-state').textContent(), 'ok', '… and the app state ok');
    ok(/orchestrator episodes/.test(await app(page, 'crashy').getByTestId('workers').textContent()), '… saying which worker runs the episodes');

    const crashRows = page.getByTestId('crash-row');
    is(await crashRows.count(), want.recentCrashes.length, 'every recent crash has a row');
    const segv = page.locator('[data-testid=crash-row]', { hasText: CRASH_INV });
    is(await segv.count(), 1, 'the SIGSEGV crash is listed with its invocation id');
    is(await segv.getByTestId('crash-function').textContent(), 'crash', '… its function');
    is(await segv.getByTestId('crash-signal').textContent(), 'SIGSEGV', '… its signal');
    ok((await segv.textContent()).includes(String(want.recentCrashes.find((c) => c.invocationId === CRASH_INV).pid)), '… and the pid that died');
    ok(/SIGKILL \(timed out/.test(await page.locator('[data-testid=crash-row]', { hasText: 'spin' }).textContent()), 'a functionTimeout kill says it timed out');

    // The markup instance id: text in the table, never an element.
    const hostileIds = page.getByTestId('call-instance').filter({ hasText: HOSTILE });
    is(await hostileIds.count(), 3, 'the markup instance id of the aborting activity shows as text, once per attempt');
    is(await page.locator('[data-testid=crashes] img').count(), 0, '… and no element was made of it');
    is(await page.evaluate(() => window.__pwned), undefined, '… nor did any of it run');
    is(await hostileIds.first().getAttribute('href'), `#/instance/${encodeURIComponent(HOSTILE)}`, '… it links to that instance');

    // A sleeping function: the auto-refresh shows the worker busy with it.
    const sleeping = api('GET', '/api/sleep?ms=4000');
    const busy = await until(async () => {
      const r = page.locator('[data-testid=worker-row][data-state=busy]');
      return (await r.count()) === 1 && (await r.getByTestId('worker-function').textContent()) === 'sleep' ? r : null;
    }, 6000);
    ok(busy, 'without a reload, the page shows the worker running the sleeping function as busy');
    await shot(page, 'functions-workers');
    is((await sleeping).status, 200, '… which then answers');
    ok(await until(async () => (await page.locator('[data-testid=worker-row][data-state=busy]').count()) === 0, 6000),
      '… and the worker is shown ready again');

    // Paused, the page stays as it is.
    await page.getByTestId('workers-pause').click();
    is(await page.getByTestId('workers-pause').textContent(), 'Resume refresh', 'the refresh can be paused');
    await page.getByTestId('workers-pause').click();

    // A crash loop: 12 deaths within 60 s (some happened already).
    let code = 0;
    for (let i = 0; i < 15 && code !== 503; i++) {
      await api('GET', '/api/crash/segv');
      code = (await api('GET', '/api/ok')).status;
    }
    is(code, 503, 'the crashes that follow make the app fail (503)');
    const failedShown = await until(async () => (await app(page, 'crashy').getAttribute('data-state')) === 'failed', 6000);
    ok(failedShown, 'the page shows crashy failed, without a reload');
    is(await app(page, 'crashy').getByTestId('app-state').textContent(), 'failed', '… its state says failed');
    ok(/worker deaths within 60 s; the last: SIGSEGV while running 'crash'/.test(await app(page, 'crashy').getByTestId('app-failed-reason').textContent()),
      '… with the reason');
    ok(await until(async () => (await app(page, 'crashy').getByTestId('no-workers').count()) === 1, 6000), '… and no worker left for it');
    ok((await page.getByTestId('failed-banner').textContent()).includes('crashy'), '… said above the functions table too');
    is(await app(page, 'testapp').getByTestId('app-state').textContent(), 'ok', 'the other app is still ok');
    await shot(page, 'functions-workers-failed');

    is(dialogs.length, 0, 'no dialog was opened by any data');
    checkClean({ foreign, problems });
  } finally {
    await browser.close();
  }
}

run(main);

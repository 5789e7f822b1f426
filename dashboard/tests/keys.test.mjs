// keys.test.mjs - the dashboard with keys on (tests/50-e2e/dashboard_keys.sh
// starts the host with --enableAuth and passes the master key in MASTER and
// the durabletask_extension key in SYSTEM).
import { BASE, ok, is, until, start, openBrowser, ready, shot, checkClean, run } from './lib.mjs';

const DASH = `${BASE}/admin/dashboard/`;
const MASTER = process.env.MASTER;
const SYSTEM = process.env.SYSTEM;

async function main() {
  await start('hello_sequence', null, 'keyed-1', MASTER);
  const { browser, page, foreign, problems, requests } = await openBrowser();
  try {
    await page.goto(DASH);
    await ready(page);
    ok(await page.getByTestId('login').isVisible(), 'with keys on, the page asks for a key');
    ok(!(await page.locator('#view').isVisible()), '… and shows nothing else');
    is(await page.getByTestId('instance-row').count(), 0, '… no instance at all');
    await shot(page, 'login');

    await page.getByTestId('login-key').fill('not-the-key');
    await page.getByTestId('login-submit').click();
    await until(async () => (await page.getByTestId('login-error').textContent()).length > 0);
    ok(/refused/.test(await page.getByTestId('login-error').textContent()), 'a wrong key is refused');
    ok(!(await page.locator('#view').isVisible()), '… and still nothing but the form is shown');

    await page.getByTestId('login-key').fill(SYSTEM);
    await page.getByTestId('login-submit').click();
    await until(async () => (await page.getByTestId('login-error').textContent()).includes('master'));
    ok(/master key/.test(await page.getByTestId('login-error').textContent()), 'the durabletask_extension key is not enough (the dashboard needs the master key)');

    await page.getByTestId('login-key').fill(MASTER);
    await page.getByTestId('login-submit').click();
    await until(async () => (await page.getByTestId('instance-row').count()) > 0);
    is(await page.getByTestId('instance-row').first().getAttribute('data-id'), 'keyed-1', 'the master key opens the list');
    await page.locator('[data-testid=instance-link]').first().click();
    await ready(page);
    ok((await page.getByTestId('detail-output').textContent()).includes('Hello Tokyo'), 'the detail loads with the key');

    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
    ok(!stored.includes(MASTER), 'the key is in neither localStorage, sessionStorage nor a cookie');
    ok(!page.url().includes(MASTER), '… nor in the URL');
    const api = requests.filter((r) => r.url.includes('/admin/durable/') || r.url.includes('/runtime/webhooks/'));
    ok(api.length > 0 && api.every((r) => r.headers['x-functions-key'] === MASTER), 'every data call sends the key as x-functions-key');
    ok(requests.every((r) => !r.url.includes(MASTER)), 'no request has the key in its URL');

    await page.reload();
    await ready(page);
    ok(await page.getByTestId('login').isVisible(), 'after a reload the key is asked for again');
    checkClean({ foreign, problems });
  } finally {
    await browser.close();
  }
}

run(main);

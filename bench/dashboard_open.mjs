// bench/dashboard_open.mjs - how long the dashboard takes, in headless
// chromium, to show (document.body.dataset.ready = "1") the instance list
// at 100,000 instances, its next page, and an instance with a big history.
// Called by bench/dashboard.sh with BASE, BIG (the instance id) and
// CFUNC_DASHBOARD_MODULES set. Prints one "name ms ms ms ..." line each.
import { openBrowser, ready, BASE } from '../dashboard/tests/lib.mjs';

const RUNS = Number(process.env.RUNS || 5);
const DASH = `${BASE}/admin/dashboard/`;

async function timed(page, fn) {
  const t0 = performance.now();
  await fn();
  await ready(page);
  return Math.round(performance.now() - t0);
}

const { browser, page } = await openBrowser();
try {
  await page.goto(DASH);
  await ready(page);
  const list = [], next = [], detail = [], rows = [], sorted = [], sortedNext = [];
  for (let i = 0; i < RUNS; i++) {
    list.push(await timed(page, () => page.goto(`${DASH}#/instances?size=100&sort=none&r=${i}`)));
    rows.push(await page.getByTestId('instance-row').count());
    next.push(await timed(page, () => page.getByTestId('page-next').click()));
    sorted.push(await timed(page, () => page.goto(`${DASH}#/instances?size=100&sort=updated&order=desc&r=${i}`)));
    sortedNext.push(await timed(page, () => page.getByTestId('page-next').click()));
    detail.push(await timed(page, () => page.goto(`${DASH}#/instance/${encodeURIComponent(process.env.BIG)}?r=${i}`)));
  }
  const events = await page.locator('h2', { hasText: 'History' }).textContent();
  console.log(`list_100_rows_ms ${list.join(' ')} (rows: ${rows.join(' ')})`);
  console.log(`next_page_ms ${next.join(' ')}`);
  console.log(`list_sorted_updated_desc_ms ${sorted.join(' ')}`);
  console.log(`sorted_next_page_ms ${sortedNext.join(' ')}`);
  console.log(`detail_open_ms ${detail.join(' ')}`);
  console.log(`detail_heading ${events}`);
} finally {
  await browser.close();
}

// dashboard.test.mjs - the dashboard as a user sees it, in headless
// chromium, against a host started by tests/50-e2e/dashboard.sh (keys off,
// --ephemeral, the samples loaded). Prints PASS/FAIL lines.
import {
  BASE, ok, is, until, api, start, status, waitStatus, openBrowser, ready, shot, failed,
} from './lib.mjs';

const DASH = `${BASE}/admin/dashboard/`;
const HOSTILE_ID = '<img src=x onerror=window.__xss=1>';
const HOSTILE_TEXT = '<script>window.__xss=1</script><b>bold</b>';

async function rowsShown(page) {
  await ready(page);
  return page.getByTestId('instance-row').count();
}
async function rowIds(page) {
  await ready(page);
  return page.getByTestId('instance-row').evaluateAll((rs) => rs.map((r) => r.dataset.id));
}
async function openDetail(page, id) {
  await page.goto(`${DASH}#/instance/${encodeURIComponent(id)}`);
  await ready(page);
}
// Opens an action's dialog, fills it with fill(), presses OK.
async function action(page, key, fill) {
  await page.getByTestId(`action-${key}`).click();
  if (fill) await fill();
  await page.getByTestId('modal-ok').click();
}

async function main() {
  // ---- instances, through the samples' starter and the management API
  const hello = [];
  for (let i = 0; i < 3; i++) hello.push(await start('hello_sequence', null, `hello-${i}`));
  const approval = await start('approval_workflow', { timeout_seconds: 600 }, 'approval-1');
  const fan = await start('fan_out_fan_in', { count: 8 }, 'fan-1');
  const eternal = await start('eternal_orchestrator', { interval_seconds: 3600, max_iterations: 3, task_type: HOSTILE_TEXT }, 'eternal-1');
  const deploy = await start('deploy_all_regions', { regions: ['westus', 'eastus'] }, 'deploy-1');
  const failing = await start('approval_workflow', { timeout_seconds: -1 }, 'failing-1');
  const hostile = await start('hello_sequence', HOSTILE_TEXT, HOSTILE_ID);
  for (const id of [...hello, fan, deploy, hostile]) await waitStatus(id, ['Completed']);
  await waitStatus(failing, ['Failed']);
  await until(async () => (await status(eternal))?.customStatus);
  for (let i = 0; i < 60; i++) await start('hello_sequence', null, `page-${String(i).padStart(3, '0')}`);

  const { browser, page, foreign, problems, requests } = await openBrowser();
  try {
    // ---- the list
    const res = await page.goto(DASH);
    is(res.status(), 200, 'the dashboard page loads from the host');
    ok(/default-src 'self'/.test(res.headers()['content-security-policy'] || ''), 'with a Content-Security-Policy of default-src self');
    await ready(page);
    const ids = await rowIds(page);
    ok(ids.includes('hello-0') && ids.includes('approval-1'), 'the list shows the started instances', ids.join(' '));
    await until(async () => /Completed \d+/.test(await page.getByTestId('count-Completed').textContent()));
    const completedCount = await page.getByTestId('count-Completed').textContent();
    ok(/^Completed (6[5-9]|7\d)$/.test(completedCount), 'counts per status are shown', completedCount);
    const hostileCell = page.locator(`[data-testid=instance-row][data-id="${HOSTILE_ID}"] a`);
    is(await hostileCell.textContent(), HOSTILE_ID, 'an id holding HTML is shown as text');
    await shot(page, 'list');

    // filters: status, then name, then id prefix; the URL keeps them
    await page.getByTestId('filter-status-Running').check();
    await page.getByTestId('filter-apply').click();
    await until(async () => (await rowIds(page)).every((id) => id === 'approval-1' || id === 'eternal-1'));
    const running = await rowIds(page);
    ok(running.includes('approval-1') && !running.includes('hello-0'), 'the status filter narrows to Running', running.join(' '));
    ok(page.url().includes('status=Running'), 'the filter is in the URL', page.url());
    await page.reload();
    await ready(page);
    ok(await page.getByTestId('filter-status-Running').isChecked(), 'after a reload the filter is still set');
    is((await rowIds(page)).sort().join(' '), running.sort().join(' '), '… and shows the same instances');
    await page.goto(`${DASH}#/instances?name=deploy_a`);
    await until(async () => (await rowIds(page)).join() === 'deploy-1');
    is((await rowIds(page)).join(' '), 'deploy-1', 'the name filter (starts with) narrows to deploy_all_regions');
    await page.goto(`${DASH}#/instances?status=Failed,Completed&prefix=hello-`);
    await until(async () => (await rowIds(page)).length === 3);
    is((await rowIds(page)).join(' '), 'hello-0 hello-1 hello-2', 'id prefix and several statuses at once');
    await page.goto(`${DASH}#/instances?prefix=hello-&from=2000-01-01T00:00:00Z`);
    await until(async () => (await rowIds(page)).length === 3);
    is((await rowIds(page)).length, 3, 'created from a past date keeps them');
    await page.goto(`${DASH}#/instances?prefix=hello-&from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z`);
    await until(async () => (await page.getByTestId('no-instances').count()) === 1);
    is(await page.getByTestId('no-instances').count(), 1, 'created from/to a day in 2000 selects none');
    await page.goto(`${DASH}#/instances?prefix=zzz`);
    await ready(page);
    is(await page.getByTestId('no-instances').count(), 1, 'a filter that matches nothing says so');

    // paging through continuation tokens
    await page.goto(`${DASH}#/instances?prefix=page-&size=25`);
    await until(async () => (await rowsShown(page)) === 25);
    const p1 = await rowIds(page);
    is(p1.length, 25, 'page 1 of 60 holds 25 instances');
    await page.getByTestId('page-next').click();
    await until(async () => (await rowIds(page))[0] !== p1[0]);
    const p2 = await rowIds(page);
    is(p2.length, 25, 'page 2 holds 25');
    ok(!p2.some((id) => p1.includes(id)), '… none of them on page 1');
    await page.getByTestId('page-next').click();
    await until(async () => (await rowIds(page)).length === 10);
    const p3 = await rowIds(page);
    is(p3.length, 10, 'page 3 holds the last 10');
    ok(await page.getByTestId('page-next').isDisabled(), '… and Next is disabled there');
    is(new Set([...p1, ...p2, ...p3]).size, 60, 'the three pages show all 60 exactly once');
    await page.getByTestId('page-prev').click();
    await until(async () => (await rowIds(page))[0] === p2[0]);
    is((await rowIds(page))[0], p2[0], 'Previous goes back to page 2');

    // sort and columns are remembered
    await page.getByTestId('sort-instanceId').click(); // ascending
    await page.getByTestId('sort-instanceId').click(); // descending
    const desc = await rowIds(page);
    is(desc.join(), [...p2].sort().reverse().join(), 'sorting by id, descending, on the page');
    await page.getByTestId('columns-menu').click();
    await page.getByTestId('col-customStatus').uncheck();
    await page.reload();
    await ready(page);
    ok(!(await page.getByTestId('col-customStatus').isChecked()), 'a hidden column stays hidden after a reload');
    is(await page.locator('td.c-customStatus').count(), 0, '… and is not drawn');
    is((await rowIds(page)).join(), [...p1].sort().reverse().join(), 'the sort is remembered too');
    await page.getByTestId('columns-menu').click();
    await page.getByTestId('col-customStatus').check();
    await page.getByTestId('sort-instanceId').click(); // back to the API's order

    // auto-refresh and its pause
    await page.goto(`${DASH}#/instances?prefix=late-`);
    await ready(page);
    await page.getByTestId('refresh-interval').selectOption('2');
    await start('hello_sequence', null, 'late-1');
    ok(await until(async () => (await rowIds(page)).includes('late-1'), 8000), 'auto-refresh shows a new instance by itself');
    await page.getByTestId('refresh-pause').click();
    await start('hello_sequence', null, 'late-2');
    await new Promise((r) => setTimeout(r, 4500)); // two refresh periods: nothing may change
    ok(!(await rowIds(page)).includes('late-2'), 'paused, the list does not change');
    await page.getByTestId('refresh-pause').click();
    ok(await until(async () => (await rowIds(page)).includes('late-2'), 8000), 'resumed, it refreshes again');

    // ---- detail: output, history, timeline
    await openDetail(page, 'hello-0');
    is(await page.getByTestId('detail-name').textContent(), 'hello_sequence', 'detail shows the name');
    ok((await page.getByTestId('detail-output').textContent()).includes('"Hello Tokyo!"'), 'detail shows the output as formatted JSON');
    ok(await page.getByTestId('history-row').count() >= 7, 'the history table has rows');
    is(await page.locator('[data-testid=bar-activity]').count(), 3, 'the timeline has a bar per activity');
    is(await page.locator('[data-testid=bar-activity] [data-testid=bar-queue]').count(), 3, '… each split into queue and run time');
    await page.getByTestId('history-type').selectOption('TaskCompleted');
    await until(async () => (await page.getByTestId('history-row').count()) === 3);
    is(await page.getByTestId('history-row').count(), 3, 'the history filters by event type');
    await shot(page, 'detail-hello');

    await openDetail(page, fan);
    is(await page.locator('[data-testid=bar-activity]').count(), 8, "a fan-out's timeline has its 8 parallel activities");
    await shot(page, 'detail-fan-out');

    await openDetail(page, deploy);
    const child = await page.getByTestId('child-link').first().textContent();
    ok(child && child.length > 0, 'a sub-orchestration links to its child', child);
    await page.getByTestId('child-link').first().click();
    await ready(page);
    await until(async () => (await page.getByTestId('detail-id').textContent()) === child);
    is(await page.getByTestId('detail-id').textContent(), child, '… which opens the child');
    is(await page.getByTestId('parent-link').textContent(), deploy, '… and the child links back to its parent');

    await openDetail(page, eternal);
    const custom = await page.getByTestId('detail-custom-status').textContent();
    ok(custom.includes('current_iteration') && custom.includes(HOSTILE_TEXT), "an eternal orchestration's custom status, with its HTML as text", custom);
    await until(async () => (await page.getByTestId('pending-timer').count()) === 1);
    ok(/fires at \d{4}-\d\d-\d\d/.test(await page.getByTestId('pending-timer').first().textContent()), 'its pending timer with the fire time');
    ok(await page.locator('[data-testid=bar-timer]').count() >= 1, '… drawn on the timeline');
    await shot(page, 'detail-eternal');

    // hostile payloads stay text
    await openDetail(page, HOSTILE_ID);
    is(await page.getByTestId('detail-id').textContent(), HOSTILE_ID, 'the hostile id is text in the detail');
    ok((await page.getByTestId('detail-input').textContent()).includes('<script>'), 'the hostile input is shown as text');
    is(await page.locator('main script, main img, main b').count(), 0, 'no element came from the data');
    is(await page.evaluate(() => window.__xss), undefined, 'no script from the data ran');

    // ---- actions
    await openDetail(page, approval);
    await action(page, 'raise', async () => {
      await page.getByTestId('raise-name').fill('ApprovalEvent');
      await page.getByTestId('raise-data').fill('true');
    });
    is(await waitStatus(approval, ['Completed']), 'Completed', 'raising ApprovalEvent completes the approval');
    is((await status(approval)).output, 'Approved', '… with output Approved');
    await until(async () => (await page.getByTestId('status').first().textContent()) === 'Completed', 8000);
    is(await page.getByTestId('status').first().textContent(), 'Completed', 'the page follows it to Completed by itself');
    ok(await page.getByTestId('action-raise').isDisabled(), 'raise is disabled once Completed');

    const a2 = await start('approval_workflow', { timeout_seconds: 600 }, 'approval-2');
    await waitStatus(a2, ['Running']);
    await openDetail(page, a2);
    await action(page, 'suspend', () => page.getByTestId('action-reason').fill('a pause'));
    is(await waitStatus(a2, ['Suspended']), 'Suspended', 'suspend makes it Suspended');
    await openDetail(page, a2);
    await action(page, 'resume');
    is(await waitStatus(a2, ['Running']), 'Running', 'resume makes it Running again');
    await openDetail(page, a2);
    await action(page, 'raise', async () => {
      await page.getByTestId('raise-name').fill(HOSTILE_ID);
      await page.getByTestId('raise-data').fill(JSON.stringify(HOSTILE_TEXT));
    });
    await until(async () => {
      await openDetail(page, a2);
      return (await page.getByTestId('history').textContent()).includes(HOSTILE_ID);
    });
    ok((await page.getByTestId('history').textContent()).includes(HOSTILE_ID), 'an event whose name holds HTML is listed as text');
    await page.getByTestId('history-filter').fill('onerror');
    await page.getByTestId('history-filter').press('Enter');
    await until(async () => (await page.getByTestId('history-row').count()) === 1);
    await page.getByTestId('history-row').first().click();
    ok((await page.getByTestId('history-event').textContent()).includes(HOSTILE_TEXT.replace(/"/g, '')), '… and its data, shown in full, as text');
    ok(await page.locator('[data-testid=timeline] text', { hasText: 'event <img' }).count() === 1, '… also on the timeline');
    is(await page.locator('main script, main img, main b').count(), 0, '… no element came from it');
    is(await page.evaluate(() => window.__xss), undefined, '… and nothing ran');
    await page.getByTestId('action-restart').click();
    await page.getByTestId('restart-new-id').uncheck();
    await page.getByTestId('modal-ok').click();
    await until(async () => (await page.getByTestId('modal-error').textContent()).length > 0, 5000);
    const refusal = await page.getByTestId('modal-error').textContent();
    ok(/^500 .*already exists/.test(refusal), "a refused restart shows the API's error", refusal);
    await page.getByTestId('modal-cancel').click();
    await action(page, 'terminate', () => page.getByTestId('action-reason').fill('enough'));
    is(await waitStatus(a2, ['Terminated']), 'Terminated', 'terminate makes it Terminated');
    is((await status(a2)).output, 'enough', '… with the reason as output');

    await openDetail(page, failing);
    ok((await page.getByTestId('detail-output').textContent()).includes('timeout_seconds must be'), 'a failed instance shows its failure');
    await action(page, 'rewind');
    ok(await until(async () => {
      const h = await api('GET', `/admin/durable/history?instanceId=${failing}`);
      return h.json && h.json.events.some((e) => e.EventType === 'GenericEvent' || e.EventType === 'ExecutionRewound');
    }), 'rewind is applied (the history records it)');
    is(await waitStatus(failing, ['Failed']), 'Failed', '… and the instance, failing again, ends Failed');

    await openDetail(page, 'hello-1');
    await action(page, 'restart');
    await until(async () => !page.url().includes('hello-1'), 8000);
    const restarted = decodeURIComponent(page.url().split('#/instance/')[1] || '');
    ok(restarted && restarted !== 'hello-1' && (await waitStatus(restarted, ['Completed'])) === 'Completed', 'restart with a new id starts a new instance and opens it', restarted);

    await openDetail(page, 'hello-2');
    await action(page, 'purge');
    ok(await until(async () => (await status('hello-2')) === null), 'purge deletes the instance');
    await until(async () => page.url().endsWith('#/instances'));
    ok(page.url().endsWith('#/instances'), '… and goes back to the list');

    // start from the form
    await page.getByTestId('new-instance').click();
    await page.getByTestId('start-name').selectOption('hello_sequence');
    await page.getByTestId('start-id').fill('form-1');
    await page.getByTestId('start-input').fill('{not json');
    await page.getByTestId('modal-ok').click();
    ok((await page.getByTestId('modal-error').textContent()).startsWith('The input is not JSON'), 'the start form refuses input that is not JSON');
    await page.getByTestId('start-input').fill('{"from": "the form"}');
    await page.getByTestId('modal-ok').click();
    await until(async () => page.url().includes('form-1'));
    is((await status('form-1'))?.input?.from, 'the form', 'the start form starts an instance with its input and opens it');

    // bulk terminate, bulk purge
    for (let i = 0; i < 3; i++) await start('approval_workflow', { timeout_seconds: 600 }, `bulk-${i}`);
    await page.goto(`${DASH}#/instances?prefix=bulk-`);
    await until(async () => (await rowsShown(page)) === 3);
    await page.getByTestId('bulk-terminate').click();
    await until(async () => /3 will be terminated/.test(await page.getByTestId('bulk-count').textContent()));
    ok(/^3 instance\(s\) match the filter; 3 will be terminated/.test(await page.getByTestId('bulk-count').textContent()), 'bulk terminate shows the count first');
    await page.getByTestId('modal-ok').click();
    const bulkStates = await Promise.all([0, 1, 2].map((i) => waitStatus(`bulk-${i}`, ['Terminated'])));
    is(bulkStates.join(), 'Terminated,Terminated,Terminated', 'bulk terminate terminates all three');
    await page.goto(`${DASH}#/instances?prefix=page-&status=Completed`);
    await ready(page);
    await page.getByTestId('bulk-purge').click();
    await until(async () => /^60 instance/.test(await page.getByTestId('bulk-count').textContent()));
    ok(/^60 instance\(s\) match the filter; all 60 will be purged/.test(await page.getByTestId('bulk-count').textContent()), 'bulk purge shows the count (60) first');
    await page.getByTestId('modal-ok').click();
    ok(await until(async () => (await api('GET', '/runtime/webhooks/durabletask/instances?instanceIdPrefix=page-')).json.length === 0), 'bulk purge deletes the 60');
    await until(async () => (await rowsShown(page)) === 0);
    is(await page.getByTestId('no-instances').count(), 1, '… and the list shows none');

    // continue-as-new: the test clock fires the eternal orchestration's timer
    is(await page.evaluate(async () => (await fetch('/admin/test/clock', { method: 'POST', body: '{"advanceSeconds":3700}' })).status), 200, 'the test clock moves an hour on');
    await openDetail(page, eternal);
    ok(await until(async () => {
      await openDetail(page, eternal);
      return (await page.getByTestId('detail-generation').textContent()) === '1';
    }), 'after continue-as-new the detail shows generation 1');
    ok((await page.getByTestId('detail-custom-status').textContent()).includes('"current_iteration": 2'), '… and the next iteration in the custom status');
    const prevInput = await page.getByTestId('detail-previous-input').textContent();
    ok(prevInput.includes('"interval_seconds": 3600') && !prevInput.includes('current_iteration') &&
      (await page.getByTestId('detail-input').textContent()).includes('"current_iteration": 1'),
    '… and the input it had before continue-as-new, next to the new one');

    // ---- functions
    await page.goto(`${DASH}#/functions`);
    await ready(page);
    const fnText = await page.getByTestId('functions').textContent();
    ok(fnText.includes('hello_sequence') && fnText.includes('orchestrationTrigger') && fnText.includes('activityTrigger'), 'the functions page lists orchestrators and activities');
    const starter = page.locator('[data-testid=function-row][data-name=http_start]');
    ok(/httpTrigger.*orchestrators\/\{function_name\}.*POST.*anonymous/.test(await starter.textContent()), 'an HTTP function with its route, methods and auth level');
    ok((await page.getByTestId('workers-off').textContent()).includes('--worker-processes'), 'without worker processes, the worker section says how to have them');
    await shot(page, 'functions');

    // ---- nothing but this origin, no errors, no key in storage
    is(foreign.length, 0, 'no request went to another origin');
    ok(requests.every((r) => !/[?&]code=/.test(r.url)), 'no request carried a key in its URL');
    is(problems.join('\n'), '', 'no script error and no CSP violation in the console');
  } finally {
    await browser.close();
  }
}

main().then(() => process.exit(failed() ? 1 : 0), (e) => {
  console.log(`FAIL the browser test stopped: ${e.stack || e}`);
  process.exit(1);
});

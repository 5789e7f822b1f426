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

    // sort: on the host, across every page; in the URL and remembered
    const all60 = [...p1, ...p2, ...p3].sort();
    await page.getByTestId('sort-instanceId').click(); // ascending
    await until(async () => page.url().includes('sort=id'));
    await page.getByTestId('sort-instanceId').click(); // descending
    await until(async () => page.url().includes('order=desc') && (await rowIds(page))[0] === 'page-059');
    const desc = await rowIds(page);
    is(desc.join(), all60.slice().reverse().slice(0, 25).join(), 'sorting by id, descending, sorts all 60, not the page shown: page 1 is page-059 down');
    ok(!(await page.getByTestId('page-label').textContent()).includes('on this page'), '… and says nothing of "this page" any more');
    await page.getByTestId('page-next').click();
    await until(async () => (await rowIds(page))[0] === 'page-034');
    is((await rowIds(page)).join(), all60.slice().reverse().slice(25, 50).join(), '… page 2 goes on from page-034');
    await page.getByTestId('columns-menu').click();
    await page.getByTestId('col-customStatus').uncheck();
    await page.reload();
    await ready(page);
    ok(!(await page.getByTestId('col-customStatus').isChecked()), 'a hidden column stays hidden after a reload');
    is(await page.locator('td.c-customStatus').count(), 0, '… and is not drawn');
    is((await rowIds(page)).join(), desc.join(), 'after a reload the URL keeps the sort');
    await page.goto(`${DASH}#/instances?prefix=page-&size=25`);
    await until(async () => (await rowIds(page))[0] === 'page-059');
    is((await rowIds(page)).join(), desc.join(), 'a URL without a sort gets the remembered one');
    await page.getByTestId('columns-menu').click();
    await page.getByTestId('col-customStatus').check();
    await page.getByTestId('sort-instanceId').click(); // back to the API's order
    await until(async () => (await rowIds(page))[0] === 'page-000');
    is((await rowIds(page))[0], 'page-000', 'a third click goes back to the listing\'s order (by id)');

    // sort across pages where page 1 differs from the id order: ids started
    // in reverse order (created), two statuses (status), names (name filter)
    for (let i = 11; i >= 0; i--) await start('hello_sequence', null, `sortx-${String(i).padStart(2, '0')}`);
    for (let i = 0; i < 24; i++) {
      const id = `nf-${String(i).padStart(2, '0')}`;
      if (i % 2) await start('approval_workflow', { timeout_seconds: -1 }, id); else await start('hello_sequence', null, id);
    }
    for (let i = 0; i < 24; i++) await waitStatus(`nf-${String(i).padStart(2, '0')}`, ['Completed', 'Failed']);
    for (let i = 0; i < 12; i++) await waitStatus(`sortx-${String(i).padStart(2, '0')}`, ['Completed']);
    const sx = (a) => a.map((i) => `sortx-${String(i).padStart(2, '0')}`).join();
    await page.goto(`${DASH}#/instances?prefix=sortx-&size=10&sort=created`);
    await until(async () => (await rowIds(page))[0] === 'sortx-11');
    is((await rowIds(page)).join(), sx([11, 10, 9, 8, 7, 6, 5, 4, 3, 2]), 'sorted by created: page 1 holds the first 10 started, not the first 10 ids');
    await shot(page, 'list-sorted');
    await page.getByTestId('page-next').click();
    await until(async () => (await rowIds(page))[0] === 'sortx-01');
    is((await rowIds(page)).join(), sx([1, 0]), '… page 2 the last two');
    ok(await page.getByTestId('page-next').isDisabled(), '… and no page 3');
    await page.getByTestId('sort-createdTime').click(); // now descending
    await until(async () => (await rowIds(page))[0] === 'sortx-00');
    is((await rowIds(page)).join(), sx([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), 'a click on the sorted column: descending, from page 1');
    await page.getByTestId('page-next').click();
    await until(async () => (await rowIds(page))[0] === 'sortx-10');
    is((await rowIds(page)).join(), sx([10, 11]), '… page 2 goes on without a repeat');
    const nf = (a) => a.map((i) => `nf-${String(i).padStart(2, '0')}`).join();
    const evens = [...Array(12).keys()].map((i) => 2 * i), odds = evens.map((i) => i + 1);
    await page.goto(`${DASH}#/instances?prefix=nf-&size=10&sort=status`);
    await until(async () => (await rowIds(page)).join() === nf(evens.slice(0, 10)));
    is((await rowIds(page)).join(), nf(evens.slice(0, 10)), 'sorted by status: Completed first, ties in the order they were started');
    await page.getByTestId('page-next').click();
    await until(async () => (await rowIds(page))[0] === 'nf-20');
    is((await rowIds(page)).join(), nf([20, 22, 1, 3, 5, 7, 9, 11, 13, 15]), '… page 2 crosses from Completed to Failed');

    // the name filter on the host: full pages across the whole list
    await page.goto(`${DASH}#/instances?prefix=nf-&size=10&name=APPROVAL_w&sort=none`);
    await until(async () => (await rowIds(page)).join() === nf(odds.slice(0, 10)));
    is((await rowIds(page)).join(), nf(odds.slice(0, 10)), 'the name filter (any case) fills page 1 with 10 matches');
    await page.getByTestId('page-next').click();
    await until(async () => (await rowIds(page)).join() === nf(odds.slice(10)));
    is((await rowIds(page)).join(), nf(odds.slice(10)), '… page 2 holds the other 2, none repeated');
    ok(requests.some((r) => r.url.includes('/admin/durable/instances?') && r.url.includes('name=APPROVAL_w')), '… filtered by the host (the name goes to /admin/durable/instances)');

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
    ok(/One call per instance, 8 at a time/.test(await page.getByTestId('bulk-how').textContent()), '… and that it goes one instance at a time, 8 in flight');
    await page.getByTestId('modal-ok').click();
    const bulkStates = await Promise.all([0, 1, 2].map((i) => waitStatus(`bulk-${i}`, ['Terminated'])));
    is(bulkStates.join(), 'Terminated,Terminated,Terminated', 'bulk terminate terminates all three');
    await until(async () => /^Terminate: 3 done, 0 refused/.test(await page.getByTestId('bulk-summary').textContent()));
    ok(/^Terminate: 3 done, 0 refused/.test(await page.getByTestId('bulk-summary').textContent()), '… and sums up: 3 done, 0 refused');
    await until(async () => (await page.getByTestId('status').allTextContents()).join() === 'Terminated,Terminated,Terminated');
    await page.getByTestId('select-page').check();
    await page.getByTestId('bulk-terminate').click();
    await until(async () => /selected/.test(await page.getByTestId('bulk-count').textContent()));
    await page.getByTestId('modal-ok').click();
    await until(async () => /^Terminate: 0 done, 3 refused/.test(await page.getByTestId('bulk-summary').textContent()));
    const refusedText = await page.getByTestId('bulk-refused').allTextContents();
    ok(refusedText.length === 1 && /^3 × 410 Gone/.test(refusedText[0]), "terminating 3 finished ones: 3 refused, with the API's reason, counted once", refusedText.join(' | '));
    await shot(page, 'list-bulk-summary');
    await page.goto(`${DASH}#/instances?prefix=page-&status=Completed`);
    await ready(page);
    await page.getByTestId('bulk-purge').click();
    await until(async () => /^60 instance/.test(await page.getByTestId('bulk-count').textContent()));
    ok(/^60 instance\(s\) match the filter; 60 will be purged/.test(await page.getByTestId('bulk-count').textContent()), 'bulk purge shows the count (60) first');
    ok(/One call per instance/.test(await page.getByTestId('bulk-how').textContent()), '… one call per instance (the purge-by-filter API has no id prefix)');
    await page.getByTestId('modal-ok').click();
    ok(await until(async () => (await api('GET', '/runtime/webhooks/durabletask/instances?instanceIdPrefix=page-')).json.length === 0), 'bulk purge deletes the 60');
    await until(async () => (await rowsShown(page)) === 0);
    is(await page.getByTestId('no-instances').count(), 1, '… and the list shows none');
    ok(/^Purge: 60 done, 0 refused/.test(await page.getByTestId('bulk-summary').textContent()), '… and sums up: 60 done');

    // bulk purge by name: per instance, the finished ones only
    await page.goto(`${DASH}#/instances?prefix=nf-&name=approval_w`);
    await ready(page);
    await page.getByTestId('bulk-purge').click();
    await until(async () => /^12 instance/.test(await page.getByTestId('bulk-count').textContent()));
    ok(/^12 instance\(s\) match the filter; 12 will be purged/.test(await page.getByTestId('bulk-count').textContent()), 'bulk purge by name counts the 12 first');
    await page.getByTestId('modal-ok').click();
    ok(await until(async () => (await api('GET', '/admin/durable/instances?instanceIdPrefix=nf-')).json.map((x) => x.instanceId).join() === nf(evens)),
      '… and purges them, leaving the other name alone');

    // bulk purge by filter: created from a time, a status: one call
    const t0 = new Date(Date.now() - 5).toISOString();
    for (let i = 0; i < 30; i++) await start('hello_sequence', null, `pf-${String(i).padStart(2, '0')}`);
    const pfRun = await start('approval_workflow', { timeout_seconds: 600 }, 'pf-running');
    for (let i = 0; i < 30; i++) await waitStatus(`pf-${String(i).padStart(2, '0')}`, ['Completed']);
    await waitStatus(pfRun, ['Running']);
    await page.goto(`${DASH}#/instances?from=${encodeURIComponent(t0)}`);
    await ready(page);
    const before = requests.length;
    await page.getByTestId('bulk-purge').click();
    await until(async () => /^31 instance/.test(await page.getByTestId('bulk-count').textContent()));
    ok(/^31 instance\(s\) match the filter; 30 will be purged \(the finished ones\)/.test(await page.getByTestId('bulk-count').textContent()),
      'bulk purge by created time: 31 match, the 30 finished will be purged', await page.getByTestId('bulk-count').textContent());
    ok(/In one call/.test(await page.getByTestId('bulk-how').textContent()), "… in one call of the API's purge by filter");
    await page.getByTestId('modal-ok').click();
    await until(async () => /^Purge: 30 done/.test(await page.getByTestId('bulk-summary').textContent()));
    ok(/^Purge: 30 done, 0 refused \(one purge-by-filter call\)/.test(await page.getByTestId('bulk-summary').textContent()), '… which deletes 30');
    const deletes = requests.slice(before).filter((r) => /\/runtime\/webhooks\/durabletask\/instances(\?|\/pf-)/.test(r.url));
    is(deletes.length, 1, '… with one request', deletes.map((r) => r.url).join('\n'));
    ok(/createdTimeFrom=.*createdTimeTo=.*runtimeStatus=Completed%2CFailed%2CTerminated/.test(deletes[0]?.url || ''), '… carrying the created range and the finished statuses', deletes[0]?.url);
    is((await api('GET', '/admin/durable/instances?instanceIdPrefix=pf-')).json.map((x) => x.instanceId).join(), 'pf-running', '… the running one stays');
    await api('POST', '/runtime/webhooks/durabletask/instances/pf-running/terminate?reason=done');

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
    // Worker processes are the default: every app the host reports has its
    // worker section (dashboard_admin.sh checks the --in-process note).
    const hostApps = (await api('GET', '/admin/host/functions')).json.workers.apps.map((a) => a.app).sort();
    const shownApps = (await page.getByTestId('worker-app').evaluateAll((rs) => rs.map((r) => r.dataset.app))).sort();
    ok(hostApps.length > 0 && JSON.stringify(shownApps) === JSON.stringify(hostApps),
      'with worker processes (the default), every app has its worker section', `${shownApps} vs ${hostApps}`);
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

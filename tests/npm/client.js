// Drives Microsoft's durable-functions client (npm, unchanged) against a
// running cfunc: signalEntity, readEntityState, startNew and getStatus.
// The client is made by df.getClient(context) from the durableClient
// binding data the Functions host hands a JavaScript function, built here
// for this host the way the extension's BindingHelper builds it. It is
// tried both ways the client can address the host: through rpcBaseUrl,
// and through baseUrl + requiredQueryStringParameters.
// Usage: node client.js <base url>; prints TAP.
"use strict";
const df = require("durable-functions");

const base = process.argv[2];
const hub = process.argv[3] || "TestHubName";
const webhooks = `${base}/runtime/webhooks/durabletask`;
let n = 0;
let failed = 0;
function ok(cond, what, detail) {
	n++;
	if (!cond) failed++;
	console.log(`${cond ? "" : "not "}ok ${n} - ${what}`);
	if (!cond && detail !== undefined) console.log(`#   ${JSON.stringify(detail)}`);
}

// What the host passes as the durableClient input (BindingHelper.cs).
function bindingData(viaRpc) {
	const q = "taskHub=" + hub + "&connection=Storage";
	const inst = `${webhooks}/instances/INSTANCEID`;
	return {
		taskHubName: hub,
		creationUrls: {
			createNewInstancePostUri: `${webhooks}/orchestrators/{functionName}[/{instanceId}]?${q}`,
			createAndWaitOnNewInstancePostUri: `${webhooks}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&${q}`,
		},
		managementUrls: {
			id: "INSTANCEID",
			statusQueryGetUri: `${inst}?${q}`,
			sendEventPostUri: `${inst}/raiseEvent/{eventName}?${q}`,
			terminatePostUri: `${inst}/terminate?reason={text}&${q}`,
			rewindPostUri: `${inst}/rewind?reason={text}&${q}`,
			purgeHistoryDeleteUri: `${inst}?${q}`,
			restartPostUri: `${inst}/restart?${q}`,
			suspendPostUri: `${inst}/suspend?reason={text}&${q}`,
			resumePostUri: `${inst}/resume?reason={text}&${q}`,
		},
		baseUrl: webhooks,
		requiredQueryStringParameters: q,
		rpcBaseUrl: viaRpc ? `${webhooks}/` : null,
		httpBaseUrl: webhooks,
	};
}

// The InvocationContext parts getClient reads.
function clientFor(viaRpc) {
	const input = { type: "durableClient", name: "durableClient" };
	const data = bindingData(viaRpc);
	const context = { options: { extraInputs: [input] }, extraInputs: { get: () => data } };
	return df.getClient(context);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(fn, ms) {
	const end = Date.now() + ms;
	for (;;) {
		const v = await fn();
		if (v.done || Date.now() > end) return v;
		await sleep(50);
	}
}

async function run(viaRpc) {
	const how = viaRpc ? "rpcBaseUrl" : "baseUrl";
	const client = clientFor(viaRpc);
	const key = `npm-${how}`;
	const id = new df.EntityId("Counter", key);

	await client.signalEntity(id, "add", 5);
	ok(true, `${how}: signalEntity resolves (202)`);
	let r = await until(async () => {
		const s = await client.readEntityState(id);
		return { done: s.entityExists && s.entityState === 5, s };
	}, 10000);
	ok(r.done, `${how}: readEntityState sees the state 5`, r.s);

	await client.signalEntity(id, "add");
	r = await until(async () => {
		const s = await client.readEntityState(new df.EntityId("counter", key));
		return { done: s.entityState === 6, s };
	}, 10000);
	ok(r.done, `${how}: a signal without content adds the default 1; names are case-insensitive`, r.s);

	await client.signalEntity(id, "set", { nested: [1, "two"] });
	r = await until(async () => {
		const s = await client.readEntityState(id);
		return { done: JSON.stringify(s.entityState) === '{"nested":[1,"two"]}', s };
	}, 10000);
	ok(r.done, `${how}: object content arrives as JSON`, r.s);

	const never = await client.readEntityState(new df.EntityId("counter", `${key}-never`));
	ok(never.entityExists === false && never.entityState === undefined,
		`${how}: an entity never signalled does not exist`, never);

	let rejected = null;
	try {
		await client.signalEntity(new df.EntityId("nosuchentity", "k"), "add", 1);
	} catch (e) {
		rejected = e;
	}
	ok(rejected !== null, `${how}: signalling an unknown entity function is refused`);

	await client.signalEntity(id, "delete");
	r = await until(async () => {
		const s = await client.readEntityState(id);
		return { done: s.entityExists === false, s };
	}, 10000);
	ok(r.done, `${how}: the delete operation removes the entity`, r.s);

	const instanceId = await client.startNew("counter_calls", { input: { key: `${key}-calls`, n: 3 } });
	ok(typeof instanceId === "string" && instanceId.length > 0, `${how}: startNew returns an id`);
	const st = await until(async () => {
		const s = await client.getStatus(instanceId);
		return { done: s.runtimeStatus === "Completed", s };
	}, 10000);
	ok(st.done && st.s.output === 3, `${how}: the orchestration's three entity calls returned 3`, st.s);
	const calls = await client.readEntityState(new df.EntityId("counter", `${key}-calls`));
	ok(calls.entityState === 3, `${how}: and the entity reads 3`, calls);
}

(async () => {
	process.env.WEBSITE_HOSTNAME = new URL(base).host;
	try {
		await run(true);
		await run(false);
	} catch (e) {
		ok(false, "no unexpected exception", String(e && e.stack ? e.stack : e));
	}
	console.log(`1..${n}`);
	process.exit(failed ? 1 : 0);
})();

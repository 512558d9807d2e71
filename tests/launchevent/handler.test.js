// The send handler (SPEC §7), every branch: the real launchevent.js against a scripted Office
// and a stubbed API. Each test also checks that event.completed was called exactly once.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");

const {
  HANDLER,
  HANG,
  DOWN,
  memoryStorage,
  signedIn,
  stubApi,
  loadHandler,
  send,
  sendToken,
  coverage,
  verdict,
} = require("./harness.js");

const USER = "a.jansen@huisartsen-oost.nl";
const COLLEAGUE = "b.smit@ziekenhuis-west.nl";
const PATIENT = "m.bakker@example.com";
const PANEL = HANDLER.PANEL_COMMAND_ID;

function draft(overrides) {
  return Object.assign(
    {
      userEmail: USER,
      to: [{ emailAddress: COLLEAGUE, displayName: "B. Smit" }],
      subject: "Verwijzing",
      attachments: [{ name: "verwijsbrief.pdf", size: 183211 }],
    },
    overrides
  );
}

/** The device id `signedIn` stores. */
const DEVICE = "device-1";

/** The coverage digest of `draft()`, or of it changed by `changes`, under `device`. */
function covFor(changes, device) {
  const checked = Object.assign(
    { sender: USER, to: [COLLEAGUE], attachments: [183211] },
    changes
  );
  return coverage(checked, device || DEVICE);
}

/** Claims of a token the server would issue for `draft()` on this device. */
function claimsFor(overrides) {
  return Object.assign(
    {
      iss: "https://sendsecure.example.nl",
      aud: "sendsecure-relay",
      jti: "abc",
      iat: Math.floor(Date.now() / 1000),
      exp: Math.floor(Date.now() / 1000) + 15 * 60,
      cov: covFor(),
    },
    overrides
  );
}

function assertOnce(result) {
  assert.equal(result.completions.length, 1, "event.completed exactly once");
}

function assertBlocked(options, { promptUser, label }) {
  assert.equal(options.allowEvent, false);
  assert.equal(options.commandId, PANEL, "the dialog's button opens the panel");
  assert.equal(options.cancelLabel, label);
  assert.ok(options.cancelLabel.length <= 20, "Outlook shows 20 characters at most");
  assert.ok(options.errorMessage.length > 0 && options.errorMessage.length <= 500);
  assert.ok(options.errorMessageMarkdown.length > 0 && options.errorMessageMarkdown.length <= 500);
  if (promptUser) assert.equal(options.sendModeOverride, "promptUser");
  else assert.equal(options.sendModeOverride, undefined, "no way around signing in");
}

test("registers its handler and calls Office.onReady as soon as it loads", () => {
  const outlook = loadHandler({ draft: draft(), api: stubApi() });
  assert.deepEqual(outlook.calls.slice(0, 2), ["associate:onMessageSendHandler", "onReady"]);
});

test("a valid send token for exactly these recipients lets the mail go without asking the API", async () => {
  const api = stubApi();
  const outlook = loadHandler({
    draft: draft({ headers: { "X-SendSecure-Token": sendToken(claimsFor()) } }),
    api,
    storage: signedIn(USER),
  });

  const result = await send(outlook);

  assert.deepEqual(result.options, { allowEvent: true });
  assertOnce(result);
  assert.equal(api.requests.length, 0, "no API call at all");
});

test("in classic Outlook, without storage, an unexpired token is honoured: the relay checks it", async () => {
  // No device id to recompute the digest with; the relay refuses a mail that does not match
  // what was checked, so nothing unchecked can go out this way.
  const outlook = loadHandler({
    draft: draft({
      headers: { "x-sendsecure-token": sendToken(claimsFor({ cov: "unknowable" })) },
    }),
    api: stubApi(),
    storage: null,
  });

  const result = await send(outlook);

  assert.deepEqual(result.options, { allowEvent: true });
  assertOnce(result);
});

test("in classic Outlook an expired token is not honoured", async () => {
  const outlook = loadHandler({
    draft: draft({
      headers: {
        "x-sendsecure-token": sendToken(claimsFor({ exp: Math.floor(Date.now() / 1000) - 1 })),
      },
    }),
    api: stubApi(),
    storage: null,
  });

  const result = await send(outlook);

  assertBlocked(result.options, { promptUser: true, label: "Veilig verzenden" });
  assertOnce(result);
});

for (const [what, claims, change] of [
  ["another recipient", claimsFor({ cov: covFor({ to: [PATIENT] }) }), {}],
  ["a recipient moved to BCC", claimsFor({ cov: covFor({ to: [], bcc: [COLLEAGUE] }) }), {}],
  ["an added recipient", claimsFor(), { cc: [{ emailAddress: PATIENT }] }],
  ["another attachment", claimsFor(), { attachments: [{ name: "scan.exe", size: 10 }] }],
  ["another sender", claimsFor({ cov: covFor({ sender: "x@huisartsen-oost.nl" }) }), {}],
  ["another device", claimsFor({ cov: covFor({}, "device-2") }), {}],
  ["not for the relay", claimsFor({ aud: "someone-else" }), {}],
  ["an expired token", claimsFor({ exp: Math.floor(Date.now() / 1000) + 5 }), {}],
]) {
  test(`a token that does not fit (${what}) is removed and the draft checked again`, async () => {
    const api = stubApi({
      "POST /api/v1/check": { status: 200, body: verdict({ findings: [["phone-required", PATIENT]] }) },
    });
    const outlook = loadHandler({
      draft: draft(Object.assign({ headers: { "X-SendSecure-Token": sendToken(claims) } }, change)),
      api,
      storage: signedIn(USER),
    });

    const result = await send(outlook);

    assert.equal(result.options.allowEvent, false);
    assertOnce(result);
    assert.equal(api.calls("POST /api/v1/check").length, 1);
    assert.deepEqual(outlook.state.headers, {}, "the stale token does not go out");
  });
}

test("a token that is not a JWS is ignored", async () => {
  const api = stubApi({ "POST /api/v1/check": { status: 200, body: verdict({ autoSend: true }) } });
  const outlook = loadHandler({
    draft: draft({ headers: { "X-SendSecure-Token": "not.a-token" } }),
    api,
    storage: signedIn(USER),
  });

  const result = await send(outlook);

  assertOnce(result);
  assert.equal(api.calls("POST /api/v1/check").length, 1);
});

test("not signed in: blocked, told to sign in in the panel, no way around it", async () => {
  const api = stubApi();
  const outlook = loadHandler({ draft: draft(), api, storage: memoryStorage() });

  const result = await send(outlook);

  assertBlocked(result.options, { promptUser: false, label: "Aanmelden" });
  assert.match(result.options.errorMessage, /niet aangemeld/);
  assert.equal(JSON.parse(result.options.contextData).reason, "signed-out");
  assertOnce(result);
  assert.equal(api.calls("POST /api/v1/check").length, 0);
});

test("a session without the device id is no session", async () => {
  const storage = signedIn(USER);
  storage.removeItem("sendsecure.device");
  const outlook = loadHandler({ draft: draft(), api: stubApi(), storage });

  const result = await send(outlook);

  assertBlocked(result.options, { promptUser: false, label: "Aanmelden" });
  assertOnce(result);
});

test("classic Outlook (no localStorage): says it cannot check here and lets the user choose", async () => {
  const api = stubApi();
  const outlook = loadHandler({ draft: draft(), api, storage: null });

  const result = await send(outlook);

  assertBlocked(result.options, { promptUser: true, label: "Veilig verzenden" });
  assert.match(result.options.errorMessage, /deze versie van Outlook/);
  assertOnce(result);
  assert.equal(api.calls("POST /api/v1/check").length, 0);
});

test("storage that throws on access counts as no storage", async () => {
  const outlook = loadHandler({
    draft: draft(),
    api: stubApi(),
    storage: {
      getItem() {
        throw new Error("SecurityError");
      },
    },
  });

  const result = await send(outlook);

  assert.equal(result.options.allowEvent, false);
  assertOnce(result);
});

test("auto-send: a send token is fetched, put on the draft between saves, and the mail goes", async () => {
  const api = stubApi({
    "POST /api/v1/check": { status: 200, body: verdict({ autoSend: true }) },
    "POST /api/v1/send-token": { status: 200, body: { token: "t.o.k", expires_at: "2099-01-01T00:00:00Z" } },
  });
  const outlook = loadHandler({ draft: draft(), api, storage: signedIn(USER, "s3cret") });

  const result = await send(outlook);

  assert.deepEqual(result.options, { allowEvent: true });
  assertOnce(result);
  assert.equal(outlook.state.headers["X-SendSecure-Token"], "t.o.k");
  const order = outlook.calls.filter((call) => call === "save" || call === "setHeaders");
  assert.deepEqual(order, ["save", "setHeaders", "save"]);
  const [check] = api.calls("POST /api/v1/check");
  assert.equal(check.headers.Authorization, "Bearer s3cret");
  assert.equal(check.headers["X-Device-Id"], "device-1");
  assert.deepEqual(api.calls("POST /api/v1/send-token")[0].body, check.body, "the same draft");
  assert.equal(api.calls("POST /api/v1/events").length, 0, "nothing was blocked");
});

test("auto-send where the client cannot save: the header is set all the same", async () => {
  const api = stubApi({
    "POST /api/v1/check": { status: 200, body: verdict({ autoSend: true }) },
    "POST /api/v1/send-token": { status: 200, body: { token: "t.o.k", expires_at: "x" } },
  });
  const outlook = loadHandler({
    draft: draft({ supportsSave: false }),
    api,
    storage: signedIn(USER),
  });

  const result = await send(outlook);

  assert.deepEqual(result.options, { allowEvent: true });
  assert.equal(outlook.state.headers["X-SendSecure-Token"], "t.o.k");
  assertOnce(result);
});

test("auto-send where the header cannot be set: the user may send normally", async () => {
  const api = stubApi({
    "POST /api/v1/check": { status: 200, body: verdict({ autoSend: true }) },
    "POST /api/v1/send-token": { status: 200, body: { token: "t.o.k", expires_at: "x" } },
  });
  const outlook = loadHandler({
    draft: draft({ fail: { setHeaders: true } }),
    api,
    storage: signedIn(USER),
  });

  const result = await send(outlook);

  assertBlocked(result.options, { promptUser: true, label: "Veilig verzenden" });
  assertOnce(result);
});

test("auto-send refused by the server (422, the draft changed): shows the server's findings", async () => {
  const api = stubApi({
    "POST /api/v1/check": { status: 200, body: verdict({ autoSend: true }) },
    "POST /api/v1/send-token": {
      status: 422,
      body: {
        error: { code: "cannot-send-secure", message: "…" },
        verdict: verdict({ findings: [["subject-empty"]] }),
      },
    },
  });
  const outlook = loadHandler({ draft: draft(), api, storage: signedIn(USER) });

  const result = await send(outlook);

  assertBlocked(result.options, { promptUser: true, label: "Veilig verzenden" });
  assert.match(result.options.errorMessage, /Vul een onderwerp in/);
  assertOnce(result);
  assert.deepEqual(api.calls("POST /api/v1/events")[0].body.codes, ["subject-empty"]);
});

test("needs action: blocked with what to do, the panel offered, sending normally allowed, the block reported", async () => {
  const api = stubApi({
    "POST /api/v1/check": {
      status: 200,
      body: verdict({
        findings: [
          ["phone-required", PATIENT],
          ["phone-advised", "x@example.com", "info"],
          ["attachment-blocked-type", "scan_1.exe"],
        ],
      }),
    },
  });
  const outlook = loadHandler({
    draft: draft({ displayLanguage: "en-US" }),
    api,
    storage: signedIn(USER),
  });

  const result = await send(outlook);

  assertBlocked(result.options, { promptUser: true, label: "Send securely" });
  assert.equal(
    result.options.errorMessageMarkdown,
    "This e-mail cannot go out securely by itself. Resolve this in the Send Secure panel:\n\n" +
      "- **m.bakker@example.com**: A mobile number is required: the access code goes by text message.\r" +
      "- **scan\\_1.exe**: This file type is not allowed. Remove the attachment.\r" +
      "\n\nYou may also deliberately **Send normally**, as ordinary e-mail."
  );
  assert.equal(
    result.options.errorMessage,
    "This e-mail cannot go out securely by itself. Resolve this in the Send Secure panel:\n" +
      "• m.bakker@example.com: A mobile number is required: the access code goes by text message.\n" +
      "• scan_1.exe: This file type is not allowed. Remove the attachment.\n" +
      "You may also deliberately Send normally, as ordinary e-mail."
  );
  assert.equal(JSON.parse(result.options.contextData).reason, "needs-action");
  assertOnce(result);
  const [event] = api.calls("POST /api/v1/events");
  assert.deepEqual(event.body, {
    kind: "blocked-on-send",
    codes: ["phone-required", "phone-advised", "attachment-blocked-type"],
  });
  assert.ok(event.keepalive, "the report may outlive the handler's runtime");
});

test("secure but not automatic (a Viewer recipient): sent to the panel's Veilig verzenden", async () => {
  const api = stubApi({
    "POST /api/v1/check": { status: 200, body: verdict({ findings: [["phone-advised", PATIENT, "info"]] }) },
  });
  const outlook = loadHandler({ draft: draft(), api, storage: signedIn(USER) });

  const result = await send(outlook);

  assertBlocked(result.options, { promptUser: true, label: "Veilig verzenden" });
  assert.match(result.options.errorMessageMarkdown, /\*\*Veilig verzenden\*\*/);
  assert.doesNotMatch(result.options.errorMessage, /\*\*/);
  assertOnce(result);
});

test("many findings stay within Outlook's 500 characters, with the rest counted", async () => {
  const findings = [];
  for (let i = 0; i < 40; i += 1) findings.push(["phone-required", `patient.${i}@example.com`]);
  const api = stubApi({ "POST /api/v1/check": { status: 200, body: verdict({ findings }) } });
  const outlook = loadHandler({ draft: draft(), api, storage: signedIn(USER) });

  const result = await send(outlook);

  for (const message of [result.options.errorMessage, result.options.errorMessageMarkdown]) {
    assert.ok(message.length <= 500, `${message.length} characters`);
    assert.match(message, /… en nog \d+/);
    assert.match(message, /bewust (\*\*)?Standaard versturen(\*\*)?, als gewone e-mail/);
  }
  assertOnce(result);
});

test("the panel's chosen language wins over Outlook's; German texts", async () => {
  const storage = signedIn(USER);
  storage.setItem("sendsecure.language", "de");
  const api = stubApi({
    "POST /api/v1/check": { status: 200, body: verdict({ findings: [["to-empty"], ["subject-empty"]] }) },
  });
  const outlook = loadHandler({ draft: draft({ displayLanguage: "en-GB" }), api, storage });

  const result = await send(outlook);

  assertBlocked(result.options, { promptUser: true, label: "Sicher senden" });
  assert.match(result.options.errorMessage, /Geben Sie einen Betreff ein/);
  assertOnce(result);
});

test("an unknown display language falls back to Dutch", async () => {
  const outlook = loadHandler({
    draft: draft({ displayLanguage: "fr-FR" }),
    api: stubApi(),
    storage: memoryStorage(),
  });

  const result = await send(outlook);

  assert.equal(result.options.cancelLabel, "Aanmelden");
  assertOnce(result);
});

test("the API does not answer: completed within the budget, the user may send normally", async () => {
  const api = stubApi({ "POST /api/v1/check": HANG });
  const outlook = loadHandler({ draft: draft(), api, storage: signedIn(USER) });

  const result = await send(outlook, HANDLER.TOTAL_BUDGET_MS - HANDLER.API_BUDGET_MS + 100);

  assert.ok(result.ms >= HANDLER.API_BUDGET_MS - 50, `${result.ms} ms`);
  assert.ok(result.ms < HANDLER.TOTAL_BUDGET_MS, `${result.ms} ms`);
  assertBlocked(result.options, { promptUser: true, label: "Veilig verzenden" });
  assert.match(result.options.errorMessage, /niet bereikbaar/);
  assertOnce(result);
});

test("the API is unreachable: the user may send normally", async () => {
  const api = stubApi({ "POST /api/v1/check": DOWN, "GET /api/v1/info": DOWN });
  const outlook = loadHandler({ draft: draft(), api, storage: signedIn(USER) });

  const result = await send(outlook);

  assertBlocked(result.options, { promptUser: true, label: "Veilig verzenden" });
  assertOnce(result);
});

test("not signed in while the API is unreachable: signing in cannot help, so sending normally may", async () => {
  const api = stubApi({ "GET /api/v1/info": DOWN });
  const outlook = loadHandler({ draft: draft(), api, storage: memoryStorage() });

  const result = await send(outlook);

  assertBlocked(result.options, { promptUser: true, label: "Veilig verzenden" });
  assert.match(result.options.errorMessage, /niet bereikbaar/);
  assertOnce(result);
});

test("Office.js never answers: the fallback timer completes the event in time", async () => {
  const outlook = loadHandler({
    draft: draft({ hang: { getHeaders: true } }),
    api: stubApi(),
    storage: signedIn(USER),
  });

  const result = await send(outlook, 100);

  assert.ok(result.ms >= HANDLER.TOTAL_BUDGET_MS - 50, `${result.ms} ms`);
  assert.ok(result.ms < HANDLER.TOTAL_BUDGET_MS + 500, `${result.ms} ms`);
  assertBlocked(result.options, { promptUser: true, label: "Veilig verzenden" });
  assertOnce(result);
});

test("the draft cannot be read: the user may send normally", async () => {
  const outlook = loadHandler({
    draft: draft({ fail: { to: true } }),
    api: stubApi(),
    storage: signedIn(USER),
  });

  const result = await send(outlook);

  assertBlocked(result.options, { promptUser: true, label: "Veilig verzenden" });
  assertOnce(result);
});

test("a 401 (session lapsed or revoked) is like not being signed in", async () => {
  const api = stubApi({
    "POST /api/v1/check": { status: 401, body: { error: { code: "unauthorized", message: "sign in" } } },
  });
  const outlook = loadHandler({ draft: draft(), api, storage: signedIn(USER) });

  const result = await send(outlook);

  assertBlocked(result.options, { promptUser: false, label: "Aanmelden" });
  assertOnce(result);
});

test("directory unavailable: says so, the user may send normally, the block is reported", async () => {
  const api = stubApi({
    "POST /api/v1/check": { status: 200, body: verdict({ findings: [["directory-unavailable"]] }) },
  });
  const outlook = loadHandler({ draft: draft(), api, storage: signedIn(USER) });

  const result = await send(outlook);

  assertBlocked(result.options, { promptUser: true, label: "Veilig verzenden" });
  assert.match(result.options.errorMessage, /Het Domeinboek is op dit moment niet beschikbaar/);
  assertOnce(result);
  assert.deepEqual(api.calls("POST /api/v1/events")[0].body.codes, ["directory-unavailable"]);
});

for (const [status, body] of [
  [500, { error: { code: "internal", message: "id 7" } }],
  [400, { error: { code: "bad-request", message: "?" } }],
  [200, "<html>a proxy's error page</html>"],
]) {
  test(`an API answer of ${status} that is no verdict: the user may send normally`, async () => {
    const api = stubApi({ "POST /api/v1/check": { status, body } });
    const outlook = loadHandler({ draft: draft(), api, storage: signedIn(USER) });

    const result = await send(outlook);

    assertBlocked(result.options, { promptUser: true, label: "Veilig verzenden" });
    assertOnce(result);
  });
}

test("security by default switched off in the served policy: every mail goes at once, no API call", async () => {
  const api = stubApi({});
  const outlook = loadHandler({
    draft: draft(),
    api,
    storage: signedIn(USER),
    policy: { security_by_default: false },
  });

  const result = await send(outlook);

  assert.deepEqual(result.options, { allowEvent: true });
  assertOnce(result);
  assert.deepEqual(api.requests, [], "no API call at all");
});

test("security by default switched off, told by an older server's info: every mail goes", async () => {
  const api = stubApi({
    "GET /api/v1/info": { status: 200, body: { security_by_default: false } },
    "POST /api/v1/check": { status: 200, body: verdict({ findings: [["subject-empty"]] }) },
  });
  const outlook = loadHandler({ draft: draft(), api, storage: signedIn(USER) });

  const result = await send(outlook);

  assert.deepEqual(result.options, { allowEvent: true });
  assertOnce(result);
  assert.equal(api.calls("POST /api/v1/events").length, 0, "nothing was blocked");
});

test("the draft sent to the API: sender, recipients with kinds, subject, attachments; never the body", async () => {
  const api = stubApi({ "POST /api/v1/check": { status: 200, body: verdict({ autoSend: false }) } });
  const outlook = loadHandler({
    draft: draft({
      to: [
        { emailAddress: COLLEAGUE, displayName: "B. Smit", recipientType: "user" },
        { emailAddress: "team@huisartsen-oost.nl", recipientType: "distributionList" },
      ],
      cc: [{ emailAddress: PATIENT }],
      bcc: [{ emailAddress: "archief@huisartsen-oost.nl" }],
      attachments: [
        { name: "brief.pdf", size: 1000 },
        { name: "logo.png", size: 20, isInline: true },
        { name: "dossier.docx", size: 99999, attachmentType: "cloud" },
      ],
    }),
    api,
    storage: signedIn(USER),
  });

  await send(outlook);

  assert.deepEqual(api.calls("POST /api/v1/check")[0].body, {
    sender: USER,
    to: [
      { address: COLLEAGUE, kind: "user" },
      { address: "team@huisartsen-oost.nl", kind: "distribution-list" },
    ],
    cc: [{ address: PATIENT, kind: "user" }],
    bcc: [{ address: "archief@huisartsen-oost.nl", kind: "user" }],
    subject: "Verwijzing",
    attachments: [
      { name: "brief.pdf", size: 1000, inline: false },
      { name: "logo.png", size: 20, inline: true },
      { name: "dossier.docx", size: 0, inline: false },
    ],
  });
});

test("a shared mailbox: the From mailbox's session is used, then the user's own", async () => {
  const shared = "poli@ziekenhuis-west.nl";
  const storage = signedIn(USER, "own-session");
  storage.setItem("sendsecure.session." + shared, JSON.stringify({ token: "shared-session" }));
  const api = stubApi({ "POST /api/v1/check": { status: 200, body: verdict() } });
  const outlook = loadHandler({ draft: draft({ from: "Poli@Ziekenhuis-West.nl" }), api, storage });

  await send(outlook);

  const [check] = api.calls("POST /api/v1/check");
  assert.equal(check.headers.Authorization, "Bearer shared-session");
  assert.equal(check.body.sender, "Poli@Ziekenhuis-West.nl");

  const other = loadHandler({
    draft: draft({ from: "secretariaat@huisartsen-oost.nl" }),
    api,
    storage,
  });
  await send(other);
  assert.equal(api.calls("POST /api/v1/check")[1].headers.Authorization, "Bearer own-session");
});

test("a handler run without a usable Office still completes the event, once", async () => {
  const outlook = loadHandler({ draft: draft(), api: stubApi(), storage: signedIn(USER) });
  const handler = outlook.handlers.onMessageSendHandler;
  const saved = outlook.Office.context;
  outlook.Office.context = undefined; // every Office.context access now throws
  const completions = [];
  handler({ completed: (options) => completions.push(options) });
  await new Promise((resolve) => setTimeout(resolve, 50));
  outlook.Office.context = saved;

  assert.equal(completions.length, 1);
  assert.equal(completions[0].allowEvent, false);
  assert.equal(completions[0].sendModeOverride, "promptUser");
});

test("a block is reported even when the info call used up the API budget", async () => {
  const api = stubApi({
    "GET /api/v1/info": HANG,
    "POST /api/v1/check": { status: 200, body: verdict({ findings: [["subject-empty"]] }) },
  });
  const outlook = loadHandler({ draft: draft(), api, storage: signedIn(USER) });

  const result = await send(outlook);

  assertBlocked(result.options, { promptUser: true, label: "Veilig verzenden" });
  assert.ok(result.ms >= HANDLER.API_BUDGET_MS - 50, "waited for the info answer");
  assertOnce(result);
  assert.equal(api.calls("POST /api/v1/events").length, 1);
});

test("a blocked mail also puts the number of actions in Outlook's notification bar", async () => {
  const api = stubApi({
    "POST /api/v1/check": {
      status: 200,
      body: verdict({ findings: [["phone-required", PATIENT], ["subject-empty"]] }),
    },
  });
  const outlook = loadHandler({ draft: draft(), api, storage: signedIn(USER) });

  const result = await send(outlook);

  assertBlocked(result.options, { promptUser: true, label: "Veilig verzenden" });
  assert.deepEqual(outlook.state.notifications.sendsecure, {
    type: "informationalMessage",
    message: "Send Secure: 2 acties nodig",
    icon: "Icon.16",
    persistent: false,
  });
});

// The send handler's test harness: the real launchevent.js in a fresh browser-like context
// (vm), the scripted Office of addin-ui/static/office-double.js, storage, and an API stub.
"use strict";

const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const OfficeDouble = require("../../addin-ui/static/office-double.js");

const HANDLER_FILE = path.join(__dirname, "../../addin-ui/static/launchevent.js");
const HANDLER_SOURCE = fs.readFileSync(HANDLER_FILE, "utf8");
const HANDLER = require(HANDLER_FILE);

/** Never answers (until aborted). */
const HANG = Symbol("hang");
/** Fails like an unreachable server. */
const DOWN = Symbol("down");

function memoryStorage(entries) {
  const data = new Map(Object.entries(entries || {}));
  return {
    getItem: (key) => (data.has(key) ? data.get(key) : null),
    setItem: (key, value) => data.set(key, String(value)),
    removeItem: (key) => data.delete(key),
  };
}

/** Storage holding a signed-in session for `mailbox`. */
function signedIn(mailbox, token) {
  return memoryStorage({
    "sendsecure.device": "device-1",
    ["sendsecure.session." + mailbox]: JSON.stringify({
      token: token || "session-" + mailbox,
      expires_at: "2099-01-01T00:00:00Z",
    }),
  });
}

/**
 * A fetch double answering "METHOD /path" from `routes`: a {status, body} value, a function of
 * the request giving one, HANG or DOWN. Unlisted routes answer 404. `requests` records every
 * call with its parsed JSON body.
 */
function stubApi(routes) {
  const table = Object.assign(
    {
      "GET /api/v1/info": { status: 200, body: { security_by_default: true } },
      "POST /api/v1/events": { status: 204 },
    },
    routes || {}
  );
  const requests = [];
  function fetch(url, init) {
    const method = (init && init.method) || "GET";
    const request = {
      method,
      path: String(url),
      headers: (init && init.headers) || {},
      body: init && init.body ? JSON.parse(init.body) : undefined,
      keepalive: Boolean(init && init.keepalive),
    };
    requests.push(request);
    let answer = table[method + " " + request.path];
    if (typeof answer === "function") answer = answer(request);
    if (answer === undefined) answer = { status: 404, body: { error: { code: "not-found" } } };
    if (answer === DOWN) return Promise.reject(new TypeError("Failed to fetch"));
    if (answer === HANG) {
      return new Promise((resolve, reject) => {
        const signal = init && init.signal;
        if (signal) signal.addEventListener("abort", () => reject(new Error("AbortError")));
      });
    }
    const text = answer.body === undefined ? "" : JSON.stringify(answer.body);
    return Promise.resolve({ status: answer.status, text: () => Promise.resolve(text) });
  }
  return { fetch, requests, calls: (key) => requests.filter((r) => r.method + " " + r.path === key) };
}

/**
 * Loads launchevent.js into a new context with these globals, as a browser page would (after
 * office.js). `storage: null` is classic Outlook's JavaScript-only runtime: no localStorage.
 */
function loadHandler({ draft, api, storage, policy }) {
  const outlook = OfficeDouble.create(draft);
  const globals = {
    Office: outlook.Office,
    fetch: api.fetch,
    setTimeout,
    clearTimeout,
    AbortController,
    URL,
    TextEncoder,
    crypto: globalThis.crypto,
    console: { log() {}, warn() {}, error() {} },
  };
  if (storage !== null) globals.localStorage = storage || memoryStorage();
  // As `serve` writes it into the file's first line.
  if (policy) globals.SENDSECURE_POLICY = policy;
  vm.runInNewContext(HANDLER_SOURCE, globals, { filename: HANDLER_FILE });
  return outlook;
}

/** Presses Send and waits `settle` ms more, so a second event.completed would be seen. */
async function send(outlook, settle = 30) {
  const result = await outlook.send();
  await new Promise((resolve) => setTimeout(resolve, settle));
  return result;
}

function base64url(value) {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

/** A compact JWS with these claims (the signature is not checked by the handler). */
function sendToken(claims) {
  return [base64url({ alg: "ES256", kid: "k1" }), base64url(claims), "c2lnbmF0dXJl"].join(".");
}

/**
 * The `cov` claim the server would put in a token for this draft and device, computed here
 * with node's own HMAC from the description in addin-api/src/coverage.rs: the handler's Web
 * Crypto version must agree with it.
 */
function coverage({ sender, to = [], cc = [], bcc = [], attachments = [] }, device) {
  const lines = [].concat(
    to.map((address) => "to:" + address),
    cc.map((address) => "cc:" + address),
    bcc.map((address) => "bcc:" + address)
  );
  const total = attachments.reduce((sum, size) => sum + size, 0);
  const text = ["sendsecure-coverage-v1", "sender:" + sender]
    .concat(lines.sort())
    .concat(["attachments:" + attachments.length + ":" + total])
    .join("\n");
  return crypto.createHmac("sha256", device).update(text).digest("base64url");
}

/** A verdict with `findings` ([code, subject, level?]). */
function verdict({ autoSend = false, findings = [] } = {}) {
  const list = findings.map(([code, subject, level]) => ({
    level: level || (code.startsWith("phone-advised") ? "info" : "action"),
    code,
    subject: subject === undefined ? null : subject,
  }));
  return {
    can_send_secure: !list.some((finding) => finding.level === "action"),
    auto_send: autoSend,
    sender: { address: "a.jansen@huisartsen-oost.nl", known: true, nta7516: true },
    recipients: [],
    attachments: { count: 0, total_size: 0, items: [] },
    findings: list,
  };
}

module.exports = {
  HANDLER,
  HANDLER_FILE,
  HANDLER_SOURCE,
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
};

// The send handler's pure parts, and the promises its file keeps: ES2016 syntax at most (classic
// Outlook's JavaScript-only runtime), no imports, small.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const zlib = require("node:zlib");
const acorn = require("acorn");

const { HANDLER, HANDLER_SOURCE, sendToken } = require("./harness.js");

test("launchevent.js is ES2016 syntax, a classic script, with no imports", () => {
  assert.doesNotThrow(() =>
    acorn.parse(HANDLER_SOURCE, { ecmaVersion: 2016, sourceType: "script" })
  );
  assert.doesNotMatch(HANDLER_SOURCE, /\bimport\s*\(|\brequire\s*\(/);
  assert.doesNotMatch(HANDLER_SOURCE, /\basync\s+function|\bawait\b/);
});

// Outlook's five seconds include loading this file. The panel's texts in three languages are
// most of it (13 KB gzip in all, December 2026).
test("launchevent.js and its page stay small", () => {
  const gzip = zlib.gzipSync(HANDLER_SOURCE, { level: 9 }).length;
  assert.ok(HANDLER_SOURCE.length < 48 * 1024, `${HANDLER_SOURCE.length} bytes`);
  assert.ok(gzip < 14 * 1024, `${gzip} bytes gzip`);
});

test("ES2017 syntax would be caught", () => {
  assert.throws(() =>
    acorn.parse("async function f() { await g(); }", { ecmaVersion: 2016, sourceType: "script" })
  );
});

test("token payloads decode without a signature check, Unicode included", () => {
  const claims = { sub: "zoë@example.nl", exp: 1 };
  assert.deepEqual(HANDLER.decodeTokenPayload(sendToken(claims)), claims);
  for (const bad of ["", "a.b", "a.!!!.c", "a.bm90IGpzb24.c", null, 42]) {
    assert.equal(HANDLER.decodeTokenPayload(bad), null, String(bad));
  }
});

test("the coverage digest matches the server's on the shared vectors", async () => {
  const vectors = JSON.parse(
    fs.readFileSync(path.join(__dirname, "../vectors/coverage.json"), "utf8")
  );
  assert.ok(vectors.length >= 3);
  for (const vector of vectors) {
    const draft = { sender: vector.sender, to: [], cc: [], bcc: [], attachments: [] };
    for (const [field, address] of vector.recipients) draft[field].push({ address });
    const [count, total] = vector.attachments;
    for (let n = 0; n < count; n++) draft.attachments.push({ size: n === 0 ? total : 0 });
    assert.equal(HANDLER.coverageText(draft), vector.canonical);
    assert.equal(await HANDLER.coverageDigest(draft, vector.device_id), vector.digest);
  }
});

test("addresses are normalised as the server and the panel do, on the shared vectors", () => {
  const vectors = JSON.parse(
    fs.readFileSync(path.join(__dirname, "../vectors/addresses.json"), "utf8")
  );
  assert.ok(vectors.length >= 20);
  for (const vector of vectors) {
    // Where the server refuses the domain, the handler compares it trimmed and lower-cased.
    const ascii = vector.raw.trim().replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
    const expected = vector.canonical === null ? ascii : vector.canonical;
    assert.equal(HANDLER.normalise(vector.raw), expected, vector.raw);
  }
  assert.equal(HANDLER.normalise(undefined), "");
});

test("every text fits Outlook's limits, in every language, with the same keys", () => {
  const keys = Object.keys(HANDLER.TEXTS.nl).sort();
  for (const [language, texts] of Object.entries(HANDLER.TEXTS)) {
    assert.deepEqual(Object.keys(texts).sort(), keys, language);
    assert.ok(texts["send-secure"].length <= 20, `${language} cancelLabel`);
    assert.ok(texts["signin-title"].length <= 20, `${language} cancelLabel`);
    for (const [key, text] of Object.entries(texts)) {
      assert.ok(JSON.stringify(text).length <= HANDLER.MESSAGE_LIMIT, `${language}.${key}`);
    }
  }
});

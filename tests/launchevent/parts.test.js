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

test("launchevent.js and its page stay small", () => {
  const gzip = zlib.gzipSync(HANDLER_SOURCE, { level: 9 }).length;
  assert.ok(HANDLER_SOURCE.length < 48 * 1024, `${HANDLER_SOURCE.length} bytes`);
  assert.ok(gzip < 12 * 1024, `${gzip} bytes gzip`);
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

test("every text fits Outlook's limits, in every language, with the same finding codes", () => {
  const codes = Object.keys(HANDLER.STRINGS.nl.findings).sort();
  for (const [language, texts] of Object.entries(HANDLER.STRINGS)) {
    assert.ok(texts.sendSecurely.length <= 20, `${language} cancelLabel`);
    assert.ok(texts.signIn.length <= 20, `${language} cancelLabel`);
    assert.deepEqual(Object.keys(texts.findings).sort(), codes, language);
    for (const key of ["signedOut", "noStorage", "unavailable", "directoryUnavailable"]) {
      assert.ok(texts[key].length <= HANDLER.MESSAGE_LIMIT, `${language}.${key}`);
    }
  }
});

/** The panel's Fluent file for `language`, as {key: text} (single-line messages only). */
function panelTexts(language) {
  const source = fs.readFileSync(path.join(__dirname, `../../addin-ui/src/i18n/${language}.ftl`), "utf8");
  const texts = {};
  for (const line of source.split("\n")) {
    const match = /^([a-z][a-z0-9-]*) = (.+)$/.exec(line);
    if (match) texts[match[1]] = match[2];
  }
  return texts;
}

test("the handler speaks the panel's vocabulary, read from the panel's Fluent files", () => {
  /** Words for the same thing that the panel never uses. */
  const foreign = {
    nl: [/adresboek/i, /\bgroep\b/i, /veilig mailen/i],
    en: [/directory/i, /\bgroup\b/i, /secure mail\b/i],
    de: [/Verzeichnis/, /\bGruppe\b/, /sichere E-Mail angeschlossen/],
  };
  for (const language of ["nl", "en", "de"]) {
    const panel = panelTexts(language);
    const handler = HANDLER.STRINGS[language];
    assert.equal(handler.sendSecurely, panel["send-secure"], `${language}: the button`);
    const domainBook = { nl: "Domeinboek", en: "domain book", de: "Domänenbuch" }[language];
    assert.ok(panel["finding-directory-unavailable"].includes(domainBook), `${language}: the panel's word`);
    const everything = [handler.directoryUnavailable, handler.sendNormally, ...Object.values(handler.findings)].join("\n");
    assert.ok(handler.directoryUnavailable.includes(domainBook), `${language}: "${domainBook}" in ${handler.directoryUnavailable}`);
    assert.ok(handler.findings["sender-unknown"].includes(domainBook), `${language}: sender-unknown`);
    assert.ok(handler.sendNormally.includes(`**${panel["send-standard"]}**`), `${language}: ${panel["send-standard"]}`);
    const bar = fs
      .readFileSync(path.join(__dirname, `../../addin-ui/src/i18n/${language}.ftl`), "utf8")
      .split("bar-actions-needed = ")[1];
    assert.ok(bar.includes(handler.barOne.replace("Send Secure: ", "")), `${language}: the bar, one`);
    assert.ok(bar.includes(handler.barMany.replace("Send Secure: ", "").replace("{n}", "{ $count }")), `${language}: the bar`);
    assert.ok(
      handler.findings["recipient-distribution-list"].toLowerCase().includes(
        /(verzendlijst|distribution list|Verteilerliste)/i.exec(panel["finding-recipient-distribution-list"])[0].toLowerCase()
      ),
      `${language}: the distribution list`
    );
    for (const word of foreign[language]) assert.doesNotMatch(everything, word, language);
  }
});

// The send handler says what the panel says: its texts are the panel's Fluent messages, copied
// into launchevent.js by scripts/handler-texts.mjs. These tests read the panel's .ftl files
// themselves and hold the handler's Smart Alerts dialog to them.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const { HANDLER, HANDLER_SOURCE } = require("./harness.js");

const LANGUAGES = ["nl", "en", "de"];
const SUBJECT = "p.jansen@example.nl";

/**
 * The panel's Fluent file for `language` with the handler's own beside it: format(id, args)
 * as the panel does, and the panel file's ids.
 */
async function panel(language) {
  const { FluentBundle, FluentResource } = await import("@fluent/bundle");
  const bundle = new FluentBundle(language, { useIsolating: false });
  const [resource] = [`${language}.ftl`, `handler.${language}.ftl`].map((file) => {
    const source = fs.readFileSync(path.join(__dirname, "../../addin-ui/src/i18n", file), "utf8");
    const parsed = new FluentResource(source);
    assert.deepEqual(bundle.addResource(parsed), [], `${file} parses`);
    return parsed;
  });
  return {
    ids: resource.body.map((message) => message.id),
    format: (id, args) => bundle.formatPattern(bundle.getMessage(id).value, args),
  };
}

/** The handler's Smart Alerts dialog for one action-level finding, in `language`. */
function dialogFor(language, code) {
  const verdict = { auto_send: false, findings: [{ code, level: "action", subject: SUBJECT }] };
  return HANDLER.needsActionOptions(verdict, HANDLER.TEXTS[language]);
}

test("the texts in launchevent.js are what the Fluent files say (node scripts/handler-texts.mjs)", async () => {
  const { regenerated } = await import("../../scripts/handler-texts.mjs");
  assert.ok(regenerated(HANDLER_SOURCE) === HANDLER_SOURCE, "stale: run node scripts/handler-texts.mjs");
});

test("every finding code reads as in the panel, in all three languages", async () => {
  for (const language of LANGUAGES) {
    const { ids, format } = await panel(language);
    const codes = ids.filter((id) => id.startsWith("finding-")).map((id) => id.slice("finding-".length));
    assert.ok(codes.length >= 20, `${language}: ${codes.length} finding codes`);
    for (const code of codes) {
      const text = format(`finding-${code}`, { subject: SUBJECT });
      // The panel shows a text under the recipient or file it concerns; a list names it first.
      const line = text.includes(SUBJECT) ? text : `${SUBJECT}: ${text}`;
      const lines = dialogFor(language, code).errorMessage.split("\n");
      assert.ok(lines.includes(`• ${line}`), `${language} ${code}:\n${lines.join("\n")}\nlacks • ${line}`);
    }
  }
});

test("the dialog's other words are the panel's too", async () => {
  for (const language of LANGUAGES) {
    const { format } = await panel(language);
    const dialog = dialogFor(language, "phone-required");
    assert.equal(dialog.cancelLabel, format("send-secure"), language);
    assert.ok(dialog.errorMessage.startsWith(format("handler-needs-action")), language);
    const outro = format("handler-send-normally");
    assert.ok(outro.includes(`**${format("send-standard")}**`), `${language}: ${outro}`);
    assert.ok(dialog.errorMessageMarkdown.endsWith(outro), language);
    for (const count of [1, 3]) {
      const bar = format("bar-actions-needed", { count });
      const handler = HANDLER.TEXTS[language]["bar-actions-needed"];
      assert.equal((count === 1 ? handler.one : handler.other).replace("{count}", count), bar);
    }
  }
});

test("no word for a thing that the panel calls otherwise", () => {
  const foreign = {
    nl: [/adresboek/i, /\bgroep\b/i, /veilig mailen/i],
    en: [/directory/i, /\bgroup\b/i, /secure mail\b/i],
    de: [/Verzeichnis/, /\bGruppe\b/, /sichere E-Mail angeschlossen/],
  };
  for (const language of LANGUAGES) {
    const everything = JSON.stringify(Object.values(HANDLER.TEXTS[language]));
    for (const word of foreign[language]) assert.doesNotMatch(everything, word, language);
  }
});

// The XML manifest converted by Microsoft's office-addin-manifest-converter validates against
// Microsoft's JSON schema (SPEC §10), offline; the committed unified manifest (/manifest.json)
// is exactly what scripts/manifest-json.mjs makes of the current manifest.xml.

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import test from "node:test";

import { OUTPUT_FILES, ROOT, convert, generate, renderXml } from "../../scripts/manifest-json.mjs";
import { validateLocale, validateManifest } from "./unified.mjs";

const BASE_URL = "https://sendsecure.example.nl";
const ADDIN_ID = "0f8fad5b-d9cb-469f-a165-70867728950e";
const PANEL_COMMAND_ID = /PANEL_COMMAND_ID = "([^"]+)"/.exec(
  readFileSync(join(ROOT, "addin-ui/static/launchevent.js"), "utf8")
)[1];

/** Converts an XML manifest text; returns {manifest, locales} or throws. */
function convertXml(xml) {
  const work = mkdtempSync(join(tmpdir(), "sendsecure-convert-"));
  try {
    writeFileSync(join(work, "manifest.xml"), xml);
    convert(join(work, "manifest.xml"), join(work, "out"));
    const manifest = JSON.parse(readFileSync(join(work, "out", "manifest.json"), "utf8"));
    const locales = (manifest.localizationInfo?.additionalLanguages ?? []).map((language) =>
      JSON.parse(readFileSync(join(work, "out", language.file), "utf8"))
    );
    return { manifest, locales };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function assertValid(manifest, locales) {
  const found = validateManifest(manifest);
  assert.deepEqual(found, [], `schema v${manifest.manifestVersion}:\n${found.join("\n")}`);
  for (const locale of locales) {
    const localeProblems = validateLocale(locale, manifest.manifestVersion);
    assert.deepEqual(localeProblems, [], localeProblems.join("\n"));
  }
}

const converted = convertXml(renderXml(BASE_URL, ADDIN_ID));

test("the converted manifest validates against Microsoft's schema", () => {
  assertValid(converted.manifest, converted.locales);
});

test("the conversion keeps what matters: id, domain, send event, handler, panel button, languages", () => {
  const { manifest } = converted;
  assert.equal(manifest.id, ADDIN_ID);
  assert.deepEqual(manifest.validDomains, [BASE_URL]);
  const [extension] = manifest.extensions;
  const [autoRun] = extension.autoRunEvents;
  assert.deepEqual(autoRun.events, [
    { type: "messageSending", actionId: "onMessageSendHandler", options: { sendMode: "softBlock" } },
  ]);
  const handlerRuntime = extension.runtimes.find((runtime) =>
    runtime.actions.some((action) => action.id === "onMessageSendHandler")
  );
  assert.deepEqual(handlerRuntime.code, {
    page: `${BASE_URL}/launchevent.html`,
    script: `${BASE_URL}/launchevent.js`,
  });
  const controls = extension.ribbons.flatMap((ribbon) =>
    ribbon.tabs.flatMap((tab) => tab.groups.flatMap((group) => group.controls))
  );
  assert.ok(controls.some((control) => control.id === PANEL_COMMAND_ID), "commandId is a control");
  assert.deepEqual(
    manifest.localizationInfo.additionalLanguages.map((language) => language.languageTag),
    ["en-us", "de-de"]
  );
  assert.doesNotMatch(JSON.stringify(converted), /TRUNCATED/, "no text was cut short");
});

test("the committed manifest.json and its language files are what the script makes of manifest.xml", () => {
  const fresh = generate();
  for (const name of OUTPUT_FILES) {
    assert.equal(
      readFileSync(join(ROOT, name), "utf8"),
      fresh[name],
      `${name} is stale: run \`node scripts/manifest-json.mjs\` and commit the result`
    );
  }
});

test("the served manifest.json, filled in, validates against Microsoft's schema", () => {
  const fill = (name) =>
    JSON.parse(
      readFileSync(join(ROOT, name), "utf8")
        .replaceAll("{{BASE_URL}}", BASE_URL)
        .replaceAll("{{ADDIN_ID}}", ADDIN_ID)
    );
  const manifest = fill("manifest.json");
  const locales = manifest.localizationInfo.additionalLanguages.map((language) => fill(language.file));
  assertValid(manifest, locales);
  assert.equal(manifest.localizationInfo.defaultLanguageTag, "nl-nl");
  assert.equal(manifest.name.short, "Send Secure");
  assert.match(manifest.description.short, /patiëntgegevens/, "the default texts are Dutch");
  const messageSending = manifest.extensions[0].autoRunEvents[0];
  assert.equal(messageSending.requirements.capabilities[0].minVersion, "1.12");
});

test("a manifest the converter cannot convert is a failure, not an empty success", () => {
  const broken = renderXml(BASE_URL, ADDIN_ID).replace(`<Id>${ADDIN_ID}</Id>`, "<Id>send-secure</Id>");
  assert.throws(() => convertXml(broken), /wrote no manifest.json/);
});

test("schema violations are reported", () => {
  const manifest = structuredClone(converted.manifest);
  delete manifest.id;
  manifest.extensions[0].autoRunEvents[0].events[0].options.sendMode = "hardBlock";
  manifest.validDomains.push(42);
  const found = validateManifest(manifest);
  assert.ok(found.some((problem) => /required.*"id"/.test(problem)), found.join("\n"));
  assert.ok(found.some((problem) => /sendMode/.test(problem)), found.join("\n"));
  assert.ok(found.some((problem) => /validDomains\/1/.test(problem)), found.join("\n"));
});

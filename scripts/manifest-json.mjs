#!/usr/bin/env node
// The unified JSON manifest (SPEC §10: /manifest.json), made from manifest.xml by Microsoft's
// office-addin-manifest-converter. The server cannot run node, so the result is committed as a
// template like the XML: manifest.json, manifest.en-us.json and manifest.de-de.json at the
// repository root, with {{BASE_URL}} and {{ADDIN_ID}} where the deployment's values go.
//
//     npm ci && node scripts/manifest-json.mjs       # after every change to manifest.xml
//
// tests/manifest/convert.test.mjs regenerates the files and fails when the committed ones are
// stale. How they are made:
//   1. manifest.xml is rendered with sentinel values (a base URL and an add-in id that occur
//      nowhere else) and converted with the converter's CLI;
//   2. the converter's output is adjusted where it cannot express the XML (each step below says
//      why); the result is still validated against Microsoft's schema by the tests;
//   3. the sentinels become placeholders again.

import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const SENTINEL_BASE_URL = "https://base-url.sendsecure.invalid";
export const SENTINEL_ADDIN_ID = "0ddba11c-5e0d-4ec5-8a5e-c0de5e0d0000";
/** The files written, as the manifest refers to them and the server serves them. */
export const OUTPUT_FILES = ["manifest.json", "manifest.en-us.json", "manifest.de-de.json"];
/**
 * The app package's two icons (Microsoft's rules for apps for Microsoft 365): by the name the
 * manifest gives them, which is their path in the package zip (at its root) and beside
 * /manifest.json on the server; the files are assets/<name>, drawn by scripts/icons.py.
 */
export const PACKAGE_ICONS = {
  color: { file: "color.png", size: 192 },
  outline: { file: "outline.png", size: 32 },
};
/** The privacy statement and terms of use (addin-ui/static/), compiled into the server. */
export const PRIVACY_PATH = "/privacy.html";
export const TERMS_PATH = "/terms.html";

/** manifest.xml with the deployment's values filled in, as the server renders it. */
export function renderXml(baseUrl, addinId) {
  const template = readFileSync(join(ROOT, "manifest.xml"), "utf8");
  return template.replaceAll("{{BASE_URL}}", baseUrl).replaceAll("{{ADDIN_ID}}", addinId);
}

/**
 * Runs Microsoft's converter on an XML manifest file into `outDir`. Returns the converter's
 * console output; throws when it fails or writes no manifest.json (it exits 0 and writes
 * nothing on some invalid input).
 */
export function convert(xmlFile, outDir) {
  const cli = require.resolve("office-addin-manifest-converter/cli.js");
  let output;
  try {
    output = execFileSync(process.execPath, [cli, "convert", xmlFile, "-o", outDir], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 60_000,
    });
  } catch (error) {
    throw new Error(`the converter failed: ${error.stderr || error.message}`);
  }
  if (!existsSync(join(outDir, "manifest.json"))) {
    throw new Error(`the converter wrote no manifest.json:\n${output}`);
  }
  return output;
}

/** Converts manifest.xml and returns the template files' contents by name. */
export function generate() {
  const work = mkdtempSync(join(tmpdir(), "sendsecure-manifest-"));
  try {
    const xml = renderXml(SENTINEL_BASE_URL, SENTINEL_ADDIN_ID);
    const out = convertText(xml, work, "all");
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    const locales = {};
    for (const language of manifest.localizationInfo?.additionalLanguages ?? []) {
      // Named after the manifest so they sit beside /manifest.json without claiming /en-us.json.
      const name = `manifest.${language.file}`;
      locales[name] = JSON.parse(readFileSync(join(out, language.file), "utf8"));
      language.file = name;
    }
    // The converter writes the main manifest's texts in en-US whatever <DefaultLocale> says,
    // so the Dutch defaults would be lost. Converted once more without the en-US overrides,
    // en-US falls back to the defaults: that run's texts replace the main manifest's.
    const dutch = JSON.parse(
      readFileSync(join(convertText(withoutLocale(xml, "en-US"), work, "default"), "manifest.json"), "utf8")
    );
    const { localizationInfo: _a, ...rest } = manifest;
    const { localizationInfo: _b, ...dutchRest } = dutch;
    if (JSON.stringify(shape(rest)) !== JSON.stringify(shape(dutchRest))) {
      throw new Error("the two conversions differ in more than their texts");
    }
    for (const key of Object.keys(locales["manifest.en-us.json"] ?? {})) {
      if (key !== "$schema") setPath(manifest, key, getPath(dutch, key));
    }
    raiseLaunchEventRequirement(manifest, readFileSync(join(ROOT, "manifest.xml"), "utf8"));
    appPackageFields(manifest);
    const files = { "manifest.json": manifest, ...locales };
    const text = {};
    for (const [name, value] of Object.entries(files)) {
      text[name] = placeholders(JSON.stringify(value, null, 4) + "\n");
    }
    const names = Object.keys(text).sort();
    if (names.join() !== [...OUTPUT_FILES].sort().join()) {
      throw new Error(`expected ${OUTPUT_FILES.join(", ")}; the converter made ${names.join(", ")}`);
    }
    return text;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function convertText(xml, work, name) {
  const xmlFile = join(work, `${name}.xml`);
  writeFileSync(xmlFile, xml);
  const out = join(work, name);
  convert(xmlFile, out);
  return out;
}

/** The XML without one locale's overrides. */
function withoutLocale(xml, locale) {
  const overrides = new RegExp(`\\s*<(bt:)?Override Locale="${locale}"[^>]*/>`, "g");
  const stripped = xml.replace(overrides, "");
  if (stripped === xml) throw new Error(`manifest.xml has no ${locale} overrides`);
  return stripped;
}

/** The segments of a localisation key: `extensions[0].ribbons[0].label` → extensions, 0, … */
function segments(key) {
  return key.split(/\.|\[(\d+)\]/).filter((part) => part !== undefined && part !== "");
}

function getPath(value, key) {
  const found = segments(key).reduce((inner, part) => (inner == null ? inner : inner[part]), value);
  if (typeof found !== "string") throw new Error(`no text at ${key} in the default-language run`);
  return found;
}

function setPath(value, key, text) {
  const parts = segments(key);
  const parent = parts.slice(0, -1).reduce((inner, part) => inner[part], value);
  if (typeof parent?.[parts.at(-1)] !== "string") throw new Error(`no text at ${key} to replace`);
  parent[parts.at(-1)] = text;
}

/** A JSON value with every string replaced by its type: what must agree between conversions. */
function shape(value) {
  if (typeof value === "string") return "string";
  if (Array.isArray(value)) return value.map(shape);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, shape(inner)]));
  }
  return value;
}

/**
 * The converter gives every VersionOverridesV1_1 extension point Mailbox 1.5, ignoring the
 * V1_1 block's own <Requirements>; the send event needs what the XML asks for (1.12), so that
 * clients without Smart Alerts do not register it.
 */
function raiseLaunchEventRequirement(manifest, xml) {
  const match = /<bt:Sets DefaultMinVersion="([\d.]+)">\s*<bt:Set Name="Mailbox"\s*\/>/.exec(xml);
  if (!match) throw new Error("manifest.xml: no Mailbox requirement in VersionOverridesV1_1");
  for (const extension of manifest.extensions ?? []) {
    for (const autoRun of extension.autoRunEvents ?? []) {
      for (const capability of autoRun.requirements?.capabilities ?? []) {
        if (capability.name === "Mailbox") capability.minVersion = match[1];
      }
    }
  }
}

/**
 * What the XML manifest has no element for, and the app package needs:
 * - the icons: the converter names the XML's 64 and 128 px add-in icons, but the package
 *   must hold a 192 px colour icon and a 32 px white-on-transparent outline icon;
 * - the privacy statement and the terms of use: the converter copies <SupportUrl> into both.
 */
function appPackageFields(manifest) {
  if (!manifest.icons || !manifest.developer) throw new Error("the converter wrote no icons or developer");
  manifest.icons = { outline: PACKAGE_ICONS.outline.file, color: PACKAGE_ICONS.color.file };
  manifest.developer.privacyUrl = `${SENTINEL_BASE_URL}${PRIVACY_PATH}`;
  manifest.developer.termsOfUseUrl = `${SENTINEL_BASE_URL}${TERMS_PATH}`;
}

function placeholders(text) {
  if (text.includes("{{")) throw new Error("the converter's output already holds a placeholder");
  const template = text
    .replaceAll(SENTINEL_BASE_URL, "{{BASE_URL}}")
    .replaceAll(SENTINEL_ADDIN_ID, "{{ADDIN_ID}}");
  // A sentinel in another form (a bare host, upper case) would escape the placeholders.
  if (/sendsecure\.invalid|0ddba11c/i.test(template)) {
    throw new Error("the converter's output holds a sentinel in a form this script does not know");
  }
  return template;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [name, content] of Object.entries(generate())) {
    writeFileSync(join(ROOT, name), content);
    console.log(`wrote ${name}`);
  }
}

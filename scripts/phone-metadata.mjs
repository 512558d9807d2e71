#!/usr/bin/env node
// libphonenumber's phone metadata for the server (SPEC §5.3), and test vectors that hold our
// parsing to it, both from one npm package: google-libphonenumber, Google's own JavaScript
// build, pinned exactly in package.json.
//
//     npm install --save-dev --save-exact google-libphonenumber@latest
//     node scripts/phone-metadata.mjs        # then cargo test -p addin-core
//
// It writes:
//   - addin-core/metadata/PhoneNumberMetadata.xml: the package's metadata written back in
//     libphonenumber's XML form, which the `phonenumber` crate loads (addin-core/src/phone.rs).
//     The crate's own copy lags behind libphonenumber's fortnightly releases; this way an
//     update is a package bump, not a wait for a new crate.
//   - tests/vectors/phones.json: a few thousand numbers with the package's verdict (valid?
//     which type? E.164), for every region: the example numbers of each type, random numbers
//     around the mobile and fixed-line ranges, and the ranges issue 13 was about.
//
// tests/phone/metadata.test.mjs regenerates both and fails when the committed files are stale.

import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const lib = require("google-libphonenumber");

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const METADATA_FILE = "addin-core/metadata/PhoneNumberMetadata.xml";
export const VECTORS_FILE = "tests/vectors/phones.json";
export const VERSION = JSON.parse(
  readFileSync(require.resolve("google-libphonenumber/package.json"), "utf8")
).version;

const util = lib.PhoneNumberUtil.getInstance();
const { PhoneNumberType, PhoneNumberFormat } = lib;

// Field numbers of libphonenumber's phonemetadata.proto: the package keeps each message as an
// array indexed by them.
const DESCRIPTORS = [
  [1, "generalDesc"],
  [2, "fixedLine"],
  [3, "mobile"],
  [4, "tollFree"],
  [5, "premiumRate"],
  [6, "sharedCost"],
  [7, "personalNumber"],
  [8, "voip"],
  [21, "pager"],
  [25, "uan"],
  [28, "voicemail"],
  [24, "noInternationalDialling"],
];
const TERRITORY_ATTRIBUTES = [
  [11, "internationalPrefix"],
  [17, "preferredInternationalPrefix"],
  [12, "nationalPrefix"],
  [13, "preferredExtnPrefix"],
  [15, "nationalPrefixForParsing"],
  [16, "nationalPrefixTransformRule"],
  [23, "leadingDigits"],
];
// Booleans, which the package may keep as 1 or true.
const TERRITORY_FLAGS = [
  [22, "mainCountryForCode"],
  [32, "mobileNumberPortableRegion"],
];

/** An attribute or text value; the crate reads them raw (no entities), so none may need one. */
function raw(value) {
  const text = String(value);
  if (/[<>&"]/.test(text)) throw new Error(`cannot write ${text} unescaped`);
  return text;
}

function descriptorXml(name, desc, general) {
  // A type the region does not have is [-1] in the package and absent in the XML.
  if (!desc || desc[2] == null || (desc[9] ?? []).includes(-1)) return [];
  // A type without lengths of its own has those of the general description.
  const lengths = desc[9] ?? general[9] ?? [];
  const localOnly = desc[10] ?? [];
  const lines = [`      <${name}>`];
  if (lengths.length) {
    const local = localOnly.length ? ` localOnly="${localOnly.join(",")}"` : "";
    lines.push(`        <possibleLengths national="${lengths.join(",")}"${local}/>`);
  }
  if (desc[6] != null) lines.push(`        <exampleNumber>${raw(desc[6])}</exampleNumber>`);
  // libphonenumber matches a pattern against the whole number, the crate from its start
  // only (a 9-digit range would take 11 digits): anchored, the crate matches as libphonenumber.
  lines.push(`        <nationalNumberPattern>^(?:${raw(desc[2])})$</nationalNumberPattern>`);
  lines.push(`      </${name}>`);
  return lines;
}

const sameFormat = (a, b) =>
  a[1] === b[1] && JSON.stringify(a[3] ?? []) === JSON.stringify(b[3] ?? []);

function formatsXml(national, international) {
  if (!national.length) return [];
  const lines = ["      <availableFormats>"];
  // The package lists international formats only where one differs; in the XML a format
  // with no international use says intlFormat NA.
  let next = 0;
  for (const format of national) {
    let intl = format[2];
    if (international.length) {
      const match = international[next] && sameFormat(international[next], format);
      intl = match ? international[next++][2] : "NA";
    }
    const attributes = [`pattern="${raw(format[1])}"`];
    if (format[4] != null) attributes.push(`nationalPrefixFormattingRule="${raw(format[4])}"`);
    if (format[5] != null) attributes.push(`carrierCodeFormattingRule="${raw(format[5])}"`);
    if (format[6]) attributes.push(`nationalPrefixOptionalWhenFormatting="true"`);
    lines.push(`        <numberFormat ${attributes.join(" ")}>`);
    for (const leading of format[3] ?? []) {
      lines.push(`          <leadingDigits>${raw(leading)}</leadingDigits>`);
    }
    lines.push(`          <format>${raw(format[2])}</format>`);
    if (intl !== format[2]) lines.push(`          <intlFormat>${raw(intl)}</intlFormat>`);
    lines.push("        </numberFormat>");
  }
  if (next !== international.length) throw new Error("unmatched international format");
  lines.push("      </availableFormats>");
  return lines;
}

function territoryXml(meta) {
  const attributes = [`id="${raw(meta[9])}"`, `countryCode="${raw(meta[10])}"`];
  for (const [field, name] of TERRITORY_ATTRIBUTES) {
    if (meta[field] != null) attributes.push(`${name}="${raw(meta[field])}"`);
  }
  for (const [field, name] of TERRITORY_FLAGS) {
    if (meta[field]) attributes.push(`${name}="true"`);
  }
  const lines = [`    <territory ${attributes.join(" ")}>`];
  lines.push(...formatsXml(meta[19] ?? [], meta[20] ?? []));
  for (const [field, name] of DESCRIPTORS) {
    lines.push(...descriptorXml(name, meta[field], meta[1]));
  }
  lines.push("    </territory>");
  return lines;
}

/** The package's metadata in libphonenumber's XML form (regions, then non-geographic codes). */
export function metadataXml() {
  const all = lib.metadata.countryToMetadata;
  const keys = Object.keys(all).sort((a, b) => {
    const [numericA, numericB] = [/^\d+$/.test(a), /^\d+$/.test(b)];
    if (numericA !== numericB) return numericA ? 1 : -1;
    return numericA ? Number(a) - Number(b) : a.localeCompare(b);
  });
  return [
    `<!-- Generated by scripts/phone-metadata.mjs from google-libphonenumber ${VERSION} (Apache-2.0,`,
    "     The Libphonenumber Authors): libphonenumber's phone metadata. Do not edit. -->",
    "<phoneNumberMetadata>",
    "  <territories>",
    ...keys.flatMap((key) => territoryXml(all[key])),
    "  </territories>",
    "</phoneNumberMetadata>",
    "",
  ].join("\n");
}

/** A seeded generator (mulberry32), so the vectors are the same on every run. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TYPES = [
  "FIXED_LINE",
  "MOBILE",
  "FIXED_LINE_OR_MOBILE",
  "TOLL_FREE",
  "PREMIUM_RATE",
  "SHARED_COST",
  "VOIP",
  "PERSONAL_NUMBER",
  "PAGER",
  "UAN",
  "VOICEMAIL",
];
const TYPE_NAMES = Object.fromEntries(
  Object.entries(PhoneNumberType).map(([name, value]) => [value, name])
);

/** The package's verdict on what a user typed, read as the server reads it (default NL). */
function verdict(input) {
  try {
    const number = util.parse(input, "NL");
    const valid = util.isValidNumber(number) && !number.hasExtension();
    return {
      input,
      valid,
      type: valid ? TYPE_NAMES[util.getNumberType(number)] : null,
      e164: valid ? util.format(number, PhoneNumberFormat.E164) : null,
    };
  } catch {
    return { input, valid: false, type: null, e164: null };
  }
}

/**
 * Inputs around the issue's ranges and the countries our users' patients come from most:
 * `[calling code, leading digits, national length]`, each filled with random digits.
 */
const RANGES = [
  ["597", "7", 7], // Suriname mobile (issue 13)
  ["597", "8", 7],
  ["46", "7", 9], // Sweden mobile (issue 13: 78…)
  ["46", "78", 9],
  ["31", "6", 9], // the Netherlands
  ["32", "4", 9], // Belgium
  ["49", "15", 11],
  ["49", "17", 10],
  ["44", "7", 10],
  ["90", "5", 10], // Türkiye
  ["212", "6", 9], // Morocco
  ["212", "7", 9],
  ["599", "9", 8], // Curaçao
  ["297", "5", 7], // Aruba
  ["297", "7", 7],
  ["1", "7215", 10], // Sint Maarten (+1 721)
];

/** Random digits after `prefix` up to `length` digits. */
function fill(next, prefix, length) {
  let digits = prefix;
  while (digits.length < length) digits += Math.floor(next() * 10);
  return digits;
}

/** Every test number, with the package's verdict. */
export function vectors() {
  const next = random(13);
  const inputs = new Set();
  for (const region of util.getSupportedRegions().sort()) {
    const code = util.getCountryCodeForRegion(region);
    for (const type of TYPES) {
      const example = util.getExampleNumberForType(region, PhoneNumberType[type]);
      if (example) inputs.add(util.format(example, PhoneNumberFormat.INTERNATIONAL));
    }
    // Around the mobile and fixed-line ranges: the example's first digits, one of them
    // changed, and random digits at each of the type's lengths and one longer.
    const meta = util.getMetadataForRegion(region);
    for (const desc of [meta.getMobile(), meta.getFixedLine()]) {
      const example = desc.getExampleNumber();
      if (!example) continue;
      const lengths = desc.possibleLengthArray().filter((length) => length > 0);
      for (let i = 0; i < 8; i += 1) {
        const keep = 1 + Math.floor(next() * Math.min(3, example.length - 1));
        let prefix = example.slice(0, keep);
        if (i % 2 === 1) prefix = prefix.slice(0, -1) + Math.floor(next() * 10);
        const longest = Math.max(...lengths);
        const length = i === 7 ? longest + 1 : lengths[Math.floor(next() * lengths.length)];
        inputs.add(`+${code} ${fill(next, prefix, length)}`);
      }
    }
  }
  for (const [code, leading, length] of RANGES) {
    for (let i = 0; i < 20; i += 1) inputs.add(`+${code} ${fill(next, leading, length)}`);
  }
  // Dutch numbers as typed without a country code, and with 00.
  for (let i = 0; i < 20; i += 1) {
    inputs.add(`06 ${fill(next, "", 8)}`);
    inputs.add(`0${fill(next, String(1 + Math.floor(next() * 9)), 9)}`);
    inputs.add(`00${fill(next, "", 11)}`);
  }
  return [...inputs].map(verdict);
}

/** The vectors file: its source, then one vector a line so a diff shows what changed. */
export function vectorsJson() {
  const lines = vectors().map((vector) => `    ${JSON.stringify(vector)}`);
  return [
    "{",
    `  "source": "google-libphonenumber ${VERSION}",`,
    '  "vectors": [',
    lines.join(",\n"),
    "  ]",
    "}",
    "",
  ].join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(join(ROOT, METADATA_FILE), metadataXml());
  const json = vectorsJson();
  writeFileSync(join(ROOT, VECTORS_FILE), json);
  const count = JSON.parse(json).vectors.length;
  console.log(`google-libphonenumber ${VERSION}: ${METADATA_FILE}, ${VECTORS_FILE} (${count})`);
}

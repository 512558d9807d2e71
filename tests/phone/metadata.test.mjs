// The committed phone metadata and test vectors are exactly what scripts/phone-metadata.mjs
// makes of the pinned google-libphonenumber: bump the package, rerun the script, commit both.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import test from "node:test";

import {
  METADATA_FILE,
  ROOT,
  VECTORS_FILE,
  metadataXml,
  vectorsJson,
} from "../../scripts/phone-metadata.mjs";

const STALE = "stale: run node scripts/phone-metadata.mjs and commit the result";

test("the committed phone metadata is the pinned package's", () => {
  const committed = readFileSync(join(ROOT, METADATA_FILE), "utf8");
  assert.ok(committed === metadataXml(), `${METADATA_FILE} is ${STALE}`);
});

test("the committed phone vectors are the pinned package's verdicts", () => {
  const committed = readFileSync(join(ROOT, VECTORS_FILE), "utf8");
  assert.ok(committed === vectorsJson(), `${VECTORS_FILE} is ${STALE}`);
});

test("the vectors cover every region and the ranges of issue 13", () => {
  const { vectors } = JSON.parse(readFileSync(join(ROOT, VECTORS_FILE), "utf8"));
  assert.ok(vectors.length > 4000, `${vectors.length}`);
  const accepted = (prefix) =>
    vectors.some((v) => v.valid && v.type === "MOBILE" && v.e164.startsWith(prefix));
  for (const prefix of ["+5977", "+4678", "+316", "+324", "+905", "+2126", "+5999", "+1721"]) {
    assert.ok(accepted(prefix), `no valid mobile ${prefix}…`);
  }
  assert.ok(vectors.some((v) => !v.valid), "no invalid numbers");
});

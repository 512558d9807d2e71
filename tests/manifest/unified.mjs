// Validation of the unified JSON manifest against Microsoft's JSON schema, offline: the schema
// files bundled in @microsoft/app-manifest, read directly (its CommonJS entry point pulls in an
// ESM-only dependency and cannot be required here), checked with a draft-04 validator.

import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);
const Ajv = require("ajv-draft-04");
const addFormats = require("ajv-formats");

const SCHEMAS = join(
  dirname(require.resolve("@microsoft/app-manifest/package.json")),
  "build/json-schemas/teams"
);

const validators = new Map();

function validator(version, file) {
  const path = join(SCHEMAS, `v${version}`, file);
  if (!existsSync(path)) {
    throw new Error(`@microsoft/app-manifest bundles no schema for manifestVersion ${version} (${path})`);
  }
  if (!validators.has(path)) {
    // unicodeRegExp: false — the localisation schema has patterns that are valid only without the u flag.
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    validators.set(path, ajv.compile(JSON.parse(readFileSync(path, "utf8"))));
  }
  return validators.get(path);
}

function problems(validate, value) {
  if (validate(value)) return [];
  return validate.errors.map(
    (error) => `${error.instancePath || "/"} ${error.message} ${JSON.stringify(error.params)}`
  );
}

/** Schema problems of a unified manifest, by the schema of its own manifestVersion. */
export function validateManifest(manifest) {
  if (!manifest || typeof manifest.manifestVersion !== "string") return ["no manifestVersion"];
  return problems(validator(manifest.manifestVersion, "MicrosoftTeams.schema.json"), manifest);
}

/** Schema problems of one localisation file of a manifest of `manifestVersion`. */
export function validateLocale(locale, manifestVersion) {
  return problems(validator(manifestVersion, "MicrosoftTeams.Localization.schema.json"), locale);
}

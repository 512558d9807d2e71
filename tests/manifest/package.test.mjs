// The unified manifest's icons and the app package for the Microsoft 365 admin centre
// (issue 13), offline: the icons have the sizes Microsoft validates (colour 192 x 192, outline
// 32 x 32 white on transparent), every icon the manifests name exists at its stated size, and
// the zip `sendsecure manifest --package` writes holds manifest.json, its language files and
// its icons at the paths the manifest gives, with a manifest valid against Microsoft's schema.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import test from "node:test";

import { PACKAGE_ICONS, PRIVACY_PATH, ROOT, TERMS_PATH } from "../../scripts/manifest-json.mjs";
import { pngHeader, pngPixels, readZip } from "./files.mjs";
import { validateLocale, validateManifest } from "./unified.mjs";

const BASE_URL = "https://sendsecure.example.nl";
const ADDIN_ID = "0f8fad5b-d9cb-469f-a165-70867728950e";
const TEMPLATE = JSON.parse(readFileSync(join(ROOT, "manifest.json"), "utf8"));

/** A package icon's file: assets/<the name the manifest gives it>. */
const asset = (name) => join(ROOT, "assets", name);

/** Every pixel of an RGBA buffer as [r, g, b, a]. */
function* pixels(rgba) {
  for (let i = 0; i < rgba.length; i += 4) yield [rgba[i], rgba[i + 1], rgba[i + 2], rgba[i + 3]];
}

test("the manifest names the package icons, which have the sizes Microsoft validates", () => {
  assert.deepEqual(TEMPLATE.icons, {
    outline: PACKAGE_ICONS.outline.file,
    color: PACKAGE_ICONS.color.file,
  });
  for (const [kind, size] of [["color", 192], ["outline", 32]]) {
    const { width, height } = pngHeader(readFileSync(asset(TEMPLATE.icons[kind])));
    assert.deepEqual([width, height], [size, size], `icons.${kind}`);
  }
});

/** What keeps a PNG from being an outline icon: white on transparent, mostly transparent. */
function outlineProblems(png) {
  const problems = [];
  let transparent = 0;
  let opaque = 0;
  let coloured = 0;
  for (const [r, g, b, a] of pixels(png.rgba)) {
    if (a > 0 && (r !== 255 || g !== 255 || b !== 255)) coloured++;
    if (a === 0) transparent++;
    if (a === 255) opaque++;
  }
  const total = png.width * png.height;
  if (coloured > 0) problems.push(`${coloured} visible pixels are not white`);
  if (transparent <= total / 3) problems.push(`only ${transparent} of ${total} pixels are transparent`);
  if (opaque <= total / 10) problems.push(`only ${opaque} of ${total} pixels are opaque: no symbol`);
  for (const [x, y] of [[0, 0], [png.width - 1, 0], [0, png.height - 1], [png.width - 1, png.height - 1]]) {
    if (png.rgba[(y * png.width + x) * 4 + 3] !== 0) problems.push(`corner ${x},${y} is not transparent`);
  }
  return problems;
}

/** What keeps a PNG from being the colour icon: a full square, no transparency. */
function colorProblems(png) {
  const translucent = [...pixels(png.rgba)].filter(([, , , a]) => a !== 255).length;
  return translucent ? [`${translucent} pixels are not opaque`] : [];
}

test("the outline icon is white on a transparent background", () => {
  assert.deepEqual(outlineProblems(pngPixels(readFileSync(asset(TEMPLATE.icons.outline)))), []);
});

test("the colour icon is a full square: no transparent pixel", () => {
  assert.deepEqual(colorProblems(pngPixels(readFileSync(asset(TEMPLATE.icons.color)))), []);
});

test("icons that break the rules are caught", () => {
  // The ribbon's 32 px icon: a colour tile with transparent rounded corners.
  const ribbon = pngPixels(readFileSync(join(ROOT, "assets/icon-32.png")));
  assert.ok(outlineProblems(ribbon).some((problem) => /not white/.test(problem)), outlineProblems(ribbon).join("\n"));
  assert.ok(colorProblems(ribbon).length > 0, "transparent corners");
  const color = pngPixels(readFileSync(asset(TEMPLATE.icons.color)));
  assert.ok(outlineProblems(color).some((problem) => /transparent/.test(problem)));
});

test("every icon the unified manifest names by URL exists at its stated size", () => {
  const prefix = "{{BASE_URL}}/";
  const named = [];
  for (const extension of TEMPLATE.extensions) {
    for (const ribbon of extension.ribbons ?? []) {
      for (const tab of ribbon.tabs) {
        for (const group of tab.groups) {
          for (const icon of [...(group.icons ?? []), ...group.controls.flatMap((control) => control.icons ?? [])]) {
            named.push({ ...icon, scale: 1 });
          }
        }
      }
    }
    for (const alternate of extension.alternates ?? []) {
      const icons = alternate.alternateIcons;
      if (!icons) continue;
      named.push({ ...icons.icon, scale: 1 });
      // The unified manifest states the high-resolution icon's logical size: its file is 2x.
      named.push({ ...icons.highResolutionIcon, scale: 2 });
    }
  }
  assert.ok(named.length >= 5, JSON.stringify(named));
  for (const { url, size, scale } of named) {
    assert.ok(url.startsWith(prefix), `${url} is on the deployment`);
    const file = join(ROOT, url.slice(prefix.length));
    assert.ok(existsSync(file), `${url} exists`);
    const { width, height } = pngHeader(readFileSync(file));
    assert.deepEqual([width, height], [size * scale, size * scale], url);
  }
});

test("the privacy statement and terms of use are the deployment's own https pages", () => {
  assert.equal(TEMPLATE.developer.privacyUrl, `{{BASE_URL}}${PRIVACY_PATH}`);
  assert.equal(TEMPLATE.developer.termsOfUseUrl, `{{BASE_URL}}${TERMS_PATH}`);
  for (const path of [PRIVACY_PATH, TERMS_PATH]) {
    const page = readFileSync(join(ROOT, "addin-ui/static", path), "utf8");
    assert.match(page, /<section id="nl">/, `${path} in Dutch`);
    assert.match(page, /<section id="en" lang="en">/, `${path} in English`);
  }
});

/** The sendsecure binary: $SENDSECURE_BIN, or built here (quick once `cargo test` ran). */
function binary() {
  if (process.env.SENDSECURE_BIN) return process.env.SENDSECURE_BIN;
  execFileSync("cargo", ["build", "--quiet", "-p", "addin-api", "--bin", "sendsecure"], {
    cwd: ROOT,
    stdio: ["ignore", "inherit", "inherit"],
  });
  return join(process.env.CARGO_TARGET_DIR || join(ROOT, "target"), "debug/sendsecure");
}

test("sendsecure manifest --package writes a schema-valid app package", () => {
  const work = mkdtempSync(join(tmpdir(), "sendsecure-package-"));
  try {
    const file = join(work, "sendsecure.zip");
    const env = { ...process.env };
    delete env.SENDSECURE_PUBLIC_URL;
    delete env.SENDSECURE_ADDIN_ID;
    execFileSync(binary(), ["manifest", "--base-url", BASE_URL, "--addin-id", ADDIN_ID, "--package", file], {
      env,
      stdio: ["ignore", "pipe", "inherit"],
    });
    const entries = readZip(readFileSync(file));

    const manifest = JSON.parse(entries.get("manifest.json").toString("utf8"));
    const problems = validateManifest(manifest);
    assert.deepEqual(problems, [], `schema v${manifest.manifestVersion}:\n${problems.join("\n")}`);
    assert.equal(manifest.id, ADDIN_ID);
    assert.deepEqual(manifest.validDomains, [BASE_URL]);
    assert.doesNotMatch(JSON.stringify(manifest), /\{\{/, "no placeholder left");
    for (const key of ["websiteUrl", "privacyUrl", "termsOfUseUrl"]) {
      assert.ok(manifest.developer[key].startsWith(`${BASE_URL}/`), `developer.${key} is https on the deployment`);
    }

    const expected = ["manifest.json"];
    for (const language of manifest.localizationInfo.additionalLanguages) {
      expected.push(language.file);
      const locale = JSON.parse(entries.get(language.file).toString("utf8"));
      const localeProblems = validateLocale(locale, manifest.manifestVersion);
      assert.deepEqual(localeProblems, [], `${language.file}:\n${localeProblems.join("\n")}`);
    }
    for (const kind of ["color", "outline"]) {
      const name = manifest.icons[kind];
      expected.push(name);
      assert.ok(entries.get(name)?.equals(readFileSync(asset(name))), `${name} is assets/${name}`);
    }
    assert.deepEqual([...entries.keys()], expected, "the manifest's files, at the paths it gives, and nothing else");
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test("the zip reader refuses what is not a zip", () => {
  assert.throws(() => readZip(Buffer.from("not a zip")), /not a zip/);
});

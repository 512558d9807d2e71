#!/usr/bin/env node
// The task pane's size and speed (issue 5):
//
// * size: every file dist/taskpane.html loads (the loader script, Trunk's JS glue, the WASM, the
//   CSS), raw and gzip -9 — the budget is 250 KB gzip together;
// * time to first verdict: in headless Chromium, the real `sendsecure serve` on loopback and a
//   signed-in user with a draft in the playground, the time from Office.onReady resolving in the
//   panel to the first verdict on screen (the panel's performance marks
//   `sendsecure-office-ready` and `sendsecure-first-verdict`), over several loads of the panel —
//   the budget is 300 ms.
//
//     node scripts/panel-metrics.mjs [--runs 20] [--json]
//
// Build the panel first (trunk build --release --offline). tests/browser/metrics.test.mjs runs the
// same functions and holds the budgets.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";

import {
  DIST,
  USER,
  launchBrowser,
  openPlayground,
  percentile,
  signInByApi,
  startServer,
  until,
} from "../tests/browser/helpers.mjs";

export const SIZE_BUDGET_BYTES = 250 * 1000;
export const FIRST_VERDICT_BUDGET_MS = 300;

/** The files taskpane.html loads: scripts, the WASM, stylesheets, preloads (same origin). */
export function panelFiles(dist = DIST) {
  const html = readFileSync(join(dist, "taskpane.html"), "utf8");
  const found = new Set();
  const attribute = /\b(?:src|href|data-app-js|data-app-wasm)\s*=\s*"([^"]+)"/g;
  for (const [, url] of html.matchAll(attribute)) {
    if (/^(?:https?:)?\/\//.test(url) || url.startsWith("data:")) continue;
    const path = url.split(/[?#]/)[0].replace(/^\.?\//, "");
    if (/\.(?:js|mjs|wasm|css)$/.test(path)) found.add(path);
  }
  return [...found].sort();
}

/** Each file's raw and gzip size, and the total. */
export function panelSizes(dist = DIST) {
  const files = panelFiles(dist).map((name) => {
    const bytes = readFileSync(join(dist, name));
    return { name, bytes: bytes.length, gzip: zlib.gzipSync(bytes, { level: 9 }).length };
  });
  const total = files.reduce((sum, file) => ({ bytes: sum.bytes + file.bytes, gzip: sum.gzip + file.gzip }), { bytes: 0, gzip: 0 });
  return { files, total };
}

const DRAFT = {
  to: [{ displayName: "B. Smit", emailAddress: "b.smit@ziekenhuis-west.nl" }],
  cc: [{ displayName: "M. Bakker", emailAddress: "m.bakker@example.com" }],
  subject: "Verwijzing",
  attachments: [{ name: "verwijsbrief.pdf", size: 183211 }],
};

/**
 * Loads the panel `runs` times (after one warm-up load) on a draft and reads its marks.
 * Resolves with {samples: [ms], p50, p95, max, loadToVerdict: [ms]}.
 */
export async function timeToFirstVerdict({ runs = 20, server: given, browser: givenBrowser } = {}) {
  const server = given || (await startServer());
  const browser = givenBrowser || (await launchBrowser());
  try {
    const session = await signInByApi(server, USER);
    const { context, page } = await openPlayground(browser, server, { session });
    const samples = [];
    const fromNavigation = [];
    let previous = null;
    for (let i = 0; i < runs + 1; i += 1) {
      await page.evaluate((draft) => SendSecurePlayground.setDraft(draft), DRAFT);
      const panel = page.frame({ url: /\/taskpane\.html/ }) || (await until(() => page.frame({ url: /\/taskpane\.html/ }), "the panel's frame"));
      const marks = await until(
        () =>
          panel
            .evaluate(() => {
              const at = (name) => performance.getEntriesByName(name)[0]?.startTime;
              const ready = at("sendsecure-office-ready");
              const verdict = at("sendsecure-first-verdict");
              const origin = performance.timeOrigin;
              return ready !== undefined && verdict !== undefined ? { ready, verdict, origin } : null;
            })
            // Still the previous load (or between two): ask again.
            .then((found) => (found && found.origin !== previous ? found : null))
            .catch(() => null),
        "the panel's sendsecure-first-verdict mark"
      );
      previous = marks.origin;
      if (i === 0) continue; // warm-up: caches and the server's first requests
      samples.push(marks.verdict - marks.ready);
      fromNavigation.push(marks.verdict);
    }
    await context.close();
    return {
      samples,
      p50: percentile(samples, 50),
      p95: percentile(samples, 95),
      max: Math.max(...samples),
      fromNavigation: { p50: percentile(fromNavigation, 50), p95: percentile(fromNavigation, 95) },
    };
  } finally {
    if (!givenBrowser) await browser.close();
    if (!given) await server.stop();
  }
}

export function sizeReport({ files, total }) {
  const kb = (bytes) => (bytes / 1000).toFixed(1) + " KB";
  const lines = files.map((file) => `  ${file.name}: ${kb(file.bytes)} (${kb(file.gzip)} gzip)`);
  lines.push(`  together: ${kb(total.bytes)} (${kb(total.gzip)} gzip; budget ${kb(SIZE_BUDGET_BYTES)} gzip)`);
  return "panel files loaded by taskpane.html:\n" + lines.join("\n");
}

export function speedReport(speed) {
  return (
    `time from Office.onReady to the first verdict, ${speed.samples.length} loads: ` +
    `p50 ${speed.p50.toFixed(1)} ms, p95 ${speed.p95.toFixed(1)} ms, max ${speed.max.toFixed(1)} ms ` +
    `(budget ${FIRST_VERDICT_BUDGET_MS} ms); from navigation: p50 ${speed.fromNavigation.p50.toFixed(1)} ms, ` +
    `p95 ${speed.fromNavigation.p95.toFixed(1)} ms`
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { runs: { type: "string", default: "20" }, json: { type: "boolean" } } });
  const sizes = panelSizes();
  const speed = await timeToFirstVerdict({ runs: Number(values.runs) });
  if (values.json) console.log(JSON.stringify({ sizes, speed }, null, 2));
  else console.log(sizeReport(sizes) + "\n" + speedReport(speed));
}

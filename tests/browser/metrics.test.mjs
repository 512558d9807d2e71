// The task pane's size and speed budgets (issue 5), measured by scripts/panel-metrics.mjs: the
// gzip size of what taskpane.html loads, and the time from Office.onReady to the first verdict
// on screen with the API on loopback.

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  FIRST_VERDICT_BUDGET_MS,
  SIZE_BUDGET_BYTES,
  panelSizes,
  sizeReport,
  speedReport,
  timeToFirstVerdict,
} from "../../scripts/panel-metrics.mjs";

test("the panel's WASM + JS + CSS are at most 250 KB gzip together", (t) => {
  const sizes = panelSizes();
  const report = sizeReport(sizes);
  console.log(report);
  t.diagnostic(report);
  assert.ok(sizes.files.some((file) => file.name.endsWith(".wasm")), "the WASM is among them");
  assert.ok(sizes.files.some((file) => file.name.endsWith(".css")), "the CSS is among them");
  assert.ok(sizes.total.gzip <= SIZE_BUDGET_BYTES, `${sizes.total.gzip} bytes gzip`);
});

test("the first verdict is on screen within 300 ms of Office.onReady", async (t) => {
  const speed = await timeToFirstVerdict({ runs: 20 });
  const report = speedReport(speed);
  console.log(report);
  t.diagnostic(report);
  assert.ok(speed.p50 <= FIRST_VERDICT_BUDGET_MS, `p50 ${speed.p50} ms`);
});

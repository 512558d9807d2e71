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
import { USER, launchBrowser, openPlayground, percentile, signInByApi, startServer } from "./helpers.mjs";

test("the panel's WASM + JS + CSS are at most 250 KB gzip together", () => {
  const sizes = panelSizes();
  const report = sizeReport(sizes);
  console.log(report);
  assert.ok(sizes.files.some((file) => file.name.endsWith(".wasm")), "the WASM is among them");
  assert.ok(sizes.files.some((file) => file.name.endsWith(".css")), "the CSS is among them");
  assert.ok(sizes.total.gzip <= SIZE_BUDGET_BYTES, `${sizes.total.gzip} bytes gzip`);
});

test("the first verdict is on screen within 300 ms of Office.onReady", async () => {
  const speed = await timeToFirstVerdict({ runs: 20 });
  const report = speedReport(speed);
  console.log(report);
  assert.ok(speed.p50 <= FIRST_VERDICT_BUDGET_MS, `p50 ${speed.p50} ms`);
});

test("the panel's API calls over HTTP/2 do not wait for delayed ACKs (TCP_NODELAY)", async () => {
  // Without TCP_NODELAY a response's HEADERS and DATA frames are two small writes, and Nagle's
  // algorithm holds the second until the browser's delayed ACK, 40 ms later, on every call.
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    const session = await signInByApi(server, USER);
    const { page } = await openPlayground(browser, server, { session });
    const timings = await page.evaluate(async (session) => {
      const out = [];
      for (let i = 0; i < 21; i += 1) {
        const started = performance.now();
        const response = await fetch("/api/v1/check", {
          method: "POST",
          headers: { "content-type": "application/json", authorization: "Bearer " + session.token, "x-device-id": session.device },
          body: JSON.stringify({ sender: session.mailbox, to: [{ address: "b.smit@ziekenhuis-west.nl" }], subject: "x" }),
        });
        await response.json();
        const entry = performance.getEntriesByType("resource").at(-1);
        if (i > 0) out.push({ ms: performance.now() - started, protocol: entry.nextHopProtocol });
      }
      return out;
    }, session);
    assert.ok(timings.every((timing) => timing.protocol === "h2"), "the browser speaks HTTP/2 to serve");
    const p50 = percentile(timings.map((timing) => timing.ms), 50);
    console.log(`POST /api/v1/check from the browser over HTTP/2, 20 calls: p50 ${p50.toFixed(1)} ms`);
    assert.ok(p50 < 30, `p50 ${p50} ms: a delayed-ACK stall`);
  } finally {
    await browser.close();
    await server.stop();
  }
});

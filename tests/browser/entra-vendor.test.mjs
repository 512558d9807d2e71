// Entra ID sign-in in the panel needs MSAL.js (nested app authentication). `./dev` vendors it
// from npm into dist/vendor/; this proves the served copy loads under the task pane's strict
// CSP and offers `createNestablePublicClientApplication`, which the panel's entra.rs calls.

import assert from "node:assert/strict";
import { test } from "node:test";

import { launchBrowser, startServer } from "./helpers.mjs";

test("the vendored MSAL.js loads same-origin under the CSP and offers nested app authentication", async () => {
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    const blocked = [];
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) blocked.push(message.text());
    });
    await page.goto(`${server.origin}/manual.html`);
    await page.addScriptTag({ url: "/vendor/msal-browser.min.js" });
    const kind = await page.evaluate(() => typeof window.msal?.createNestablePublicClientApplication);
    assert.equal(kind, "function");
    assert.deepEqual(blocked, [], "nothing was refused by the CSP");
  } finally {
    await browser.close();
    await server.stop();
  }
});

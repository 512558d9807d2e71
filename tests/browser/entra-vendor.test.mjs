// Entra ID sign-in in the panel needs MSAL.js (nested app authentication). The Trunk build
// copies it from npm (node_modules/@azure/msal-browser) into dist/vendor/ (addin-ui/index.html);
// this proves the served copy loads under the task pane's strict CSP and offers
// `createNestablePublicClientApplication`, which the panel's entra.rs calls, and that the
// Office-dialog fallback page gets MSAL too, under a CSP that lets it reach only the identity
// platform beyond its own origin.

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

test("the Office-dialog sign-in page loads MSAL.js under its own CSP", async () => {
  const server = await startServer();
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    // No Office.js here (no network): the page must still load its own scripts.
    await context.route("https://appsforoffice.microsoft.com/**", (route) =>
      route.fulfill({ contentType: "text/javascript", body: "window.Office = { onReady: () => new Promise(() => {}) };" }),
    );
    const page = await context.newPage();
    const blocked = [];
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) blocked.push(message.text());
    });
    const response = await page.goto(`${server.origin}/entra-dialog.html`);
    assert.equal(response.status(), 200);
    const csp = response.headers()["content-security-policy"];
    assert.match(csp, /connect-src 'self' https:\/\/login\.microsoftonline\.com;/);
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval' https:\/\/appsforoffice\.microsoft\.com;/);
    const kind = await page.evaluate(() => typeof window.msal?.PublicClientApplication);
    assert.equal(kind, "function");
    assert.deepEqual(blocked, [], "nothing was refused by the CSP");
  } finally {
    await browser.close();
    await server.stop();
  }
});

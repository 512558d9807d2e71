// The browser tests' harness: the real `sendsecure serve` (debug build) on a random loopback port
// with a fresh data directory, serving the built panel from dist/; Debian's Chromium driven by
// Playwright (playwright-core, never a downloaded browser); the playground page as Outlook.
//
//   const server = await startServer();            // policy: viewer-phone-required
//   const browser = await launchBrowser();
//   const { page, panel } = await openPlayground(browser, server, { user });
//   ...
//   await browser.close(); await server.stop();
//
// SENDSECURE_BIN names a prebuilt binary (./dev test builds it); otherwise `cargo build -p
// addin-api --bin sendsecure` runs first. CHROMIUM overrides /usr/bin/chromium;
// EXTRA_CHROMIUM_ARGS adds flags (e.g. --disable-http2 to compare protocols).

import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
/** Trunk's output (SENDSECURE_WEB_DIR may point elsewhere while developing the harness). */
export const DIST = process.env.SENDSECURE_WEB_DIR || join(ROOT, "dist");
export const SCREENSHOTS = join(ROOT, "docs/screenshots");
export const USER = "a.jansen@huisartsen-oost.nl";
/** The ribbon button's id in manifest.xml, which Smart Alerts' commandId names. */
export const PANEL_COMMAND_ID = "SendSecure.OpenPanel";

/** The policy the tests run under: the safest installation type, so a phone is required. */
export const POLICY = `
installation_type = "viewer-phone-required"
security_by_default = true

[organisation]
domains = ["huisartsen-oost.nl"]

[auth]
method = "email-code"
`;

const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-dev-shm-usage",
  ...(process.env.EXTRA_CHROMIUM_ARGS ? process.env.EXTRA_CHROMIUM_ARGS.split(" ") : []),
];

/** Waits for `check` to return something truthy, polling; throws `what` after `timeout` ms. */
export async function until(check, what, { timeout = 10000, every = 25 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, every));
  }
}

let binary = null;
function serverBinary() {
  if (process.env.SENDSECURE_BIN) return process.env.SENDSECURE_BIN;
  if (!binary) {
    execFileSync("cargo", ["build", "--quiet", "-p", "addin-api", "--bin", "sendsecure"], { cwd: ROOT, stdio: "inherit" });
    binary = join(ROOT, "target/debug/sendsecure");
  }
  return binary;
}

/** Fails early, with the fix, when the panel has not been built. */
export function assertPanelBuilt() {
  for (const file of ["taskpane.html", "playground.html", "office-double.js"]) {
    if (!existsSync(join(DIST, file))) {
      throw new Error(`dist/${file} is missing: build the panel first (trunk build --release --offline; ./dev test does)`);
    }
  }
}

/**
 * Starts `sendsecure serve` on 127.0.0.1:0 with a fresh data directory and `policy`. Resolves
 * with {url, origin, dataDir, stop(), signInCode(mailbox), log()}.
 */
export async function startServer({ policy = POLICY } = {}) {
  assertPanelBuilt();
  const dataDir = mkdtempSync(join(tmpdir(), "sendsecure-browser-"));
  const policyFile = join(dataDir, "policy.toml");
  writeFileSync(policyFile, policy);
  const child = spawn(
    serverBinary(),
    [
      "serve",
      "--listen", "127.0.0.1:0",
      "--public-url", "https://localhost",
      "--data-dir", dataDir,
      "--policy", policyFile,
      "--web-dir", DIST,
      // The secure route too: the playground hands sent mail to this relay (no next hop, so it
      // goes to <data-dir>/relay-outbox/).
      "--smtp-listen", "127.0.0.1:0",
    ],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, RUST_LOG: process.env.RUST_LOG || "warn" } }
  );
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));

  const address = await Promise.race([
    until(() => /Send Secure is listening on https:\/\/(\S+)/.exec(output)?.[1], "`serve` to listen", { timeout: 30000 }),
    exited.then((code) => {
      throw new Error(`sendsecure serve exited (${code}):\n${output}`);
    }),
  ]);
  const port = address.split(":").pop();
  const origin = `https://localhost:${port}`;

  return {
    origin,
    dataDir,
    log: () => output,
    /** An API call with `session` (method, path, JSON body). */
    api(session, method, path, body) {
      return fetchInsecure(origin + path, {
        method,
        headers: {
          "content-type": "application/json",
          authorization: "Bearer " + session.token,
          "x-device-id": session.device,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    },
    /** The relay's hand-overs so far: [{envelope: {from, to}, eml}] from <data-dir>/relay-outbox/. */
    relayed() {
      const outbox = join(dataDir, "relay-outbox");
      if (!existsSync(outbox)) return [];
      return readdirSync(outbox)
        .filter((name) => name.endsWith(".envelope.json"))
        .map((name) => ({
          envelope: JSON.parse(readFileSync(join(outbox, name), "utf8")),
          eml: readFileSync(join(outbox, name.replace(/\.envelope\.json$/, ".eml")), "utf8"),
        }));
    },
    /** The SMS messages written so far, oldest first: [{to, text}] from <data-dir>/sms-outbox/. */
    sms() {
      const outbox = join(dataDir, "sms-outbox");
      if (!existsSync(outbox)) return [];
      return readdirSync(outbox)
        .filter((name) => name.endsWith(".json"))
        .map((name) => join(outbox, name))
        .map((path) => ({ path, at: statSync(path).mtimeMs }))
        .sort((a, b) => a.at - b.at)
        .map(({ path }) => JSON.parse(readFileSync(path, "utf8")));
    },
    /** A link in a mail (https://localhost/…, the public URL) on this server. */
    local(link) {
      return link.replace(/^https:\/\/localhost(?=\/)/, origin);
    },
    /** The newest sign-in code mailed to `mailbox` (read from <data-dir>/outbox/*.eml). */
    async signInCode(mailbox, { after = 0 } = {}) {
      return until(() => newestCode(join(dataDir, "outbox"), mailbox, after), `a sign-in code for ${mailbox} in the outbox`);
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function newestCode(outbox, mailbox, after) {
  if (!existsSync(outbox)) return null;
  const mails = readdirSync(outbox)
    .filter((name) => name.endsWith(".eml"))
    .map((name) => join(outbox, name))
    .map((path) => ({ path, at: statSync(path).mtimeMs }))
    .filter((mail) => mail.at >= after)
    .sort((a, b) => b.at - a.at);
  for (const mail of mails) {
    const text = decodeMail(readFileSync(mail.path, "utf8"));
    if (!text.toLowerCase().includes(mailbox.toLowerCase())) continue;
    const code = /\b(\d{6,10})\b/.exec(text.split(/\r?\n\r?\n/).slice(1).join("\n"));
    if (code) return code[1];
  }
  return null;
}

/** The mail's text with quoted-printable and base64 parts decoded (enough to find a code or a
 *  link). */
export function decodeMail(raw) {
  const decoded = [raw.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)))];
  for (const block of raw.matchAll(/Content-Transfer-Encoding: base64\r?\n(?:[^\r\n]+\r?\n)*\r?\n([A-Za-z0-9+/=\r\n]+)/g)) {
    decoded.push(Buffer.from(block[1].replace(/\s+/g, ""), "base64").toString("utf8"));
  }
  return decoded.join("\n");
}

/** Debian's Chromium, headless, through Playwright; Playwright gives it a fresh profile. */
export async function launchBrowser() {
  const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
  if (!existsSync(executablePath)) {
    throw new Error(`${executablePath} is missing: install Debian's chromium (./dev setup does)`);
  }
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}

/**
 * A fresh browser context (its own storage) on the playground. `user` is the signed-in
 * mailbox; `lang` Outlook's display language; `mailbox` "1.14" drops item.sendAsync; `pane`
 * "closed" starts without the panel.
 * Resolves with {context, page, panel} where `panel` is the task pane's frame locator.
 */
export async function openPlayground(browser, server, { user = USER, lang, mailbox, pane, session, width = 1280, height = 900 } = {}) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width, height } });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(error));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(new Error(message.text()));
  });
  if (session) {
    // A session signed in through the API, in the storage the panel and handler share.
    await context.addInitScript(
      ({ device, key, value }) => {
        if (!localStorage.getItem("sendsecure.device")) {
          localStorage.setItem("sendsecure.device", device);
          localStorage.setItem(key, value);
        }
      },
      {
        device: session.device,
        key: "sendsecure.session." + session.mailbox,
        value: JSON.stringify({ token: session.token, expires_at: session.expires_at }),
      }
    );
  }
  const query = new URLSearchParams({ user });
  if (lang) query.set("lang", lang);
  if (mailbox) query.set("mailbox", mailbox);
  if (pane) query.set("pane", pane);
  await page.goto(`${server.origin}/playground?${query}`);
  const panel = page.frameLocator("#panel");
  return { context, page, panel, errors };
}

/**
 * Signs `mailbox` in through the API (e-mail code from the outbox), as the panel would, for
 * tests that are not about signing in. Resolves with {mailbox, device, token, expires_at}.
 */
export async function signInByApi(server, mailbox) {
  const device = "browser-test-" + Math.random().toString(36).slice(2, 14);
  const post = (path, body) =>
    fetchInsecure(server.origin + path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const started = Date.now() - 1000;
  const start = await post("/api/v1/auth/email/start", { mailbox, device_id: device });
  if (start.status !== 202) throw new Error(`email/start answered ${start.status}: ${await start.text()}`);
  const code = await server.signInCode(mailbox, { after: started });
  const verify = await post("/api/v1/auth/email/verify", { mailbox, device_id: device, code });
  if (verify.status !== 200) throw new Error(`email/verify answered ${verify.status}: ${await verify.text()}`);
  const { token, expires_at } = await verify.json();
  return { mailbox, device, token, expires_at };
}

/** fetch against the server's self-signed development certificate. */
async function fetchInsecure(url, init) {
  const { Agent } = await import("node:https");
  const { request } = await import("node:https");
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method, headers: init.headers, agent: new Agent({ rejectUnauthorized: false }) }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode, text: async () => body, json: async () => JSON.parse(body) })
      );
    });
    req.on("error", reject);
    if (init.body) req.write(init.body);
    req.end();
  });
}

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

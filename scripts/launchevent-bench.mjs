#!/usr/bin/env node
// The send handler's size and decision time: the real launchevent.js, loaded as a page would
// load it (with the scripted Office of addin-ui/static/office-double.js), pressing Send on a
// draft that needs action (an unsafe attachment), 100 times after 5 warm-up runs. Measured from
// the handler's call to event.completed; Office.js's own load is not part of it.
//
//     node scripts/launchevent-bench.mjs
//         against a local stub API (node's http server on 127.0.0.1, a canned verdict)
//     NODE_EXTRA_CA_CERTS=data/tls/dev-ca.pem node scripts/launchevent-bench.mjs \
//         --server https://localhost:3000 --token SESSION --device DEVICE_ID --mailbox ADDRESS
//         against a running `sendsecure serve` with a signed-in session (sign in by e-mail
//         code: POST /api/v1/auth/email/start, the code from data/outbox/, /verify)

import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import vm from "node:vm";
import zlib from "node:zlib";

const require = createRequire(import.meta.url);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const HANDLER_FILE = join(ROOT, "addin-ui/static/launchevent.js");
const OfficeDouble = require(join(ROOT, "addin-ui/static/office-double.js"));

const { values: args } = parseArgs({
  options: {
    server: { type: "string" },
    token: { type: "string", default: "bench-session" },
    device: { type: "string", default: "bench-device-000001" },
    mailbox: { type: "string", default: "a.jansen@huisartsen-oost.nl" },
    runs: { type: "string", default: "100" },
  },
});

function sizes() {
  for (const file of ["launchevent.js", "launchevent.html"]) {
    const bytes = readFileSync(join(ROOT, "addin-ui/static", file));
    const gzip = zlib.gzipSync(bytes, { level: 9 }).length;
    console.log(`${file}: ${bytes.length} bytes, ${gzip} bytes gzip`);
  }
}

/** A stub of the API on 127.0.0.1: a needs-action verdict, info, and the audit event. */
function stubServer() {
  const verdict = {
    can_send_secure: false,
    auto_send: false,
    sender: { address: args.mailbox, known: true, nta7516: true },
    recipients: [{ address: "b.smit@ziekenhuis-west.nl", field: "to", route: "community", nta7516: true, phone: "none" }],
    attachments: { count: 1, total_size: 1000, items: [{ name: "scan.exe", size: 1000, share: 1 }] },
    findings: [{ level: "action", code: "attachment-blocked-type", subject: "scan.exe" }],
  };
  const server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      const route = `${request.method} ${request.url}`;
      const body =
        route === "POST /api/v1/check" ? verdict : route === "GET /api/v1/info" ? { security_by_default: true } : null;
      response.writeHead(body ? 200 : 204, { "content-type": "application/json" });
      response.end(body ? JSON.stringify(body) : undefined);
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main() {
  sizes();
  const stub = args.server ? null : await stubServer();
  const base = args.server || `http://127.0.0.1:${stub.address().port}`;
  const outlook = OfficeDouble.create({
    userEmail: args.mailbox,
    to: [{ emailAddress: "b.smit@ziekenhuis-west.nl" }],
    subject: "Verwijzing",
    attachments: [{ name: "scan.exe", size: 1000 }],
  });
  const storage = new Map([
    ["sendsecure.device", args.device],
    [`sendsecure.session.${args.mailbox}`, JSON.stringify({ token: args.token, expires_at: "" })],
  ]);
  vm.runInNewContext(readFileSync(HANDLER_FILE, "utf8"), {
    Office: outlook.Office,
    fetch: (path, init) => fetch(base + path, init),
    localStorage: { getItem: (key) => (storage.has(key) ? storage.get(key) : null) },
    setTimeout,
    clearTimeout,
    AbortController,
    URL,
    console,
  });

  const runs = Number(args.runs);
  const times = [];
  for (let i = 0; i < runs + 5; i += 1) {
    const result = await outlook.send();
    if (result.options.allowEvent !== false || !/scan\.exe/.test(result.options.errorMessage)) {
      throw new Error(`not the needs-action path: ${JSON.stringify(result.options)}`);
    }
    if (i >= 5) times.push(result.ms);
  }
  times.sort((a, b) => a - b);
  console.log(
    `decision time, needs action, ${runs} sends against ${args.server ? args.server : "a local stub"}: ` +
      `p50 ${percentile(times, 50)} ms, p95 ${percentile(times, 95)} ms, max ${times.at(-1)} ms`
  );
  if (stub) stub.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

// The task pane in headless Chromium (issue 5, "Prove"): the real panel (dist/, built by Trunk)
// inside the playground, talking to the real `sendsecure serve`, with Outlook played by the
// scripted Office. Each test has its own browser context (its own storage) and, where numbers
// or settings are saved, its own mailbox. The tests also take the README's screenshots of the
// panel (350 px wide) into docs/screenshots/.

import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";

import {
  SCREENSHOTS,
  launchBrowser,
  openPlayground,
  signInByApi,
  startServer,
  until,
} from "./helpers.mjs";

const COLLEAGUE = "b.smit@ziekenhuis-west.nl";
const PATIENT = "m.bakker@example.com";

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  mkdirSync(SCREENSHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** A mailbox of the organisation of its own for one test (saved numbers, settings), named like
 *  a colleague because the screenshots show it. */
const used = new Set();
function freshMailbox(name) {
  assert.ok(!used.has(name), `one test per mailbox: ${name}`);
  used.add(name);
  return `${name}@huisartsen-oost.nl`;
}

/** The playground, signed in through the API as `user`, with `draft` (if any). */
async function signedIn(user, draft, options = {}) {
  const session = await signInByApi(server, user);
  const opened = await openPlayground(browser, server, { user, session, ...options });
  if (draft) await opened.page.evaluate((d) => SendSecurePlayground.setDraft(d), draft);
  await verdict(opened.panel);
  return opened;
}

/** Waits for the panel's verdict to be on screen and not being re-checked. */
async function verdict(panel) {
  await panel.locator('[data-testid="verdict-ready"][data-checking="false"]').waitFor({ state: "attached" });
}

/** Waits until the panel's verdict says `canSend` (after the automatic re-check). */
async function verdictSays(panel, canSend) {
  await panel
    .locator(`[data-testid="verdict-ready"][data-checking="false"][data-can-send-secure="${canSend}"]`)
    .waitFor({ state: "attached" });
}

async function screenshot(page, name) {
  await page.locator("#panel").screenshot({ path: join(SCREENSHOTS, name + ".png"), animations: "disabled" });
}

/** Adds recipients in the compose window the way a user does (one RecipientsChanged event). */
async function addRecipients(page, text, field = "to") {
  await page.fill("#recipient-address", text);
  await page.selectOption("#recipient-field", field);
  await page.click("#recipient-add");
}

const byTestId = (panel, id) => panel.locator(`[data-testid="${id}"]`);

/** Saves `session`'s number for `recipient` through the API, as the panel's save icon does. */
async function putPairing(session, recipient, phone) {
  const response = await server.api(session, "PUT", "/api/v1/pairings/" + encodeURIComponent(recipient), { phone });
  assert.equal(response.status, 200, await response.text());
}

test("signing in with the code from the e-mail", async () => {
  const user = freshMailbox("a.jansen");
  const { context, page, panel, errors } = await openPlayground(browser, server, { user });

  await byTestId(panel, "signin-send-code").waitFor();
  assert.equal(await byTestId(panel, "signin-mailbox").inputValue(), user);
  await screenshot(page, "signin");
  const asked = Date.now() - 1000;
  await byTestId(panel, "signin-send-code").click();
  await byTestId(panel, "signin-code").waitFor();
  const code = await server.signInCode(user, { after: asked });
  await byTestId(panel, "signin-code").fill(code);
  await byTestId(panel, "signin-submit").click();

  // Signed in: the panel checks the (empty) draft; the session is where the handler reads it.
  await verdict(panel);
  await byTestId(panel, "send-secure").waitFor();
  const stored = await page.evaluate((key) => localStorage.getItem(key), "sendsecure.session." + user);
  assert.ok(JSON.parse(stored).token, "the session is in the storage the send handler reads");
  assert.ok(await page.evaluate(() => localStorage.getItem("sendsecure.device")), "a device id");

  // Reopening the panel keeps the session.
  await page.click("#pane-reload");
  await verdict(panel);
  assert.equal(await byTestId(panel, "signin-send-code").count(), 0);
  assert.deepEqual(errors.map(String), []);
  await context.close();
});

test("a patient needs a mobile number; saved, it is filled in again when the recipient comes back", async () => {
  const user = freshMailbox("e.vandijk");
  const { context, page, panel, errors } = await signedIn(user, {
    to: [{ displayName: "M. Bakker", emailAddress: PATIENT }],
    subject: "Uitslag bloedonderzoek",
    attachments: [{ name: "uitslag.pdf", size: 95744 }],
  });
  const row = byTestId(panel, `recipient-${PATIENT}`);

  await row.waitFor();
  assert.equal(await row.getAttribute("data-route"), "viewer");
  assert.equal(await row.getAttribute("data-phone"), "missing");
  await row.locator('[data-testid="recipient-finding-phone-required"]').waitFor();
  assert.ok(await byTestId(panel, "send-secure").isDisabled(), "Veilig verzenden waits for the number");
  await screenshot(page, "needs-action");

  await byTestId(panel, `phone-input-${PATIENT}`).fill("06 12345678");
  await byTestId(panel, `phone-save-${PATIENT}`).click();
  await byTestId(panel, `phone-status-${PATIENT}`).waitFor();
  await verdictSays(panel, true);
  assert.ok(await byTestId(panel, "send-secure").isEnabled());

  // Remove the patient in Outlook, then add them again: the saved number comes back.
  await page.getByRole("button", { name: `Remove ${PATIENT} from To` }).click();
  await until(async () => (await row.count()) === 0, "the recipient to leave the panel");
  await addRecipients(page, `M. Bakker <${PATIENT}>`);
  await row.waitFor();
  await verdictSays(panel, true);
  assert.equal(await row.getAttribute("data-phone"), "given");
  assert.equal((await byTestId(panel, `phone-input-${PATIENT}`).inputValue()).replace(/\D/g, "").slice(-8), "12345678");
  assert.deepEqual(errors.map(String), []);
  await context.close();
});

test("Outlook's notification bar follows the draft", async () => {
  const { context, page, panel, errors } = await signedIn(freshMailbox("w.smits"), {
    to: [{ displayName: "M. Bakker", emailAddress: PATIENT }],
    subject: "Uitslag bloedonderzoek",
    attachments: [{ name: "uitslag.pdf", size: 95744 }],
  });
  const bar = page.locator('#notifications [data-key="sendsecure"]');
  await until(async () => (await bar.count()) === 1 && /1 actie nodig/.test(await bar.innerText()), "the bar to ask for an action");
  assert.equal(await bar.innerText(), "Send Secure: 1 actie nodig");

  await byTestId(panel, `phone-input-${PATIENT}`).fill("06 12345678");
  await verdictSays(panel, true);

  await until(async () => /veilig verzonden/.test(await bar.innerText()), "the bar to follow the verdict");
  assert.equal(await bar.innerText(), "Send Secure: dit bericht kan veilig verzonden worden");
  assert.deepEqual(errors.map(String), []);
  await context.close();
});

test("a saved number forgotten in the panel is gone from the server and from the check", async () => {
  const user = freshMailbox("h.bos");
  const session = await signInByApi(server, user);
  await putPairing(session, PATIENT, "06 12345678");
  const { context, page, panel, errors } = await openPlayground(browser, server, { user, session });
  await page.evaluate((d) => SendSecurePlayground.setDraft(d), {
    to: [{ displayName: "M. Bakker", emailAddress: PATIENT }],
    subject: "Uitslag bloedonderzoek",
    attachments: [{ name: "uitslag.pdf", size: 95744 }],
  });
  await verdictSays(panel, true);
  const row = byTestId(panel, `recipient-${PATIENT}`);

  await byTestId(panel, `phone-forget-${PATIENT}`).click();

  await verdictSays(panel, false);
  assert.equal(await row.getAttribute("data-phone"), "missing", "the saved number does not come back");
  assert.equal(await byTestId(panel, `phone-input-${PATIENT}`).inputValue(), "");
  const pairing = await server.api(session, "GET", "/api/v1/pairings/" + encodeURIComponent(PATIENT));
  assert.equal(pairing.status, 404, "forgotten on the server");
  assert.deepEqual(errors.map(String), []);
  await context.close();
});

test("a patient at an international domain gets a number, and the mail goes to the Viewer", async () => {
  // The panel keys the row and the typed number by the canonical address, as the server does.
  const typed = "m.bakker@zorg-müller.example";
  const canonical = "m.bakker@xn--zorg-mller-feb.example";
  const { context, page, panel, errors } = await signedIn(freshMailbox("r.mulder"), {
    to: [{ displayName: "M. Bakker", emailAddress: typed }],
    subject: "Uitslag bloedonderzoek",
    attachments: [{ name: "uitslag.pdf", size: 95744 }],
  });
  const row = byTestId(panel, `recipient-${canonical}`);
  await row.waitFor();
  assert.equal(await row.getAttribute("data-phone"), "missing");

  await byTestId(panel, `phone-input-${canonical}`).fill("06 12345678");
  await verdictSays(panel, true);
  assert.equal(await row.getAttribute("data-phone"), "given");
  await byTestId(panel, "send-secure").click();

  const mail = page.locator("#sent-list > li").first();
  await mail.locator('.route[data-state="routed"]').waitFor();
  assert.equal(await mail.locator(`.route-list [data-address="${canonical}"]`).getAttribute("data-outcome"), "viewer");
  assert.ok(server.relayed().some(({ envelope }) => envelope.to.includes(canonical)), "the patient is notified");
  assert.deepEqual(errors.map(String), []);
  await context.close();
});

test("an unsafe attachment: removed from the panel, and Veilig verzenden turns green", async () => {
  const { context, page, panel, errors } = await signedIn(freshMailbox("s.mulder"), {
    to: [{ displayName: "B. Smit", emailAddress: COLLEAGUE }],
    subject: "Scan",
    attachments: [
      { name: "verwijsbrief.pdf", size: 183211 },
      { name: "scan.pdf.exe", size: 48128 },
    ],
  });
  const unsafe = byTestId(panel, "attachment-scan.pdf.exe");

  await unsafe.waitFor();
  assert.equal(await unsafe.getAttribute("data-blocked"), "true");
  assert.ok(await byTestId(panel, "send-secure").isDisabled());

  await byTestId(panel, "attachment-remove-scan.pdf.exe").click();

  await until(async () => (await page.locator('#attachment-list [data-name="scan.pdf.exe"]').count()) === 0, "Outlook to drop it");
  await verdictSays(panel, true);
  assert.ok(await byTestId(panel, "send-secure").isEnabled(), "green");
  assert.equal(await page.locator("#attachment-list .attachment").count(), 1, "the other attachment stays");
  await screenshot(page, "all-green");
  assert.deepEqual(errors.map(String), []);
  await context.close();
});

test("Veilig verzenden puts a send token on the mail, and Outlook sends it", async () => {
  const { context, page, panel, errors } = await signedIn(freshMailbox("l.visser"), {
    to: [{ displayName: "B. Smit", emailAddress: COLLEAGUE }],
    subject: "Verwijzing",
    attachments: [{ name: "verwijsbrief.pdf", size: 183211 }],
  });
  await verdictSays(panel, true);

  await byTestId(panel, "send-secure").click();

  const mail = page.locator("#sent-list > li").first();
  await mail.waitFor();
  assert.equal(await mail.getAttribute("data-how"), "panel", "through item.sendAsync");
  assert.equal(await mail.getAttribute("data-secure"), "true");
  const token = await mail.locator('[data-header="X-SendSecure-Token"]').innerText();
  assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/, "a compact JWS");
  const claims = JSON.parse(await mail.locator(".token-claims").innerText());
  assert.deepEqual(Object.keys(claims).sort(), ["aud", "cov", "exp", "iat", "iss", "jti"], "it names no one");
  // Exchange routes it to the relay, which hands it to the next hop.
  await mail.locator('.route[data-state="routed"]').waitFor();
  assert.match(await mail.locator(".relay-reply").innerText(), /250 2\.0\.0 Send Secure: delivered to 1 directly/);
  assert.equal(await mail.locator(`.route-list [data-address="${COLLEAGUE}"]`).getAttribute("data-outcome"), "next-hop");
  const relayed = server.relayed().filter(({ envelope }) => envelope.to.includes(COLLEAGUE));
  assert.equal(relayed.length, 1, "one hand-over to the next hop");
  assert.doesNotMatch(relayed[0].eml, /X-SendSecure-Token/i, "without the token");
  // The README's picture of the playground: the sent mail, and the next draft being checked.
  await page.selectOption("#example", "patient");
  await verdict(panel);
  // It shows a fresh token and the time, so it changes on every run: taken when missing or asked
  // for (UPDATE_SCREENSHOTS=1), while the panel's own screenshots are taken every time.
  const overview = join(SCREENSHOTS, "playground.png");
  if (process.env.UPDATE_SCREENSHOTS || !existsSync(overview)) {
    await page.screenshot({ path: overview, animations: "disabled" });
  }
  assert.deepEqual(errors.map(String), []);
  await context.close();
});

test("a patient's mail goes to the Viewer: the relay stores it and notifies the patient", async () => {
  const user = freshMailbox("s.dekker");
  const session = await signInByApi(server, user);
  await putPairing(session, PATIENT, "06 12345678");
  const { context, page, panel, errors } = await openPlayground(browser, server, { user, session });
  await page.evaluate(
    (d) => SendSecurePlayground.setDraft(d),
    {
      to: [{ displayName: "M. Bakker", emailAddress: PATIENT }, { displayName: "B. Smit", emailAddress: COLLEAGUE }],
      cc: [{ displayName: "Collega", emailAddress: "collega@huisartsen-oost.nl" }],
      subject: "Uitslag bloedonderzoek",
      attachments: [{ name: "uitslag.pdf", size: 95744 }],
    }
  );
  await verdictSays(panel, true);

  await byTestId(panel, "send-secure").click();

  const mail = page.locator("#sent-list > li").first();
  await mail.locator('.route[data-state="routed"]').waitFor();
  const outcome = async (address) => mail.locator(`.route-list [data-address="${address}"]`).getAttribute("data-outcome");
  assert.equal(await outcome(PATIENT), "viewer");
  assert.equal(await outcome(COLLEAGUE), "next-hop");
  assert.equal(await outcome("collega@huisartsen-oost.nl"), "exchange", "internal mail is Exchange's");
  const notification = server.relayed().find(({ envelope }) => envelope.to.includes(PATIENT));
  assert.ok(notification, "a notification to the patient");
  assert.match(notification.eml, /\/viewer\/[\w-]{22,}/, "with a Bericht lezen link");
  assert.doesNotMatch(notification.eml, /Uitslag bloedonderzoek/, "and not the subject");
  assert.ok(server.relayed().some(({ envelope }) => envelope.to.includes(user)), "a confirmation to the sender");
  assert.deepEqual(errors.map(String), []);
  await context.close();
});

test("Standaard versturen: after a confirmation the mail goes out as ordinary mail, without a token", async () => {
  const { context, page, panel, errors } = await signedIn(freshMailbox("t.kok"), {
    to: [{ displayName: "M. Bakker", emailAddress: PATIENT }],
    subject: "Afspraak",
  });

  await byTestId(panel, "send-standard").click();
  await byTestId(panel, "send-confirm-yes").click();

  const mail = page.locator("#sent-list > li").first();
  await mail.waitFor();
  assert.equal(await mail.getAttribute("data-how"), "panel");
  assert.equal(await mail.getAttribute("data-secure"), "false", "no X-SendSecure-Token");
  await mail.locator('.route[data-state="routed"]').waitFor();
  assert.equal(await mail.locator(`.route-list [data-address="${PATIENT}"]`).getAttribute("data-outcome"), "ordinary");
  assert.equal(await mail.locator(".relay-reply").count(), 0, "the relay never sees ordinary mail");
  assert.deepEqual(errors.map(String), []);
  await context.close();
});

test("without Mailbox 1.15 the panel tags the mail and Outlook's Send lets it go with the token", async () => {
  const { context, page, panel, errors } = await signedIn(
    freshMailbox("h.smits"),
    { to: [{ displayName: "B. Smit", emailAddress: COLLEAGUE }], subject: "Verwijzing" },
    { mailbox: "1.14" }
  );
  await verdictSays(panel, true);

  await byTestId(panel, "send-secure").click();
  await panel.locator('[data-testid="send-status"][data-phase="press-outlook-send"]').waitFor();
  assert.equal(await page.locator("#sent-list > li").count(), 0, "the panel cannot send by itself");
  await page.click("#outlook-send");

  const mail = page.locator("#sent-list > li").first();
  await mail.waitFor();
  assert.equal(await page.locator("#smart-alert").isVisible(), false);
  assert.equal(await mail.getAttribute("data-how"), "checked", "Outlook's Send, passed by the handler");
  assert.equal(await mail.getAttribute("data-secure"), "true", "with the panel's token");
  assert.deepEqual(errors.map(String), []);
  await context.close();
});

test("with a 5 s send delay the countdown can be cancelled, and otherwise sends", async () => {
  const { context, page, panel, errors } = await signedIn(freshMailbox("r.meijer"), {
    to: [{ displayName: "B. Smit", emailAddress: COLLEAGUE }],
    subject: "Verwijzing",
  });
  await byTestId(panel, "settings-open").click();
  await byTestId(panel, "settings-delay").selectOption("5");
  await screenshot(page, "settings");
  await byTestId(panel, "settings-save").click();
  await verdictSays(panel, true);

  await byTestId(panel, "send-secure").click();
  const countdown = byTestId(panel, "send-countdown");
  await countdown.waitFor();
  assert.ok(Number(await countdown.getAttribute("data-remaining")) <= 5);
  await screenshot(page, "countdown");
  await byTestId(panel, "send-cancel").click();
  await panel.locator('[data-testid="send-status"][data-phase="cancelled"]').waitFor();
  assert.equal(await page.locator("#sent-list > li").count(), 0, "nothing went out");
  assert.equal(await countdown.count(), 0);

  // Again, and this time let it run out.
  const started = Date.now();
  await byTestId(panel, "send-secure").click();
  await countdown.waitFor();
  const mail = page.locator("#sent-list > li").first();
  await mail.waitFor({ timeout: 15000 });
  const waited = Date.now() - started;
  assert.ok(waited >= 4500, `sent after ${waited} ms, not before the delay`);
  assert.equal(await mail.getAttribute("data-secure"), "true");
  assert.deepEqual(errors.map(String), []);
  await context.close();
});

test("the panel speaks the user's language: Outlook's display language, or the one chosen in settings", async () => {
  const { context, page, panel } = await signedIn(freshMailbox("k.bos"), {
    to: [{ displayName: "B. Smit", emailAddress: COLLEAGUE }],
    subject: "Verwijzing",
  });
  const button = byTestId(panel, "send-secure");
  assert.equal((await button.innerText()).trim(), "Veilig verzenden");

  // Outlook in English: the panel opens in English.
  await page.selectOption("#display-language", "en-US");
  await verdict(panel);
  await until(async () => (await button.innerText()).trim() === "Send securely", "English texts");

  // German chosen in the panel's settings wins over Outlook's language.
  await byTestId(panel, "settings-open").click();
  await byTestId(panel, "settings-language").selectOption("de");
  await byTestId(panel, "settings-save").click();
  await until(async () => (await button.innerText()).trim() === "Sicher senden", "German texts");
  assert.match(await byTestId(panel, "verdict-summary").innerText(), /sicheren Senden|Senden/);
  await context.close();
});

test("101 recipients: blocked, and Veilig verzenden stays disabled", async () => {
  const { context, page, panel } = await signedIn(freshMailbox("n.dekker"), { subject: "Nieuwsbrief" });
  const addresses = Array.from({ length: 101 }, (_, i) => `deelnemer${i + 1}@zorgmail.nl`).join("; ");

  await addRecipients(page, addresses);

  await byTestId(panel, "finding-recipients-too-many").waitFor();
  await verdictSays(panel, false);
  assert.equal(await page.locator("#to-list .chip").count(), 101);
  assert.ok(await byTestId(panel, "send-secure").isDisabled());
  await context.close();
});

test("keyboard only: a sensible tab order, a visible focus and a label on every control", async () => {
  const user = freshMailbox("j.peters");
  const { context, page, panel } = await signedIn(user, {
    to: [{ displayName: "M. Bakker", emailAddress: PATIENT }],
    subject: "Uitslag",
    attachments: [{ name: "scan.pdf.exe", size: 1000 }],
  });
  await byTestId(panel, `phone-input-${PATIENT}`).waitFor();
  const frame = page.frame({ url: /\/taskpane\.html/ });

  // Every form control has an accessible name (as assistive technology computes it).
  const controls = panel.locator("input:not([type=hidden]), select, textarea, button");
  const count = await controls.count();
  assert.ok(count >= 5, `${count} controls`);
  for (let i = 0; i < count; i += 1) {
    const control = controls.nth(i);
    if (!(await control.isVisible())) continue;
    const snapshot = await control.ariaSnapshot();
    assert.match(snapshot, /^- \w+ "[^"]+"/, `an accessible name: ${snapshot}`);
  }

  // Into the panel from Outlook with Tab, then through it.
  await page.focus("#pane-close");
  const visited = [];
  for (let i = 0; i < 40; i += 1) {
    await page.keyboard.press("Tab");
    const focused = await frame.evaluate(() => {
      const element = document.activeElement;
      if (!element || element === document.body) return null;
      const style = getComputedStyle(element);
      const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
      return {
        id: element.getAttribute("data-testid") || element.id || element.tagName.toLowerCase(),
        visible: outline || style.boxShadow !== "none",
      };
    });
    if (!focused) continue;
    if (visited.length && visited.at(-1).id === focused.id) continue;
    visited.push(focused);
    if (focused.id === "settings-open") break;
  }
  const order = visited.map((entry) => entry.id);
  console.log("tab order in the panel: " + order.join(" → "));
  const at = (id) => order.indexOf(id);
  for (const id of [`phone-input-${PATIENT}`, "attachment-remove-scan.pdf.exe", "send-standard", "settings-open"]) {
    assert.ok(at(id) >= 0, `Tab reaches ${id}: ${order.join(", ")}`);
  }
  assert.ok(at(`phone-country-${PATIENT}`) < at(`phone-input-${PATIENT}`), "country before number");
  assert.ok(at(`phone-input-${PATIENT}`) < at("send-standard"), "the list before the buttons");
  assert.ok(at("send-standard") < at("settings-open"));
  for (const entry of visited) assert.ok(entry.visible, `${entry.id} shows where the focus is`);

  // And work the panel with the keyboard alone: type the number, save it with Enter.
  const input = byTestId(panel, `phone-input-${PATIENT}`);
  await input.focus();
  await page.keyboard.type("0612345678");
  await byTestId(panel, `phone-save-${PATIENT}`).focus();
  await page.keyboard.press("Enter");
  await byTestId(panel, `phone-status-${PATIENT}`).waitFor();
  await context.close();
});

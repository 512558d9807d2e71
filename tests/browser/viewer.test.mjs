// The Viewer in headless Chromium (issue 11, "Prove"): a clinician sends a patient's mail from the
// panel in the playground; the real relay stores it and writes the notification to its outbox; the
// patient follows the link, gets the code from the SMS outbox, reads, downloads, replies and
// forwards; the sender withdraws it. Then the same pages at 320 px, by keyboard only, in English
// and in German. The tests take the README's screenshots of the Viewer into docs/screenshots/.

import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";

import {
  SCREENSHOTS,
  decodeMail,
  launchBrowser,
  openPlayground,
  signInByApi,
  startServer,
  until,
} from "./helpers.mjs";

const COLLEAGUE = "b.smit@ziekenhuis-west.nl";
/** The playground's attachments are this many bytes of "x" at most (playground.rs). */
const PLAYGROUND_ATTACHMENT_BYTES = 64 * 1024;

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

// ---- Arrange -------------------------------------------------------------------------------

/** Each test its own sender and patient (mobile 06 1234 56NN), so mails and texts are its own. */
let patients = 0;
function newPatient() {
  patients += 1;
  const n = String(patients).padStart(2, "0");
  return {
    sender: `arts${n}@huisartsen-oost.nl`,
    address: `patient${n}@example.com`,
    phone: `06 123456${n}`,
    e164: `+316123456${n}`,
  };
}

/**
 * The clinician sends `subject`/`body` with one attachment to `patient` from the panel, as in
 * Outlook. Resolves with what the mails said: {link, withdraw, reference, password}.
 */
async function sendFromThePanel(patient, { subject = "Uitslag bloedonderzoek", body = "Beste mevrouw Bakker,\n\nUw Hb is 8,1 mmol/l: dat is goed.\n\nMet vriendelijke groet,\nA. Jansen" } = {}) {
  const session = await signInByApi(server, patient.sender);
  const saved = await server.api(session, "PUT", "/api/v1/pairings/" + encodeURIComponent(patient.address), { phone: patient.phone });
  assert.equal(saved.status, 200, await saved.text());
  const { context, page, panel, errors } = await openPlayground(browser, server, { user: patient.sender, session });
  await page.evaluate((d) => SendSecurePlayground.setDraft(d), {
    to: [{ displayName: "M. Bakker", emailAddress: patient.address }],
    subject,
    attachments: [{ name: "uitslag.pdf", size: 95744 }],
  });
  await page.fill("#body", body);
  await panel.locator('[data-testid="verdict-ready"][data-checking="false"][data-can-send-secure="true"]').waitFor({ state: "attached" });
  await panel.locator('[data-testid="send-secure"]').click();
  const mail = page.locator("#sent-list > li").first();
  await mail.locator('.route[data-state="routed"]').waitFor();
  assert.equal(await mail.locator(`.route-list [data-address="${patient.address}"]`).getAttribute("data-outcome"), "viewer");
  assert.deepEqual(errors.map(String), []);
  await context.close();

  const notification = mailTo(patient.address);
  const confirmation = mailTo(patient.sender);
  return {
    link: server.local(/https:\/\/localhost\/viewer\/[\w-]+/.exec(notification)[0]),
    withdraw: server.local(/https:\/\/localhost\/viewer\/withdraw\/[\w-]+/.exec(confirmation)[0]),
    reference: /Kenmerk: (\S+)/.exec(confirmation)[1],
    password: /Doorstuurwachtwoord: (\S+)/.exec(confirmation)[1],
  };
}

/** The decoded text of the one mail the relay handed over to `address` (so far). */
function mailTo(address, { count = 1 } = {}) {
  const mails = handedOver(address);
  assert.equal(mails.length, count, `${count} mail(s) to ${address}`);
  return decodeMail(mails[count - 1].eml);
}

function handedOver(address) {
  return server.relayed().filter(({ envelope }) => envelope.to.includes(address));
}

/** The newest access code texted to `patient`, after `before` texts to them. */
async function textedCode(patient, before) {
  const text = await until(() => server.sms().filter((sms) => sms.to === patient.e164)[before]?.text, `SMS ${before + 1} to the patient`);
  return /\b(\d{6})\b/.exec(text)[1];
}

function textsTo(patient) {
  return server.sms().filter((sms) => sms.to === patient.e164).length;
}

/** A browser of the patient's own, at `width` px, speaking `locale`. */
async function patientBrowser({ width = 1024, locale = "nl-NL" } = {}) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width, height: 800 }, locale, acceptDownloads: true });
  const page = await context.newPage();
  // Script errors, and any file a page needs (style sheet, icon) that fails to load. A page
  // itself may answer 4xx (a wrong code, a withdrawn message): the tests check those.
  const errors = [];
  page.on("pageerror", (error) => errors.push(error));
  page.on("response", (response) => {
    if (response.status() >= 400 && !response.request().isNavigationRequest()) {
      errors.push(new Error(`${response.status()} for ${response.url()}`));
    }
  });
  return { context, page, errors };
}

/** From the notification's link to the message: Bericht lezen, the texted code, Openen. */
async function openMessage(page, patient, link) {
  await page.goto(link);
  const before = textsTo(patient);
  await page.getByTestId("read").click();
  await page.locator("#code").fill(await textedCode(patient, before));
  await page.getByTestId("open").click();
  await page.getByTestId("body").waitFor();
}

/** The Viewer's pages show today's date and the sender's test mailbox, so they change on every
 *  run: taken when missing or asked for (UPDATE_SCREENSHOTS=1), like the playground's. */
async function screenshot(page, name) {
  const path = join(SCREENSHOTS, name + ".png");
  if (process.env.UPDATE_SCREENSHOTS || !existsSync(path)) {
    await page.screenshot({ path, fullPage: true, animations: "disabled" });
  }
}

/** Nothing wider than the window: no sideways scrolling. */
async function assertFits(page, what) {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  assert.ok(scroll <= width, `${what}: ${scroll} px of content in ${width} px`);
}

// ---- The tests -----------------------------------------------------------------------------

test("a patient reads, downloads, replies twice and forwards twice; the sender withdraws", async () => {
  const patient = newPatient();
  const sent = await sendFromThePanel(patient);
  const { context, page, errors } = await patientBrowser({ width: 390 });

  // The notification's link: a landing page that says what happens, and nothing of the mail.
  await page.goto(sent.link);
  assert.equal(await page.locator("html").getAttribute("lang"), "nl");
  assert.doesNotMatch(await page.content(), /Uitslag bloedonderzoek|Hb is/);
  await screenshot(page, "viewer-landing");
  await page.getByTestId("read").click();

  // The code goes by SMS to the number the clinician saved.
  await page.locator("#code").waitFor();
  const code = await textedCode(patient, 0);
  const lastTwo = patient.e164.slice(-2);
  assert.equal(await page.getByTestId("code-sent").innerText(), `We hebben een toegangscode per sms gestuurd naar 06-••••••${lastTwo}.`);
  await screenshot(page, "viewer-code");
  const wrong = String((Number(code) + 1) % 1000000).padStart(6, "0");
  await page.locator("#code").fill(wrong);
  await page.getByTestId("open").click();
  await page.getByTestId("problem").waitFor();
  await page.locator("#code").fill(code);
  await page.getByTestId("open").click();

  // The message, as sent.
  await page.getByTestId("body").waitFor();
  assert.equal(await page.locator("h1#subject").innerText(), "Uitslag bloedonderzoek");
  assert.match(await page.getByTestId("body").innerText(), /Uw Hb is 8,1 mmol\/l: dat is goed\./);
  assert.match(await page.getByTestId("from").innerText(), new RegExp(patient.sender));
  await screenshot(page, "viewer-message");

  // The attachment and the whole message, downloaded.
  const [file] = await Promise.all([page.waitForEvent("download"), page.getByTestId("attachment").click()]);
  assert.equal(file.suggestedFilename(), "uitslag.pdf");
  const bytes = readFileSync(await file.path());
  assert.equal(bytes.length, PLAYGROUND_ATTACHMENT_BYTES);
  assert.ok(bytes.every((byte) => byte === 0x78), "the attachment's bytes, as sent");
  const [eml] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download").click()]);
  assert.equal(eml.suggestedFilename(), `${sent.reference}.eml`);
  const message = readFileSync(await eml.path(), "utf8");
  assert.match(message, /^Subject: Uitslag bloedonderzoek/m);
  assert.doesNotMatch(message, /X-SendSecure-Token/i, "without the send token");

  // Two replies reach the sender; then the form is gone.
  for (const n of [1, 2]) {
    await page.locator("#reply-text").fill(`Dank u wel, dokter (${n}).`);
    if (n === 1) await page.locator("#reply-files").setInputFiles({ name: "vragenlijst.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.7 vragenlijst") });
    await page.getByTestId("reply-send").click();
    await page.getByTestId("notice").waitFor();
    await until(() => handedOver(patient.sender).length === 1 + n, `reply ${n} at the sender`);
  }
  const toSender = handedOver(patient.sender).map(({ eml }) => decodeMail(eml));
  const firstReply = toSender.find((text) => /Dank u wel, dokter \(1\)\./.test(text));
  assert.ok(firstReply, "the first reply at the sender");
  assert.match(firstReply, /vragenlijst\.pdf/);
  assert.ok(toSender.some((text) => /Dank u wel, dokter \(2\)\./.test(text)), "and the second");
  await page.getByTestId("reply-none-left").waitFor();
  assert.equal(await page.locator("#reply-text").count(), 0, "no third reply");

  // Forwards: to a colleague in the community directly, to a friend through the Viewer.
  const forward = async (to, phone = "") => {
    await page.locator("#forward-reference").fill(sent.reference);
    await page.locator("#forward-password").fill(sent.password);
    await page.locator("#forward-to").fill(to);
    await page.locator("#forward-phone").fill(phone);
    await page.getByTestId("forward-send").click();
    await page.getByTestId("notice").waitFor();
  };
  await forward(COLLEAGUE);
  const direct = await until(() => handedOver(COLLEAGUE)[0], "the forward at the colleague");
  assert.match(decodeMail(direct.eml), /uitslag\.pdf/);
  const friend = { address: "j.devries@gmail.com", e164: "+31687654321" };
  await forward(friend.address, "06 87654321");
  const notified = await until(() => handedOver(friend.address)[0], "a notification to the friend");
  assert.match(decodeMail(notified.eml), /\/viewer\/[\w-]{22,}/);
  assert.doesNotMatch(decodeMail(notified.eml), /Uitslag bloedonderzoek/);
  await page.getByTestId("forward-none-left").waitFor();
  assert.equal(await page.locator("#forward-to").count(), 0, "no third forward");

  // The sender withdraws it from the confirmation's link; the patient's page is gone.
  const sender = await patientBrowser();
  await sender.page.goto(sent.withdraw);
  assert.match(await sender.page.locator("main").innerText(), new RegExp(sent.reference));
  await screenshot(sender.page, "viewer-withdraw");
  await sender.page.getByTestId("withdraw").click();
  await sender.page.locator("main").getByText(/ingetrokken/).first().waitFor();
  await sender.context.close();

  const gone = await page.goto(sent.link.replace(/$/, "/message"));
  assert.equal(gone.status(), 404);
  assert.match(await page.locator("h1").innerText(), /niet beschikbaar/);
  await screenshot(page, "viewer-not-available");
  assert.deepEqual(errors.map(String), []);
  await context.close();
});

test("every page fits 320 px and works by keyboard alone, with a visible focus", async () => {
  const patient = newPatient();
  const sent = await sendFromThePanel(patient);
  const { context, page, errors } = await patientBrowser({ width: 320 });
  const focused = () =>
    page.evaluate(() => {
      const element = document.activeElement;
      const style = getComputedStyle(element);
      return {
        name: element.dataset.testid || element.id || element.getAttribute("hreflang") || element.className || element.tagName,
        visible: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
      };
    });
  /** Tabs through the page; returns the names of what got the focus, each checked visible. */
  const tabOrder = async (stop) => {
    const order = [];
    for (let i = 0; i < 30; i += 1) {
      await page.keyboard.press("Tab");
      const now = await focused();
      assert.ok(now.visible, `the focus on ${now.name} is visible`);
      order.push(now.name);
      if (now.name === stop) return order;
    }
    assert.fail(`${stop} not reached by Tab: ${order}`);
  };

  await page.goto(sent.link);
  await assertFits(page, "landing");
  assert.deepEqual(await tabOrder("read"), ["skip", "nl", "en", "de", "read"]);
  const before = textsTo(patient);
  await page.keyboard.press("Enter");
  await page.locator("#code").waitFor();
  await assertFits(page, "code page");
  assert.equal((await focused()).name, "code", "the code field has the focus");
  await page.keyboard.type(await textedCode(patient, before));
  await page.keyboard.press("Enter");
  await page.getByTestId("body").waitFor();
  await assertFits(page, "message page");

  assert.deepEqual(await tabOrder("forward-send"), [
    "skip", "nl", "en", "de", "attachment", "download",
    "reply-text", "reply-files", "reply-send",
    "forward-reference", "forward-password", "forward-to", "forward-phone", "forward-send",
  ]);
  for (const id of ["reply-text", "reply-files", "forward-reference", "forward-password", "forward-to", "forward-phone"]) {
    assert.equal(await page.locator(`label[for="${id}"]`).count(), 1, `#${id} has a label`);
  }
  // A reply typed and sent without a mouse.
  await page.locator("#reply-text").focus();
  await page.keyboard.type("Ontvangen, dank u.");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  assert.equal((await focused()).name, "reply-send");
  await page.keyboard.press("Enter");
  await page.getByTestId("notice").waitFor();
  await until(() => handedOver(patient.sender).length === 2, "the reply at the sender");
  await assertFits(page, "message page after a reply");

  await page.goto(sent.link.replace(/[\w-]{8}$/, "AAAAAAAA"));
  await assertFits(page, "not available");
  assert.deepEqual(errors.map(String), []);
  await context.close();
});

test("the Viewer speaks the browser's language, English and German, and keeps a chosen one", async () => {
  const patient = newPatient();
  const sent = await sendFromThePanel(patient);

  const english = await patientBrowser({ locale: "en-GB" });
  await english.page.goto(sent.link);
  assert.equal(await english.page.locator("html").getAttribute("lang"), "en");
  assert.match(await english.page.getByTestId("read").innerText(), /read/i);
  await openMessage(english.page, patient, sent.link);
  assert.equal(await english.page.locator("html").getAttribute("lang"), "en");
  assert.match(await english.page.locator("#reply-title").innerText(), /reply/i);
  assert.deepEqual(english.errors.map(String), []);
  await english.context.close();

  const german = await patientBrowser({ locale: "de-DE" });
  await german.page.goto(sent.link);
  assert.equal(await german.page.locator("html").getAttribute("lang"), "de");
  await openMessage(german.page, patient, sent.link);
  assert.equal(await german.page.locator("html").getAttribute("lang"), "de");
  assert.match(await german.page.locator("#reply-title").innerText(), /antwort/i);
  await screenshot(german.page, "viewer-message-de");
  // Chosen by link: Nederlands, and it stays so on the next page.
  await german.page.locator('a[hreflang="nl"]').click();
  assert.equal(await german.page.locator("html").getAttribute("lang"), "nl");
  await german.page.goto(sent.link);
  assert.equal(await german.page.locator("html").getAttribute("lang"), "nl");
  assert.deepEqual(german.errors.map(String), []);
  await german.context.close();
});

// The scripted Office (addin-ui/static/office-double.js) beyond what the send handler uses: the
// task pane's calls, Office's item events, Mailbox 1.15, and values made in the caller's window.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const vm = require("node:vm");

const OfficeDouble = require("../../addin-ui/static/office-double.js");

const USER = "a.jansen@huisartsen-oost.nl";

/** Calls an Office.js-style method and resolves with its AsyncResult. */
function call(start) {
  return new Promise((resolve) => start((result) => resolve(result)));
}

function outlookWith(draft) {
  return OfficeDouble.create(Object.assign({ userEmail: USER }, draft));
}

test("answers asynchronously, like Outlook, and passes asyncContext back", async () => {
  const outlook = outlookWith({ subject: "Verwijzing" });
  let answered = false;
  const result = new Promise((resolve) =>
    outlook.Office.context.mailbox.item.subject.getAsync({ asyncContext: 7 }, (r) => {
      answered = true;
      resolve(r);
    })
  );
  assert.equal(answered, false, "never synchronously");
  const { status, value, asyncContext } = await result;
  assert.deepEqual({ status, value, asyncContext }, { status: "succeeded", value: "Verwijzing", asyncContext: 7 });
});

test("recipients: set and add as the panel would, with EmailAddressDetails back", async () => {
  const outlook = outlookWith();
  const item = outlook.Office.context.mailbox.item;
  await call((done) => item.to.setAsync(["b.smit@ziekenhuis-west.nl"], done));
  await call((done) => item.to.addAsync([{ emailAddress: "collega@huisartsen-oost.nl", displayName: "Collega" }], done));
  const { value } = await call((done) => item.to.getAsync(done));
  assert.deepEqual(value, [
    { emailAddress: "b.smit@ziekenhuis-west.nl", displayName: "b.smit@ziekenhuis-west.nl", recipientType: "externalUser" },
    { emailAddress: "collega@huisartsen-oost.nl", displayName: "Collega", recipientType: "user" },
  ]);
  const tooMany = Array.from({ length: 101 }, (_, i) => `p${i}@zorgmail.nl`);
  const refused = await call((done) => item.cc.setAsync(tooMany, done));
  assert.equal(refused.status, "failed");
  assert.equal(refused.error.name, "NumberOfRecipientsExceeded");
});

test("changes in the compose window fire RecipientsChanged and AttachmentsChanged into registered handlers", async () => {
  const outlook = outlookWith();
  const { Office } = outlook;
  const item = Office.context.mailbox.item;
  const seen = [];
  const registered = await call((done) =>
    item.addHandlerAsync(Office.EventType.RecipientsChanged, (event) => seen.push(event), done)
  );
  assert.equal(registered.status, "succeeded");
  await call((done) => item.addHandlerAsync(Office.EventType.AttachmentsChanged, (event) => seen.push(event), done));

  outlook.addRecipient("cc", { emailAddress: "m.bakker@example.com", recipientType: "externalUser" });
  const id = outlook.addAttachment({ name: "scan.exe", size: 1000 });
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.deepEqual(seen[0], { type: "olkRecipientsChanged", changedRecipientFields: { to: false, cc: true, bcc: false } });
  assert.equal(seen[1].type, "olkAttachmentsChanged");
  assert.equal(seen[1].attachmentStatus, "added");
  assert.deepEqual(seen[1].attachmentDetails, { id, name: "scan.exe", size: 1000, attachmentType: "file", isInline: false });

  // The panel removes it: the same event, "removed".
  const removed = await call((done) => item.removeAttachmentAsync(id, done));
  assert.equal(removed.status, "succeeded");
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(seen[2].attachmentStatus, "removed");
  assert.deepEqual(outlook.state.attachments, []);

  const again = await call((done) => item.removeAttachmentAsync(id, done));
  assert.equal(again.status, "failed");
  assert.equal(again.error.name, "InvalidAttachmentId");

  await call((done) => item.removeHandlerAsync(Office.EventType.RecipientsChanged, done));
  outlook.removeRecipient("cc", 0);
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(seen.length, 3, "no handler for RecipientsChanged any more");
});

test("an unknown event type is refused", async () => {
  const outlook = outlookWith();
  const result = await call((done) => outlook.Office.context.mailbox.item.addHandlerAsync("olkNope", () => {}, done));
  assert.equal(result.status, "failed");
});

test("Mailbox 1.15 brings item.sendAsync; without it the method is absent", async () => {
  const outlook = outlookWith({ to: [{ emailAddress: "b.smit@ziekenhuis-west.nl" }], subject: "S" });
  const { Office } = outlook;
  const sent = [];
  outlook.listen((report) => report.name === "sent" && sent.push(report.mail));
  assert.equal(Office.context.requirements.isSetSupported("Mailbox", "1.15"), true);
  assert.equal(Office.context.requirements.isSetSupported("Mailbox", "1.16"), false);
  assert.equal(Office.context.requirements.isSetSupported("NestedAppAuth", "1.1"), false);
  await call((done) => Office.context.mailbox.item.internetHeaders.setAsync({ "X-SendSecure-Token": "a.b.c" }, done));
  const result = await call((done) => Office.context.mailbox.item.sendAsync(done));
  assert.equal(result.status, "succeeded");
  assert.equal(sent.length, 1);
  assert.equal(sent[0].subject, "S");
  assert.deepEqual(sent[0].headers, { "X-SendSecure-Token": "a.b.c" });

  outlook.state.mailboxVersion = "1.14";
  assert.equal(Office.context.requirements.isSetSupported("Mailbox", "1.15"), false);
  assert.equal(Office.context.requirements.isSetSupported("Mailbox", "1.12"), true);
  assert.equal(Office.context.mailbox.item.sendAsync, undefined);
});

test("subject, from, user profile, display language and the initialization context", async () => {
  const outlook = outlookWith({ from: "praktijk@huisartsen-oost.nl", displayLanguage: "de-DE", initializationContext: "ctx" });
  const { Office } = outlook;
  const item = Office.context.mailbox.item;
  await call((done) => item.subject.setAsync("Nieuw", done));
  assert.equal(outlook.state.subject, "Nieuw");
  assert.equal((await call((done) => item.from.getAsync(done))).value.emailAddress, "praktijk@huisartsen-oost.nl");
  assert.equal(Office.context.mailbox.userProfile.emailAddress, USER);
  assert.equal(Office.context.displayLanguage, "de-DE");
  assert.equal((await call((done) => item.getInitializationContextAsync(done))).value, "ctx");
  assert.equal((await call((done) => item.getInitializationContextAsync(done))).value, null, "handed out once");
  const info = await Office.onReady();
  assert.deepEqual(info, { host: "Outlook", platform: "OfficeOnline" });
});

test("another window's Office hands out values made in that window", async () => {
  const outlook = outlookWith({ to: [{ emailAddress: "b.smit@ziekenhuis-west.nl" }] });
  const realm = vm.runInNewContext("this");
  const Office = outlook.officeFor(realm, "panel");
  assert.equal(outlook.officeFor(realm), Office, "one Office per window");

  const ready = Office.onReady();
  assert.ok(ready instanceof realm.Promise, "a Promise of that window");
  await ready;
  assert.equal(typeof outlook.readyAt(realm), "number");

  const result = await call((done) => Office.context.mailbox.item.to.getAsync(done));
  assert.ok(result instanceof realm.Object);
  assert.ok(result.value instanceof realm.Array);
  assert.ok(!(result.value instanceof Array), "not this window's Array");

  // Events reach every window's handlers, until the window is forgotten (it reloaded).
  const seen = [];
  await call((done) => Office.context.mailbox.item.addHandlerAsync("olkRecipientsChanged", (e) => seen.push(e), done));
  outlook.setRecipients("to", []);
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(seen.length, 1);
  assert.ok(seen[0] instanceof realm.Object);
  outlook.forget(realm);
  outlook.setRecipients("to", [{ emailAddress: "x@zorgmail.nl" }]);
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(seen.length, 1);
  assert.notEqual(outlook.officeFor(realm), Office, "a reloaded window gets a fresh Office");
});

test("reports every call, with the window that made it", async () => {
  const outlook = outlookWith();
  const reports = [];
  outlook.listen((report) => reports.push(report));
  const panel = outlook.officeFor(vm.runInNewContext("this"), "panel");
  await call((done) => panel.context.mailbox.item.getAttachmentsAsync(done));
  assert.deepEqual(
    reports.map((r) => [r.name, r.window]),
    [["attachments", "panel"]]
  );
  assert.deepEqual(outlook.calls, ["attachments"]);
});

test("the notification bar: replaced by key, removed, and held to Outlook's limits", async () => {
  const outlook = outlookWith();
  const bar = outlook.Office.context.mailbox.item.notificationMessages;
  const info = (message) => ({ type: "informationalMessage", message, icon: "Icon.16", persistent: false });

  assert.equal((await call((done) => bar.replaceAsync("sendsecure", info("1 actie nodig"), done))).status, "succeeded");
  await call((done) => bar.replaceAsync("sendsecure", info("veilig"), done));
  assert.deepEqual(outlook.state.notifications, { sendsecure: info("veilig") }, "one message per key");

  const tooLong = await call((done) => bar.replaceAsync("sendsecure", info("x".repeat(151)), done));
  assert.equal(tooLong.status, "failed");
  const noIcon = await call((done) =>
    bar.replaceAsync("other", { type: "informationalMessage", message: "m", persistent: false }, done)
  );
  assert.equal(noIcon.status, "failed", "an informational message needs an icon");

  await call((done) => bar.removeAsync("sendsecure", done));
  assert.deepEqual(outlook.state.notifications, {});
});

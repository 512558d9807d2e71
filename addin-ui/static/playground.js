/*
 * The Send Secure playground (SPEC §9): a simulated Outlook on the web compose window beside the
 * real task pane, wired through the scripted Office of office-double.js.
 *
 * - The panel (/taskpane.html, in #panel) finds its Office through
 *   window.parent.SendSecurePlayground.office (its office-loader.js does that instead of loading
 *   Microsoft's office.js when it runs inside this page).
 * - Outlook's own Send button runs the real send handler: each press loads
 *   playground-handler.html (launchevent.html with this page's Office instead of Microsoft's) in a
 *   fresh hidden iframe, as Outlook starts a fresh runtime per Send, and calls the
 *   onMessageSendHandler that /launchevent.js associated. event.completed(...) then sends the mail
 *   or shows the Smart Alerts dialog.
 * - Every change made here fires Office's item events into the panel; what the panel changes
 *   (subject, removed attachments, headers) shows here.
 * - What Exchange Online would do next happens too: a sent mail carrying a send token goes to
 *   the server's own relay (POST /api/v1/playground/exchange, which speaks SMTP to it), and the
 *   Sent list shows what became of each recipient — delivered by Exchange inside the
 *   organisation, handed to the next hop, or stored for the Viewer.
 *
 * URL parameters: user (the signed-in mailbox, default a.jansen@huisartsen-oost.nl), lang
 * (Outlook's display language), mailbox=1.14 (no item.sendAsync), pane=closed.
 *
 * Tests drive it through the page and through window.SendSecurePlayground (setDraft, pressSend,
 * sent, timings, outlook).
 */
(function () {
  "use strict";

  const PANEL_URL = "/taskpane.html";
  const HANDLER_URL = "playground-handler.html";
  const HANDLER_NAME = "onMessageSendHandler";
  /** The id of the ribbon button in manifest.xml: Smart Alerts' commandId opens it. */
  const PANEL_COMMAND_ID = "SendSecure.OpenPanel";
  const TOKEN_HEADER = "x-sendsecure-token";
  /** Outlook gives up on a send handler after about this long (SoftBlock: the user may send). */
  const HANDLER_TIMEOUT_MS = 15000;
  const LOG_LIMIT = 300;

  const params = new URLSearchParams(location.search);
  const USER = (params.get("user") || "a.jansen@huisartsen-oost.nl").trim().toLowerCase();
  const USER_DOMAIN = USER.split("@")[1] || "huisartsen-oost.nl";
  const MAILBOXES = [
    { address: USER, name: USER === "a.jansen@huisartsen-oost.nl" ? "A. Jansen" : USER.split("@")[0] },
    { address: "praktijk@" + USER_DOMAIN, name: "Huisartsenpraktijk (shared mailbox)" },
  ];

  const ADDRESS_BOOK = [
    ["B. Smit", "b.smit@ziekenhuis-west.nl"],
    ["Apotheek Centrum", "apotheek@apotheek-centrum.nl"],
    ["GGZ Noord", "intake@ggz-noord.nl"],
    ["M. Bakker (patient)", "m.bakker@example.com"],
    ["J. de Vries (patient)", "j.devries@gmail.com"],
    ["Collega", "collega@" + USER_DOMAIN],
    ["Team Oost (list)", "team@" + USER_DOMAIN],
  ];

  const person = (name, address, type) => ({ displayName: name, emailAddress: address, recipientType: type });
  const EXAMPLES = {
    community: {
      title: "Colleague in the community (goes out by itself)",
      to: [person("B. Smit", "b.smit@ziekenhuis-west.nl")],
      subject: "Verwijzing",
      attachments: [{ name: "verwijsbrief.pdf", size: 183211 }],
    },
    patient: {
      title: "Patient outside the community (Viewer, SMS code)",
      to: [person("M. Bakker", "m.bakker@example.com")],
      subject: "Uitslag bloedonderzoek",
      attachments: [{ name: "uitslag.pdf", size: 95744 }],
    },
    unsafe: {
      title: "Unsafe attachment",
      to: [person("B. Smit", "b.smit@ziekenhuis-west.nl")],
      subject: "Scan",
      attachments: [
        { name: "verwijsbrief.pdf", size: 183211 },
        { name: "scan.pdf.exe", size: 48128 },
      ],
    },
    list: {
      title: "Distribution list",
      to: [person("Team Oost", "team@" + USER_DOMAIN, "distributionList")],
      subject: "Overdracht weekend",
    },
    bcc: {
      title: "Patients in BCC",
      to: [person("", USER)],
      bcc: [person("M. Bakker", "m.bakker@example.com"), person("J. de Vries", "j.devries@gmail.com")],
      subject: "Griepprik",
    },
    many: {
      title: "101 recipients",
      to: Array.from({ length: 101 }, (_, i) => person("", "deelnemer" + (i + 1) + "@zorgmail.nl")),
      subject: "Nieuwsbrief",
    },
    empty: { title: "Empty message" },
  };

  const outlook = SendSecureOfficeDouble.create({
    userEmail: USER,
    userName: MAILBOXES[0].name,
    displayLanguage: params.get("lang") || "nl-NL",
    mailboxVersion: params.get("mailbox") || "1.15",
  });

  const $ = (id) => document.getElementById(id);
  const panelFrame = $("panel");
  const handlerFrame = $("send-handler");
  const sent = [];
  const timings = [];
  let paneOpen = params.get("pane") !== "closed";
  let sending = false;

  /* The hook the panel's office-loader.js and the handler page look for. */
  window.SendSecurePlayground = {
    /** The panel's Office: values made in the panel's own window. */
    get office() {
      return outlook.officeFor(panelFrame.contentWindow, "panel");
    },
    officeFor: (win, label) => outlook.officeFor(win, label || "handler"),
    outlook: outlook,
    sent: sent,
    timings: timings,
    setDraft: setDraft,
    pressSend: pressSend,
    openPanel: openPanel,
    reloadPanel: loadPanel,
  };

  /* ---- Small DOM helpers -------------------------------------------------------------------- */

  function h(tag, attributes, children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === false || value === null || value === undefined) continue;
      if (name === "text") element.textContent = value;
      else if (name === "class") element.className = value;
      else if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
      else element.setAttribute(name, value === true ? "" : value);
    }
    for (const child of [].concat(children || [])) {
      if (child === null || child === undefined || child === false) continue;
      element.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return element;
  }

  function formatSize(bytes) {
    if (bytes >= 1048576) return (bytes / 1048576).toFixed(1) + " MB";
    if (bytes >= 1024) return Math.round(bytes / 1024) + " KB";
    return bytes + " B";
  }

  function recipientLabel(recipient) {
    const name = recipient.displayName && recipient.displayName !== recipient.emailAddress ? recipient.displayName : "";
    return name ? name + " <" + recipient.emailAddress + ">" : recipient.emailAddress;
  }

  function status(text, tone) {
    const box = $("send-status");
    box.hidden = !text;
    box.textContent = text || "";
    box.dataset.tone = tone || "info";
  }

  /* ---- The compose window ------------------------------------------------------------------- */

  function renderRecipients() {
    for (const field of ["to", "cc", "bcc"]) {
      const list = $(field + "-list");
      const label = field === "to" ? "To" : field === "cc" ? "Cc" : "Bcc";
      list.replaceChildren(
        ...outlook.state[field].map((recipient, index) =>
          h("li", { class: "chip", "data-address": recipient.emailAddress, "data-kind": recipient.recipientType }, [
            recipient.recipientType === "distributionList" ? h("span", { class: "badge", text: "list" }) : null,
            h("span", { class: "chip-text", text: recipientLabel(recipient) }),
            h("button", {
              type: "button",
              class: "chip-remove",
              "aria-label": "Remove " + recipient.emailAddress + " from " + label,
              title: "Remove",
              text: "✕",
              onclick: () => outlook.removeRecipient(field, index),
            }),
          ])
        )
      );
      list.closest(".field").dataset.count = String(outlook.state[field].length);
    }
  }

  function renderAttachments() {
    const attachments = outlook.snapshot().attachments;
    $("attachment-list").replaceChildren(
      ...attachments.map((attachment) =>
        h("li", { class: "attachment", "data-name": attachment.name, "data-id": attachment.id }, [
          h("span", { class: "attachment-icon", "data-type": attachment.attachmentType, "aria-hidden": "true" }),
          h("span", { class: "attachment-name", text: attachment.name }),
          h("span", { class: "attachment-size", text: attachment.attachmentType === "cloud" ? "cloud link" : formatSize(attachment.size) }),
          h("button", {
            type: "button",
            class: "chip-remove",
            "aria-label": "Remove attachment " + attachment.name,
            title: "Remove",
            text: "✕",
            onclick: () => outlook.removeAttachment(attachment.id),
          }),
        ])
      )
    );
  }

  function renderSubject() {
    const input = $("subject");
    if (input.value !== outlook.state.subject) input.value = outlook.state.subject;
  }

  /** Outlook's notification bar above the draft (item.notificationMessages). */
  function renderNotifications() {
    const bar = outlook.state.notifications || {};
    $("notifications").replaceChildren(
      ...Object.keys(bar).map((key) =>
        h("li", { class: "notification notification-" + bar[key].type, "data-key": key, text: bar[key].message })
      )
    );
  }

  function render() {
    renderRecipients();
    renderAttachments();
    renderSubject();
    renderNotifications();
  }

  /** "B. Smit <b.smit@x.nl>; c@y.nl" → [{displayName, emailAddress}]. */
  function parseAddresses(text) {
    return text
      .split(/[;,\n]+/)
      .map((part) => part.trim())
      .filter(Boolean)
      .map((part) => {
        const named = /^(.*?)\s*<([^>]*)>$/.exec(part);
        return named ? { displayName: named[1].replace(/^"|"$/g, ""), emailAddress: named[2].trim() } : { displayName: "", emailAddress: part };
      });
  }

  function addRecipients(event) {
    event.preventDefault();
    const input = $("recipient-address");
    const field = $("recipient-field").value;
    const list = $("recipient-kind").value === "distribution-list";
    const added = parseAddresses(input.value).map((recipient) =>
      Object.assign(recipient, {
        displayName: recipient.displayName || recipient.emailAddress,
        recipientType: list ? "distributionList" : outlook.typeFor(recipient.emailAddress),
      })
    );
    if (!added.length) return;
    outlook.setRecipients(field, outlook.state[field].concat(added));
    input.value = "";
    input.focus();
  }

  function addAttachment(event) {
    event.preventDefault();
    const name = $("attachment-name").value.trim();
    if (!name) {
      $("attachment-name").focus();
      return;
    }
    const cloud = $("attachment-cloud").checked;
    const size = cloud ? 0 : Math.max(0, Math.round(Number($("attachment-size").value || 0) * 1024));
    outlook.addAttachment({ name: name, size: size, attachmentType: cloud ? "cloud" : "file" });
    $("attachment-name").value = "";
    $("attachment-name").focus();
  }

  /** A new draft (an example, or after sending): the panel opens on it afresh. Resolves once
   *  the panel's page has loaded. */
  function setDraft(draft) {
    const next = draft || {};
    outlook.reset({
      to: (next.to || []).map((r) => Object.assign({}, r, { recipientType: r.recipientType || outlook.typeFor(r.emailAddress) })),
      cc: (next.cc || []).map((r) => Object.assign({}, r, { recipientType: r.recipientType || outlook.typeFor(r.emailAddress) })),
      bcc: (next.bcc || []).map((r) => Object.assign({}, r, { recipientType: r.recipientType || outlook.typeFor(r.emailAddress) })),
      subject: next.subject || "",
      attachments: (next.attachments || []).map((a, i) =>
        Object.assign({ id: "AAMkAD-example-" + Date.now().toString(36) + "-" + i, attachmentType: "file", isInline: false }, a)
      ),
      headers: {},
    });
    $("body").value = "";
    render();
    return paneOpen ? loadPanel() : Promise.resolve();
  }

  /* ---- The panel ---------------------------------------------------------------------------- */

  /** (Re)opens the panel on the current draft; resolves once its page has loaded. */
  function loadPanel() {
    outlook.forget(panelFrame.contentWindow);
    return loadFrame(panelFrame, PANEL_URL);
  }

  function setPane(open, context) {
    paneOpen = open;
    $("pane").hidden = !open;
    $("ribbon-sendsecure").setAttribute("aria-pressed", String(open));
    if (open) {
      if (context !== undefined) outlook.state.initializationContext = context;
      loadPanel();
    } else {
      outlook.forget(panelFrame.contentWindow);
      panelFrame.removeAttribute("src");
      panelFrame.src = "about:blank";
    }
  }

  /** What Smart Alerts' button (commandId) does: open the panel, or bring it forward. */
  function openPanel(context) {
    if (!paneOpen) setPane(true, context);
    const pane = $("pane");
    pane.classList.remove("called");
    void pane.offsetWidth; // restart the highlight
    pane.classList.add("called");
    panelFrame.focus();
  }

  /* ---- Sending ------------------------------------------------------------------------------ */

  /** The draft goes out: it shows under "Sent", Exchange routes it, and a new draft starts. */
  function deliver(how, snapshot) {
    const mail = snapshot || outlook.snapshot();
    mail.how = how;
    mail.at = new Date();
    mail.body = $("body").value;
    sent.unshift(mail);
    const item = sentItem(mail);
    $("sent-list").prepend(item);
    renderSentCount();
    setDraft({});
    route(mail, item);
  }

  /* ---- Exchange Online and the relay ------------------------------------------------------- */

  const OUTCOME = {
    exchange: "delivered by Exchange (inside the organisation)",
    ordinary: "sent by Exchange as ordinary mail",
    "next-hop": "relay: handed to the next hop (secure network)",
    viewer: "relay: stored for the Viewer, notification sent",
    deferred: "relay: deferred, Exchange tries again later",
    refused: "relay: refused, Exchange sends the sender a non-delivery report",
  };

  /** Hands the mail to the relay as Exchange would and shows what became of each recipient. */
  function route(mail, item) {
    const box = item.querySelector(".route");
    const session = sessionFor(mail.from);
    if (!session) {
      box.replaceChildren(h("p", { class: "hint", text: "Sign in in the panel to see what Exchange and the relay do with sent mail." }));
      box.dataset.state = "signed-out";
      mail.route = Promise.resolve(null);
      return;
    }
    const address = (recipient) => recipient.emailAddress;
    const body = {
      from: mail.from,
      to: mail.to.map(address),
      cc: mail.cc.map(address),
      bcc: mail.bcc.map(address),
      subject: mail.subject || "",
      body: mail.body || "",
      attachments: mail.attachments.map((a) => ({ name: a.name, size: a.size || 0, cloud: a.attachmentType === "cloud" })),
      token: headerValue(mail.headers, TOKEN_HEADER) || null,
    };
    mail.route = fetch("/api/v1/playground/exchange", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: "Bearer " + session.token, "X-Device-Id": session.device },
      body: JSON.stringify(body),
    })
      .then((response) => response.json().then((answer) => ({ ok: response.ok, answer })))
      .then(({ ok, answer }) => {
        if (!ok) throw new Error((answer && answer.error && answer.error.message) || "the server did not route the mail");
        showRoute(box, answer);
        return answer;
      })
      .catch((error) => {
        box.replaceChildren(h("p", { class: "hint", text: "Not routed: " + error.message }));
        box.dataset.state = "error";
        return null;
      });
  }

  function showRoute(box, answer) {
    box.dataset.state = "routed";
    box.replaceChildren(
      h("p", { class: "route-title", text: "What Exchange Online and the relay did" }),
      h(
        "ul",
        { class: "route-list" },
        answer.recipients.map((recipient) =>
          h("li", { "data-address": recipient.address, "data-outcome": recipient.outcome }, [
            h("span", { class: "route-address", text: recipient.address }),
            h("span", { class: "route-outcome", text: OUTCOME[recipient.outcome] || recipient.outcome }),
          ])
        )
      ),
      answer.relay ? h("p", { class: "relay-reply", "data-code": String(answer.relay.code), text: "Relay's answer: " + answer.relay.reply }) : null
    );
  }

  /** The panel's session for `mailbox` (or the user's own), from the storage it shares with us. */
  function sessionFor(mailbox) {
    try {
      const device = localStorage.getItem("sendsecure.device");
      for (const candidate of [mailbox, USER]) {
        const raw = localStorage.getItem("sendsecure.session." + String(candidate || "").toLowerCase());
        const session = raw ? JSON.parse(raw) : null;
        if (device && session && session.token) return { token: session.token, device: device };
      }
    } catch (error) {
      // No storage, no session.
    }
    return null;
  }

  function headerValue(headers, name) {
    const key = Object.keys(headers || {}).filter((candidate) => candidate.toLowerCase() === name)[0];
    return key ? headers[key] : "";
  }

  /** The JSON parts of a compact JWS (no signature check: that is the relay's job). */
  function decodeToken(token) {
    const part = (text) => {
      const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
      const bytes = Uint8Array.from(atob(base64 + "===".slice((base64.length + 3) % 4)), (c) => c.charCodeAt(0));
      return JSON.parse(new TextDecoder().decode(bytes));
    };
    try {
      const [header, payload] = String(token).split(".");
      return { header: part(header), claims: part(payload) };
    } catch (error) {
      return null;
    }
  }

  const HOW = {
    panel: "Sent by the panel (item.sendAsync)",
    checked: "Sent with Outlook's Send, after Send Secure's check",
    anyway: "Sent with Send Anyway (ordinary mail)",
    unchecked: "Sent with Outlook's Send, not checked",
  };

  function renderSentCount() {
    $("sent-count").textContent = String(sent.length);
    $("sent-empty").hidden = sent.length > 0;
  }

  function sentItem(mail) {
    const token = headerValue(mail.headers, TOKEN_HEADER);
    const decoded = token ? decodeToken(token) : null;
    const row = (label, value) => (value ? [h("dt", { text: label }), h("dd", { text: value })] : []);
    const names = (list) => list.map(recipientLabel).join("; ");
    return h("li", { class: "sent-mail", "data-how": mail.how, "data-secure": String(Boolean(token)) }, [
      h("div", { class: "sent-head" }, [
        h("span", { class: "sent-subject", text: mail.subject || "(no subject)" }),
        h("span", { class: token ? "badge secure" : "badge plain", text: token ? "secure (send token)" : "ordinary mail" }),
        h("time", { text: mail.at.toLocaleTimeString() }),
      ]),
      h("p", { class: "sent-how", text: HOW[mail.how] || mail.how }),
      h(
        "dl",
        { class: "sent-fields" },
        [].concat(
          row("From", mail.from),
          row("To", names(mail.to)),
          row("Cc", names(mail.cc)),
          row("Bcc", names(mail.bcc)),
          row("Attachments", mail.attachments.map((a) => a.name + " (" + (a.attachmentType === "cloud" ? "cloud" : formatSize(a.size)) + ")").join(", "))
        )
      ),
      h("details", { class: "sent-headers", open: Boolean(token) }, [
        h("summary", { text: "Internet headers (" + Object.keys(mail.headers).length + ")" }),
        Object.keys(mail.headers).length
          ? h(
              "dl",
              { class: "header-list" },
              [].concat(
                ...Object.keys(mail.headers).map((name) => [
                  h("dt", { text: name }),
                  h("dd", { class: "header-value", "data-header": name, text: mail.headers[name] }),
                ])
              )
            )
          : h("p", { class: "hint", text: "None." }),
        decoded
          ? h("div", { class: "token" }, [
              h("p", { text: "X-SendSecure-Token, decoded. It names no one (every recipient can read it): what was checked is the dispatch the relay looks up under its jti. The relay verifies the signature against /.well-known/jwks.json." }),
              h("pre", { class: "token-header", text: JSON.stringify(decoded.header, null, 2) }),
              h("pre", { class: "token-claims", text: JSON.stringify(decoded.claims, null, 2) }),
            ])
          : null,
      ]),
      h("div", { class: "route", "data-state": "routing" }, h("p", { class: "hint", text: "Routing…" })),
    ]);
  }

  function loadFrame(frame, url) {
    return new Promise((resolve) => {
      frame.addEventListener("load", () => resolve(), { once: true });
      frame.src = url;
    });
  }

  /**
   * Outlook's Send: the real send handler in a fresh runtime, then what Outlook does with its
   * answer. Resolves with {options, loadMs, decisionMs, totalMs}; the mail is sent or the
   * Smart Alerts dialog is open by then.
   */
  async function pressSend() {
    if (sending) return null;
    sending = true;
    $("outlook-send").disabled = true;
    status("Send Secure is checking this message…", "busy");
    const started = performance.now();
    try {
      delete outlook.handlers[HANDLER_NAME];
      outlook.forget(handlerFrame.contentWindow);
      await loadFrame(handlerFrame, HANDLER_URL + "?et=" + Date.now().toString(36));
      const handler = outlook.handlers[HANDLER_NAME];
      const loaded = performance.now();
      const options = handler ? await runHandler(handler) : null;
      const done = performance.now();
      const timing = {
        options: options,
        loadMs: loaded - started,
        decisionMs: done - loaded,
        totalMs: done - started,
      };
      timings.push(timing);
      decide(options);
      return timing;
    } finally {
      sending = false;
      $("outlook-send").disabled = false;
    }
  }

  function runHandler(handler) {
    return new Promise((resolve) => {
      let calls = 0;
      const timer = setTimeout(() => resolve(null), HANDLER_TIMEOUT_MS);
      const event = {
        type: "olkMessageSend",
        completed: (options) => {
          calls += 1;
          if (calls > 1) {
            console.warn("event.completed was called " + calls + " times");
            return;
          }
          clearTimeout(timer);
          resolve(JSON.parse(JSON.stringify(options || {})));
        },
      };
      try {
        handler(event);
      } catch (error) {
        console.error("the send handler threw", error);
      }
    });
  }

  /** What Outlook does with event.completed's options (null: the handler never answered). */
  function decide(options) {
    if (options && options.allowEvent) {
      status("");
      deliver("checked");
      status("Sent.", "ok");
      return;
    }
    status("");
    smartAlert(
      options || {
        allowEvent: false,
        errorMessage: "Send Secure is taking too long to respond. (The add-in did not answer; SoftBlock lets you send.)",
        sendModeOverride: "promptUser",
      }
    );
  }

  /* ---- Smart Alerts ------------------------------------------------------------------------- */

  /** The dialog's text: Outlook's small Markdown (bold, lists, line breaks), as DOM nodes. */
  function markdown(text) {
    const box = document.createDocumentFragment();
    let list = null;
    for (const line of String(text).split(/\r\n|\r|\n/)) {
      const item = /^\s*[-*] (.*)$/.exec(line);
      if (item) {
        list = list || box.appendChild(h("ul"));
        list.append(h("li", {}, inline(item[1])));
        continue;
      }
      list = null;
      if (line.trim()) box.append(h("p", {}, inline(line)));
    }
    return box;
  }

  function inline(text) {
    const nodes = [];
    const parts = text.split(/(\*\*(?:\\.|[^*])+\*\*)/);
    for (const part of parts) {
      if (!part) continue;
      const bold = /^\*\*(.*)\*\*$/.exec(part);
      const plain = (bold ? bold[1] : part).replace(/\\(.)/g, "$1");
      nodes.push(bold ? h("strong", { text: plain }) : document.createTextNode(plain));
    }
    return nodes;
  }

  function smartAlert(options) {
    const dialog = $("smart-alert");
    dialog.dataset.reason = (() => {
      try {
        return JSON.parse(options.contextData || "{}").reason || "";
      } catch (error) {
        return "";
      }
    })();
    $("smart-alert-message").replaceChildren(
      options.errorMessageMarkdown ? markdown(options.errorMessageMarkdown) : h("p", { text: options.errorMessage || "" })
    );
    const action = $("smart-alert-action");
    action.hidden = !(options.cancelLabel && options.commandId);
    action.textContent = options.cancelLabel || "";
    action.onclick = () => {
      dialog.close("action");
      if (options.commandId === PANEL_COMMAND_ID) openPanel(options.contextData || null);
    };
    const anyway = $("smart-alert-send-anyway");
    anyway.hidden = options.sendModeOverride !== "promptUser";
    anyway.onclick = () => {
      dialog.close("send-anyway");
      deliver("anyway");
    };
    $("smart-alert-dont-send").onclick = () => dialog.close("dont-send");
    dialog.showModal();
    (action.hidden ? $("smart-alert-dont-send") : action).focus();
  }

  /* ---- Simulation settings and the call log ------------------------------------------------- */

  const CALL_NAMES = {
    to: "item.to.getAsync",
    cc: "item.cc.getAsync",
    bcc: "item.bcc.getAsync",
    setTo: "item.to.setAsync",
    setCc: "item.cc.setAsync",
    setBcc: "item.bcc.setAsync",
    addTo: "item.to.addAsync",
    addCc: "item.cc.addAsync",
    addBcc: "item.bcc.addAsync",
    from: "item.from.getAsync",
    subject: "item.subject.getAsync",
    setSubject: "item.subject.setAsync",
    attachments: "item.getAttachmentsAsync",
    removeAttachment: "item.removeAttachmentAsync",
    getHeaders: "item.internetHeaders.getAsync",
    setHeaders: "item.internetHeaders.setAsync",
    removeHeaders: "item.internetHeaders.removeAsync",
    save: "item.saveAsync",
    send: "item.sendAsync",
    addHandler: "item.addHandlerAsync",
    removeHandler: "item.removeHandlerAsync",
    initializationContext: "item.getInitializationContextAsync",
    onReady: "Office.onReady",
  };

  function logCall(report) {
    if (report.name === "changed") return;
    let text;
    if (report.name === "event") {
      const detail = report.args.changedRecipientFields
        ? Object.keys(report.args.changedRecipientFields).filter((key) => report.args.changedRecipientFields[key]).join(", ")
        : report.args.attachmentStatus + " " + report.args.attachmentDetails.name;
      text = "Outlook → " + report.type + " (" + detail + ")";
    } else if (report.name === "sent") {
      return;
    } else {
      const name = CALL_NAMES[report.name] || report.name.replace(/^associate:/, "Office.actions.associate: ");
      const arg = report.args && report.args.length && typeof report.args[0] !== "function" ? summary(report.args[0]) : "";
      text = "[" + (report.window || "?") + "] " + name + (arg ? " " + arg : "");
    }
    const log = $("call-log");
    log.prepend(h("li", { text: text }));
    while (log.children.length > LOG_LIMIT) log.lastChild.remove();
    $("log-count").textContent = String(Number($("log-count").textContent) + 1);
  }

  function summary(value) {
    try {
      const text = typeof value === "string" ? JSON.stringify(value) : JSON.stringify(value);
      return text && text.length > 80 ? text.slice(0, 79) + "…" : text || "";
    } catch (error) {
      return "";
    }
  }

  function setUp() {
    $("from").replaceChildren(
      ...MAILBOXES.map((mailbox) => h("option", { value: mailbox.address, text: mailbox.name + " <" + mailbox.address + ">" }))
    );
    $("from").addEventListener("change", () => {
      outlook.state.from = $("from").value === USER ? null : $("from").value;
      if (paneOpen) loadPanel();
    });
    $("address-book").replaceChildren(...ADDRESS_BOOK.map(([name, address]) => h("option", { value: address, label: name })));
    $("recipient-address").setAttribute("list", "address-book");
    $("recipient-form").addEventListener("submit", addRecipients);
    $("attachment-form").addEventListener("submit", addAttachment);
    $("attachment-cloud").addEventListener("change", () => {
      $("attachment-size").disabled = $("attachment-cloud").checked;
    });
    $("subject").addEventListener("input", () => outlook.setSubject($("subject").value));

    $("example").append(...Object.entries(EXAMPLES).map(([key, example]) => h("option", { value: key, text: example.title })));
    $("example").addEventListener("change", () => {
      const example = EXAMPLES[$("example").value];
      if (example) setDraft(example);
      $("example").value = "";
    });
    $("display-language").value = outlook.state.displayLanguage;
    $("display-language").addEventListener("change", () => {
      outlook.state.displayLanguage = $("display-language").value;
      if (paneOpen) loadPanel();
    });
    $("mailbox-115").checked = outlook.state.mailboxVersion === "1.15";
    $("mailbox-115").addEventListener("change", () => {
      outlook.state.mailboxVersion = $("mailbox-115").checked ? "1.15" : "1.14";
      if (paneOpen) loadPanel();
    });

    $("outlook-send").addEventListener("click", () => {
      pressSend();
    });
    $("outlook-discard").addEventListener("click", () => setDraft({}));
    $("ribbon-sendsecure").addEventListener("click", () => setPane(!paneOpen));
    $("pane-close").addEventListener("click", () => setPane(false));
    $("pane-reload").addEventListener("click", () => loadPanel());
    $("smart-alert").addEventListener("cancel", () => status(""));

    outlook.listen((report) => {
      if (report.name === "changed") render();
      if (report.name === "sent") {
        // The panel's callback runs first; then the compose window closes, as in Outlook.
        setTimeout(() => deliver("panel", report.mail), 0);
      }
      logCall(report);
    });

    render();
    renderSentCount();
    setPane(paneOpen);
  }

  setUp();
})();

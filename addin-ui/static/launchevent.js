/*
 * Send Secure: the OnMessageSend handler, "security by default" (SPEC §7).
 *
 * Outlook runs onMessageSendHandler when the user presses its own Send button and waits for
 * event.completed(...): 5 seconds from the click, loading included. So this file is small plain
 * JavaScript (ES2016 syntax at most: classic Outlook on Windows runs it alone in a JavaScript-only
 * runtime), has no build step and no dependencies, never throws, and completes the event exactly
 * once on every path, by TOTAL_BUDGET_MS at the latest.
 *
 * Decisions, in order:
 *   1. The draft already carries an X-SendSecure-Token (put there by the panel's "Veilig
 *      verzenden") that is unexpired and was issued for exactly the current sender, recipients
 *      and attachments → allow. The token names no one (the header reaches every recipient):
 *      its `cov` claim is an HMAC-SHA-256 of what was checked, keyed with this browser's device
 *      id, which the handler recomputes from the draft (see coverageText). Where the runtime
 *      has no storage (classic Outlook) the device id is out of reach: an unexpired token is
 *      honoured, and the relay, which checks the mail against what was checked, has the last
 *      word. (The signature is not verified here either: the relay does that.)
 *   2. No same-origin storage (classic Outlook's runtime) → say the check cannot run here; the
 *      user may send normally or securely from the panel.
 *   3. Not signed in (no session in storage, or the API answers 401) → block and offer the
 *      panel to sign in. (If the API is unreachable too, signing in cannot work: case 5.)
 *   4. POST /api/v1/check: `auto_send` → POST /api/v1/send-token, put the token on the draft as
 *      X-SendSecure-Token, allow. Otherwise block with what needs doing, offer the panel
 *      ("Veilig verzenden"), let the user send normally (PromptUser), and report the block to
 *      POST /api/v1/events.
 *   5. The API does not answer within API_BUDGET_MS, answers with an error, or reports
 *      `directory-unavailable` → say so and let the user send normally (PromptUser).
 *   The organisation may switch security by default off (`security_by_default = false`):
 *   `serve` writes the policy into this file's first line (SENDSECURE_POLICY), so every send
 *   is then allowed at once, without reading the draft or calling the API. A copy of this file
 *   served without that line (an older server) asks GET /api/v1/info beside the check.
 *
 * Storage contract (same-origin localStorage; the panel writes it, this handler only reads):
 *   sendsecure.device                  the device id: the X-Device-Id sent with every API call
 *   sendsecure.session.<mailbox>       JSON {"token": "...", "expires_at": "RFC 3339"}, one per
 *                                      mailbox; <mailbox> is the address trimmed and lower-cased.
 *                                      The draft's From mailbox is tried first (a shared
 *                                      mailbox), then the signed-in user's own.
 *   sendsecure.language                optional: "nl", "en" or "de" when the user chose one in
 *                                      the panel's settings; otherwise Office's display language.
 *   expires_at is informational: the server slides sessions on use and answers 401 when one has
 *   lapsed, so the handler lets the server decide.
 *
 * In node (tests) this file can be required: it then exports its parts and registers nothing.
 */
(function () {
  "use strict";

  /** The id of the ribbon button's <Control> in manifest.xml: it opens the panel. */
  const PANEL_COMMAND_ID = "SendSecure.OpenPanel";
  const TOKEN_HEADER = "X-SendSecure-Token";
  /** Every API call of one send shares this budget, counted from the handler's start. */
  const API_BUDGET_MS = 2500;
  /** The event is completed by then whatever happens: Outlook's 5 s include loading. */
  const TOTAL_BUDGET_MS = 3500;
  /** The audit report of a block runs on after the event is completed (keepalive). */
  const EVENT_BUDGET_MS = 2000;
  /** A token that expires sooner than this is not trusted to reach the relay in time. */
  const TOKEN_MARGIN_MS = 30 * 1000;
  /** The send token's audience: the relay. */
  const TOKEN_AUDIENCE = "sendsecure-relay";
  /** The first line of the coverage digest's text (addin-api/src/coverage.rs). */
  const COVERAGE_VERSION = "sendsecure-coverage-v1";
  /** Smart Alerts shows at most 500 characters (errorMessage and errorMessageMarkdown). */
  const MESSAGE_LIMIT = 500;
  const SUBJECT_LIMIT = 60;
  const STORAGE_DEVICE = "sendsecure.device";
  const STORAGE_SESSION = "sendsecure.session.";
  const STORAGE_LANGUAGE = "sendsecure.language";

  /* Texts per language, the panel's own (its Fluent files): the keys are Fluent message ids.
     `**` marks bold in the Markdown message and is dropped from the plain one; {subject} is a
     finding's address or file name, {count} a number; {one, other} is a plural. */
  // BEGIN texts generated by scripts/handler-texts.mjs from addin-ui/src/i18n/*.ftl: do not edit
  const TEXTS = {
    "nl": {
      "send-secure": "Veilig verzenden",
      "signin-title": "Aanmelden",
      "bar-actions-needed": {
        "one": "Send Secure: 1 actie nodig",
        "other": "Send Secure: {count} acties nodig"
      },
      "finding-directory-unavailable": "Het Domeinboek is op dit moment niet beschikbaar, dus de controles kunnen niet worden uitgevoerd. U kunt het bericht standaard versturen.",
      "handler-signed-out": "U bent niet aangemeld bij Send Secure. Open het Send Secure-paneel en meld u aan; daarna controleert Send Secure uw e-mail bij het verzenden.",
      "handler-no-storage": "Send Secure kan uw e-mail in deze versie van Outlook niet controleren bij het verzenden. Verstuur hem veilig via het Send Secure-paneel, of bewust als gewone e-mail.",
      "handler-unavailable": "Send Secure kon deze e-mail niet op tijd controleren: de server is niet bereikbaar. U kunt hem als gewone e-mail versturen, of later veilig via het Send Secure-paneel.",
      "handler-needs-action": "Deze e-mail gaat niet automatisch veilig. Los dit op in het Send Secure-paneel:",
      "handler-panel-only": "Deze e-mail kan veilig worden verzonden, maar niet automatisch. Verstuur hem met **Veilig verzenden** in het Send Secure-paneel.",
      "handler-send-normally": "U kunt hem ook bewust **Standaard versturen**, als gewone e-mail.",
      "handler-more": "… en nog {count}",
      "finding-sender-invalid": "Het afzenderadres {subject} is geen geldig e-mailadres.",
      "finding-sender-unknown": "Uw adres {subject} staat niet in het Domeinboek: veilig verzenden is niet mogelijk.",
      "finding-no-recipients": "Voeg ten minste één ontvanger toe.",
      "finding-to-empty": "Het Aan-veld is leeg. Vul een primaire ontvanger in.",
      "finding-recipient-invalid": "Geen geldig e-mailadres. Verbeter of verwijder het.",
      "finding-recipient-distribution-list": "Dit is een verzendlijst. Klap de lijst uit in het bericht, zodat elke ontvanger gecontroleerd kan worden.",
      "finding-recipient-not-allowed": "Deze ontvanger staat niet in het Domeinboek. Uw installatietype staat verzenden naar de Viewer niet toe.",
      "finding-phone-required": "Een mobiel nummer is verplicht: de toegangscode gaat per sms.",
      "finding-phone-invalid": "Dit is geen geldig mobiel nummer.",
      "finding-phone-advised": "Vul bij voorkeur een mobiel nummer in. Zonder nummer gaat de toegangscode per e-mail.",
      "finding-email-code-only": "De toegangscode gaat per e-mail.",
      "finding-recipients-many": "Dit bericht heeft meer dan 20 ontvangers. Overweeg BCC te gebruiken.",
      "finding-recipients-too-many": "Dit bericht heeft meer dan 100 unieke ontvangers. Verlaag het aantal tot maximaal 100.",
      "finding-bcc-mixed": "BCC bevat ontvangers binnen én buiten het Domeinboek. Stuur hiervoor twee aparte berichten.",
      "finding-bcc-viewer-to": "Bij BCC-ontvangers buiten het Domeinboek moet het Aan-veld exact uw eigen adres bevatten.",
      "finding-bcc-viewer-cc": "Bij BCC-ontvangers buiten het Domeinboek moet het CC-veld leeg zijn.",
      "finding-viewer-recipients-visible": "Meerdere Viewer-ontvangers in Aan of CC zien elkaars e-mailadres. Zet ze in BCC (met uzelf in Aan) om dat te voorkomen.",
      "finding-attachment-blocked-type": "Dit bestandstype is niet toegestaan. Verwijder de bijlage.",
      "finding-attachments-too-large": "De bijlagen zijn samen groter dan 20 MB. Verwijder bijlagen tot maximaal 20 MB.",
      "finding-subject-empty": "Het onderwerp is leeg. Vul een onderwerp in.",
      "finding-viewer-language-en": "Het onderwerp bevat (EN): de melding aan Viewer-ontvangers gaat in het Engels."
    },
    "en": {
      "send-secure": "Send securely",
      "signin-title": "Sign in",
      "bar-actions-needed": {
        "one": "Send Secure: 1 action needed",
        "other": "Send Secure: {count} actions needed"
      },
      "finding-directory-unavailable": "The domain book is not available at the moment, so the checks cannot run. You can send the message normally.",
      "handler-signed-out": "You are not signed in to Send Secure. Open the Send Secure panel and sign in; from then on Send Secure checks your e-mail when you send it.",
      "handler-no-storage": "Send Secure cannot check your e-mail on Send in this version of Outlook. Send it securely from the Send Secure panel, or deliberately as ordinary e-mail.",
      "handler-unavailable": "Send Secure could not check this e-mail in time: its server cannot be reached. You may send it as ordinary e-mail, or securely from the Send Secure panel later.",
      "handler-needs-action": "This e-mail cannot go out securely by itself. Resolve this in the Send Secure panel:",
      "handler-panel-only": "This e-mail can go out securely, but not automatically. Send it with **Send securely** in the Send Secure panel.",
      "handler-send-normally": "You may also deliberately **Send normally**, as ordinary e-mail.",
      "handler-more": "… and {count} more",
      "finding-sender-invalid": "The sender address {subject} is not a valid e-mail address.",
      "finding-sender-unknown": "Your address {subject} is not in the domain book: secure sending is not possible.",
      "finding-no-recipients": "Add at least one recipient.",
      "finding-to-empty": "The To field is empty. Enter a primary recipient.",
      "finding-recipient-invalid": "Not a valid e-mail address. Correct or remove it.",
      "finding-recipient-distribution-list": "This is a distribution list. Expand the list in the message so that every recipient can be checked.",
      "finding-recipient-not-allowed": "This recipient is not in the domain book. Your installation type does not allow sending to the Viewer.",
      "finding-phone-required": "A mobile number is required: the access code goes by text message.",
      "finding-phone-invalid": "This is not a valid mobile number.",
      "finding-phone-advised": "Preferably enter a mobile number. Without one the access code goes by e-mail.",
      "finding-email-code-only": "The access code goes by e-mail.",
      "finding-recipients-many": "This message has more than 20 recipients. Consider using BCC.",
      "finding-recipients-too-many": "This message has more than 100 unique recipients. Reduce them to 100 at most.",
      "finding-bcc-mixed": "BCC holds recipients both inside and outside the domain book. Send two separate messages.",
      "finding-bcc-viewer-to": "With BCC recipients outside the domain book, the To field must hold exactly your own address.",
      "finding-bcc-viewer-cc": "With BCC recipients outside the domain book, the CC field must be empty.",
      "finding-viewer-recipients-visible": "Several Viewer recipients in To or CC see each other's e-mail address. Put them in BCC (with yourself in To) to prevent that.",
      "finding-attachment-blocked-type": "This file type is not allowed. Remove the attachment.",
      "finding-attachments-too-large": "The attachments total more than 20 MB. Remove attachments until at most 20 MB remain.",
      "finding-subject-empty": "The subject is empty. Enter a subject.",
      "finding-viewer-language-en": "The subject contains (EN): the notification to Viewer recipients goes out in English."
    },
    "de": {
      "send-secure": "Sicher senden",
      "signin-title": "Anmelden",
      "bar-actions-needed": {
        "one": "Send Secure: 1 Aktion erforderlich",
        "other": "Send Secure: {count} Aktionen erforderlich"
      },
      "finding-directory-unavailable": "Das Domänenbuch ist zurzeit nicht verfügbar, daher können die Prüfungen nicht laufen. Sie können die Nachricht normal senden.",
      "handler-signed-out": "Sie sind nicht bei Send Secure angemeldet. Öffnen Sie den Send Secure-Bereich und melden Sie sich an; danach prüft Send Secure Ihre E-Mails beim Senden.",
      "handler-no-storage": "Send Secure kann Ihre E-Mail in dieser Outlook-Version beim Senden nicht prüfen. Senden Sie sie sicher über den Send Secure-Bereich oder bewusst als normale E-Mail.",
      "handler-unavailable": "Send Secure konnte diese E-Mail nicht rechtzeitig prüfen: Der Server ist nicht erreichbar. Sie können sie als normale E-Mail senden oder später sicher über den Send Secure-Bereich.",
      "handler-needs-action": "Diese E-Mail kann nicht automatisch sicher versendet werden. Bitte im Send Secure-Bereich beheben:",
      "handler-panel-only": "Diese E-Mail kann sicher versendet werden, aber nicht automatisch. Senden Sie sie mit **Sicher senden** im Send Secure-Bereich.",
      "handler-send-normally": "Sie können sie auch bewusst **Normal senden**, als normale E-Mail.",
      "handler-more": "… und {count} weitere",
      "finding-sender-invalid": "Die Absenderadresse {subject} ist keine gültige E-Mail-Adresse.",
      "finding-sender-unknown": "Ihre Adresse {subject} steht nicht im Domänenbuch: Sicheres Senden ist nicht möglich.",
      "finding-no-recipients": "Fügen Sie mindestens einen Empfänger hinzu.",
      "finding-to-empty": "Das An-Feld ist leer. Geben Sie einen Hauptempfänger ein.",
      "finding-recipient-invalid": "Keine gültige E-Mail-Adresse. Korrigieren oder entfernen Sie sie.",
      "finding-recipient-distribution-list": "Dies ist eine Verteilerliste. Erweitern Sie die Liste in der Nachricht, damit jeder Empfänger geprüft werden kann.",
      "finding-recipient-not-allowed": "Dieser Empfänger steht nicht im Domänenbuch. Ihr Installationstyp erlaubt kein Senden an den Viewer.",
      "finding-phone-required": "Eine Mobilnummer ist Pflicht: Der Zugangscode kommt per SMS.",
      "finding-phone-invalid": "Dies ist keine gültige Mobilnummer.",
      "finding-phone-advised": "Geben Sie möglichst eine Mobilnummer ein. Ohne Nummer kommt der Zugangscode per E-Mail.",
      "finding-email-code-only": "Der Zugangscode kommt per E-Mail.",
      "finding-recipients-many": "Diese Nachricht hat mehr als 20 Empfänger. Erwägen Sie BCC.",
      "finding-recipients-too-many": "Diese Nachricht hat mehr als 100 verschiedene Empfänger. Verringern Sie sie auf höchstens 100.",
      "finding-bcc-mixed": "BCC enthält Empfänger innerhalb und außerhalb des Domänenbuchs. Senden Sie zwei getrennte Nachrichten.",
      "finding-bcc-viewer-to": "Bei BCC-Empfängern außerhalb des Domänenbuchs muss das An-Feld genau Ihre eigene Adresse enthalten.",
      "finding-bcc-viewer-cc": "Bei BCC-Empfängern außerhalb des Domänenbuchs muss das CC-Feld leer sein.",
      "finding-viewer-recipients-visible": "Mehrere Viewer-Empfänger in An oder CC sehen gegenseitig ihre E-Mail-Adresse. Setzen Sie sie in BCC (mit sich selbst in An), um das zu verhindern.",
      "finding-attachment-blocked-type": "Dieser Dateityp ist nicht erlaubt. Entfernen Sie den Anhang.",
      "finding-attachments-too-large": "Die Anhänge sind zusammen größer als 20 MB. Entfernen Sie Anhänge bis höchstens 20 MB.",
      "finding-subject-empty": "Der Betreff ist leer. Geben Sie einen Betreff ein.",
      "finding-viewer-language-en": "Der Betreff enthält (EN): Die Benachrichtigung an Viewer-Empfänger geht auf Englisch hinaus."
    }
  };
  // END generated texts

  /* ---- The handler ------------------------------------------------------------------------ */

  /** Should even building the dialog fail: a plain block the user may override. */
  const LAST_RESORT = {
    allowEvent: false,
    errorMessage: "Send Secure could not check this e-mail. / Send Secure kon deze e-mail niet controleren.",
    sendModeOverride: "promptUser",
  };

  /** What Outlook calls on Send. Never throws; completes `event` exactly once. */
  function onMessageSendHandler(event) {
    const started = Date.now();
    let texts = TEXTS.nl;
    const complete = completer(event, () => blockOptions("unavailable", texts));
    try {
      texts = TEXTS[chooseLanguage()] || TEXTS.nl;
      decide(started)
        .then((outcome) => {
          showBar(outcome, texts);
          return complete(optionsFor(outcome, texts));
        })
        .catch(() => complete(blockOptions("unavailable", texts)));
    } catch (error) {
      complete(blockOptions("unavailable", texts));
    }
  }

  /**
   * Outlook's notification bar above the draft says what the panel's says (key "sendsecure",
   * shared with the panel): how many actions a blocked mail needs. Best effort, not awaited:
   * the event's completion never waits for it.
   */
  function showBar(outcome, texts) {
    try {
      const bar = Office.context.mailbox.item.notificationMessages;
      if (!bar || outcome.kind !== "needs-action" || !outcome.verdict) return;
      const count = (outcome.verdict.findings || []).filter((f) => f.level === "action").length;
      if (!count) return;
      const message = counted(texts["bar-actions-needed"], count);
      bar.replaceAsync(
        "sendsecure",
        { type: "informationalMessage", message: message, icon: "Icon.16", persistent: false },
        () => {}
      );
    } catch (error) {
      // The bar is a courtesy; the dialog says the same.
    }
  }

  /**
   * A guard around event.completed: the first call wins, later ones do nothing, and if no call
   * comes within TOTAL_BUDGET_MS the fallback's options complete the event.
   */
  function completer(event, fallback) {
    let done = false;
    const timer = setTimeout(() => {
      let options = LAST_RESORT;
      try {
        options = fallback();
      } catch (error) {
        // LAST_RESORT it is.
      }
      complete(options);
    }, TOTAL_BUDGET_MS);
    function complete(options) {
      if (done) return false;
      done = true;
      clearTimeout(timer);
      try {
        event.completed(options);
      } catch (error) {
        // An older client refusing an option: the plainest block it surely understands.
        try {
          event.completed({ allowEvent: options.allowEvent, errorMessage: options.errorMessage });
        } catch (ignored) {
          // Nothing more can be done; SoftBlock lets the user send once Outlook gives up.
        }
      }
      return true;
    }
    return complete;
  }

  /** The decision: a Promise of {kind, verdict?} that never rejects on expected failures. */
  function decide(started) {
    if (servedPolicy().security_by_default === false) return Promise.resolve({ kind: "allow" });
    const deadline = started + API_BUDGET_MS;
    const mailbox = Office.context.mailbox;
    const item = mailbox.item;
    return readDraft(item, mailbox).then((read) => {
      const store = storage();
      const covered = !read.token
        ? Promise.resolve(false)
        : store
        ? tokenCovers(read.token, read.draft, Date.now(), readDevice(store))
        : Promise.resolve(tokenUsable(read.token, Date.now()));
      return covered.then((yes) => {
        if (yes) return { kind: "allow" };
        // Whether the organisation checks Send at all, asked beside the check itself.
        const info = apiInfo(deadline);
        const stale = read.token ? removeHeader(item) : Promise.resolve();
        return stale
          .then(() => checkWithApi(read, item, deadline))
          .then((outcome) => unlessSwitchedOff(outcome, info))
          .then((outcome) => {
            if (outcome.verdict && outcome.session) reportBlock(outcome.session, outcome.verdict);
            return outcome;
          });
      });
    });
  }

  function checkWithApi(read, item, deadline) {
    const store = storage();
    if (!store) return { kind: "no-storage" };
    const session = readSession(store, read.mailboxes);
    if (!session) return { kind: "signed-out" };
    const api = apiCaller(session, deadline);
    return api("/api/v1/check", read.draft).then(
      (reply) => {
        if (reply.status === 401) return { kind: "signed-out" };
        if (reply.status !== 200 || !isVerdict(reply.body)) return { kind: "unavailable" };
        const verdict = reply.body;
        if (hasCode(verdict, "directory-unavailable")) {
          return { kind: "directory-unavailable", verdict: verdict, session: session };
        }
        if (verdict.auto_send) return sendAutomatically(api, session, item, read.draft);
        return { kind: "needs-action", verdict: verdict, session: session };
      },
      () => ({ kind: "unavailable" })
    );
  }

  /** `auto_send`: a send token on the draft, then Outlook may send it. */
  function sendAutomatically(api, session, item, draft) {
    return api("/api/v1/send-token", draft).then(
      (reply) => {
        if (reply.status === 200 && reply.body && typeof reply.body.token === "string") {
          return tagItem(item, reply.body.token).then(
            () => ({ kind: "allow" }),
            () => ({ kind: "unavailable" })
          );
        }
        if (reply.status === 401) return { kind: "signed-out" };
        if (reply.status === 422 && reply.body && isVerdict(reply.body.verdict)) {
          // The draft changed between the two calls: show what the server saw.
          return { kind: "needs-action", verdict: reply.body.verdict, session: session };
        }
        return { kind: "unavailable" };
      },
      () => ({ kind: "unavailable" })
    );
  }

  /** The policy `serve` wrote into this file's first line, or {} when it wrote none. */
  function servedPolicy() {
    const policy = typeof SENDSECURE_POLICY === "undefined" ? null : SENDSECURE_POLICY;
    return policy && typeof policy === "object" ? policy : {};
  }

  /** Security by default switched off by the organisation: every send goes. */
  function unlessSwitchedOff(outcome, info) {
    if (outcome.kind === "allow") return outcome;
    return info.then((answer) => {
      if (answer && answer.security_by_default === false) return { kind: "allow" };
      // Not signed in and the server unreachable: signing in cannot help now.
      if (outcome.kind === "signed-out" && !answer) return { kind: "unavailable" };
      return outcome;
    });
  }

  /* ---- Reading the draft (never its body) ------------------------------------------------- */

  /** {draft, token, mailboxes} from the item; rejects when the item cannot be read. */
  function readDraft(item, mailbox) {
    const profile = (mailbox.userProfile && mailbox.userProfile.emailAddress) || "";
    return Promise.all([
      recipients(item.to),
      recipients(item.cc),
      recipients(item.bcc),
      asyncValue((done) => item.subject.getAsync(done)),
      optional(item.getAttachmentsAsync && ((done) => item.getAttachmentsAsync(done)), []),
      optional(item.from && ((done) => item.from.getAsync(done)), null),
      optional(
        item.internetHeaders && ((done) => item.internetHeaders.getAsync([TOKEN_HEADER], done)),
        {}
      ),
    ]).then((values) => {
      const from = (values[5] && values[5].emailAddress) || "";
      const sender = from || profile;
      return {
        draft: {
          sender: sender,
          to: values[0],
          cc: values[1],
          bcc: values[2],
          subject: values[3] || "",
          attachments: (values[4] || []).map(toAttachment),
        },
        token: headerValue(values[6], TOKEN_HEADER),
        mailboxes: unique([normalise(from), normalise(profile)].filter(Boolean)),
      };
    });
  }

  function recipients(field) {
    if (!field || !field.getAsync) return Promise.resolve([]);
    return asyncValue((done) => field.getAsync(done)).then((list) =>
      (list || []).map((recipient) => ({
        address: recipient.emailAddress || "",
        kind: isGroup(recipient.recipientType) ? "distribution-list" : "user",
      }))
    );
  }

  function isGroup(type) {
    const enums = Office.MailboxEnums && Office.MailboxEnums.RecipientType;
    const list = (enums && enums.DistributionList) || "distributionList";
    return type === list || type === "group";
  }

  function toAttachment(attachment) {
    // Cloud attachments are links: no bytes go with the mail (SPEC §5.5).
    const cloud = attachment.attachmentType === "cloud";
    return {
      name: attachment.name || "",
      size: cloud ? 0 : Number(attachment.size) || 0,
      inline: Boolean(attachment.isInline),
    };
  }

  function headerValue(headers, name) {
    if (!headers) return "";
    const wanted = name.toLowerCase();
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() === wanted && typeof headers[key] === "string") {
        return headers[key].trim();
      }
    }
    return "";
  }

  /* ---- The send token already on the draft ------------------------------------------------ */

  /** A Promise of whether `token` is usable and was issued for exactly this draft's sender,
   *  recipients and attachments: its `cov` is the digest of this draft under `device`. */
  function tokenCovers(token, draft, now, device) {
    const claims = tokenUsable(token, now);
    if (!claims || !device || typeof claims.cov !== "string") return Promise.resolve(false);
    return coverageDigest(draft, device).then(
      (digest) => digest === claims.cov,
      () => false
    );
  }

  /** The token's claims when it is for the relay and will not expire before it gets there;
   *  else null. Its signature is the relay's to verify. */
  function tokenUsable(token, now) {
    const claims = decodeTokenPayload(token);
    if (!claims || claims.aud !== TOKEN_AUDIENCE || typeof claims.exp !== "number") return null;
    return claims.exp * 1000 < now + TOKEN_MARGIN_MS ? null : claims;
  }

  /** What the coverage digest covers, one item per line (addin-api/src/coverage.rs). */
  function coverageText(draft) {
    const total = draft.attachments.reduce((sum, attachment) => sum + attachment.size, 0);
    return [COVERAGE_VERSION, "sender:" + normalise(draft.sender)]
      .concat(recipientKeys(draft).sort())
      .concat(["attachments:" + draft.attachments.length + ":" + total])
      .join("\n");
  }

  /** HMAC-SHA-256 of coverageText under the device id, base64url: a Promise. Rejects where the
   *  runtime has no Web Crypto. */
  function coverageDigest(draft, device) {
    const subtle = typeof crypto !== "undefined" && crypto && crypto.subtle;
    if (!subtle || typeof TextEncoder !== "function") {
      return Promise.reject(new Error("no Web Crypto"));
    }
    const encoder = new TextEncoder();
    return subtle
      .importKey("raw", encoder.encode(device), { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
      .then((key) => subtle.sign("HMAC", key, encoder.encode(coverageText(draft))))
      .then((mac) => base64Url(new Uint8Array(mac)));
  }

  /** "field:address" per unique recipient, the first field winning (SPEC §5.2). */
  function recipientKeys(draft) {
    const seen = {};
    const keys = [];
    for (const field of ["to", "cc", "bcc"]) {
      for (const recipient of draft[field]) {
        const address = normalise(recipient.address);
        if (!address || seen[address]) continue;
        seen[address] = true;
        keys.push(field + ":" + address);
      }
    }
    return keys;
  }

  /** The JSON payload of a compact JWS, or null. No signature check. */
  function decodeTokenPayload(token) {
    try {
      const parts = String(token).split(".");
      if (parts.length !== 3) return null;
      const claims = JSON.parse(utf8(base64UrlBytes(parts[1])));
      return claims && typeof claims === "object" ? claims : null;
    } catch (error) {
      return null;
    }
  }

  const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

  /** Base64url (no padding) to bytes, without atob: the JavaScript-only runtime may lack it. */
  function base64UrlBytes(text) {
    const bytes = [];
    let buffer = 0;
    let bits = 0;
    for (const char of text.replace(/=+$/, "")) {
      const value = BASE64.indexOf(char === "+" ? "-" : char === "/" ? "_" : char);
      if (value < 0) throw new Error("not base64url");
      buffer = (buffer << 6) | value;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        bytes.push((buffer >> bits) & 0xff);
      }
    }
    return bytes;
  }

  function base64Url(bytes) {
    let text = "";
    for (let i = 0; i < bytes.length; i += 3) {
      const chunk = (bytes[i] << 16) | ((bytes[i + 1] || 0) << 8) | (bytes[i + 2] || 0);
      const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
      for (let j = 0; j < chars; j++) text += BASE64.charAt((chunk >> (18 - 6 * j)) & 63);
    }
    return text;
  }

  function utf8(bytes) {
    let escaped = "";
    for (const byte of bytes) escaped += "%" + (byte < 16 ? "0" : "") + byte.toString(16);
    return decodeURIComponent(escaped);
  }

  /** addin-core's canonical form (tests/vectors/addresses.json): trimmed, ASCII letters
   *  lower-cased, the domain in ASCII (IDNA) where the runtime can say so. */
  function normalise(address) {
    const text = String(address || "").trim().replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
    const at = text.lastIndexOf("@");
    if (at < 0 || /^[\x00-\x7f]*$/.test(text)) return text;
    try {
      return text.slice(0, at + 1) + new URL("http://" + text.slice(at + 1)).hostname;
    } catch (error) {
      return text;
    }
  }

  /* ---- Writing the token on the draft ----------------------------------------------------- */

  /** saveAsync → internetHeaders.setAsync → saveAsync: what makes the header stick. */
  function tagItem(item, token) {
    const headers = {};
    headers[TOKEN_HEADER] = token;
    return save(item)
      .then(() => asyncValue((done) => item.internetHeaders.setAsync(headers, done)))
      .then(() => save(item));
  }

  /** A stale token must not go out with the mail. */
  function removeHeader(item) {
    return asyncValue((done) => item.internetHeaders.removeAsync([TOKEN_HEADER], done)).then(
      () => undefined,
      () => undefined
    );
  }

  /** Saving is best effort: where it fails or is missing, the header is set all the same. */
  function save(item) {
    if (typeof item.saveAsync !== "function") return Promise.resolve();
    return asyncValue((done) => item.saveAsync(done)).then(
      () => undefined,
      () => undefined
    );
  }

  /* ---- The API ---------------------------------------------------------------------------- */

  /** This browser's device id, the panel's (null when it never ran here). */
  function readDevice(store) {
    try {
      return store.getItem(STORAGE_DEVICE) || null;
    } catch (error) {
      return null;
    }
  }

  /** The session for the first of `mailboxes` that has one, with the device id; or null. */
  function readSession(store, mailboxes) {
    try {
      const device = readDevice(store);
      if (!device) return null;
      for (const mailbox of mailboxes) {
        const raw = store.getItem(STORAGE_SESSION + mailbox);
        if (!raw) continue;
        const session = JSON.parse(raw);
        if (session && typeof session.token === "string" && session.token) {
          return { token: session.token, device: device };
        }
      }
    } catch (error) {
      // Unreadable storage is no session.
    }
    return null;
  }

  /** localStorage where the runtime has one (not classic Outlook's JavaScript-only runtime). */
  function storage() {
    try {
      return typeof localStorage !== "undefined" && localStorage ? localStorage : null;
    } catch (error) {
      return null; // Some browsers throw when storage is blocked.
    }
  }

  /** POSTs a JSON body with the session to this origin's API, answering {status, body}; rejects
   *  when the API does not answer before `deadline`. `keepalive` lets a request outlive the
   *  runtime, which Outlook closes once the event is completed. */
  function apiCaller(session, deadline) {
    return function (path, body, keepalive) {
      const init = {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          Authorization: "Bearer " + session.token,
          "X-Device-Id": session.device,
        },
        body: JSON.stringify(body),
      };
      if (keepalive) init.keepalive = true;
      return request(path, init, deadline);
    };
  }

  /** GET /api/v1/info: whether security by default is on. Resolves null when unanswered. */
  function apiInfo(deadline) {
    return request("/api/v1/info", { method: "GET" }, deadline).then(
      (reply) => (reply.status === 200 && reply.body ? reply.body : null),
      () => null
    );
  }

  function request(path, init, deadline) {
    return new Promise((resolve, reject) => {
      const remaining = deadline - Date.now();
      if (typeof fetch !== "function" || remaining <= 0) {
        reject(new Error("no time or no fetch"));
        return;
      }
      const controller = typeof AbortController === "function" ? new AbortController() : null;
      if (controller) init.signal = controller.signal;
      init.cache = "no-store";
      const timer = setTimeout(() => {
        if (controller) controller.abort();
        reject(new Error("the API did not answer in time"));
      }, remaining);
      fetch(path, init)
        .then((response) =>
          response.text().then((text) => ({ status: response.status, body: parseJson(text) }))
        )
        .then(
          (reply) => {
            clearTimeout(timer);
            resolve(reply);
          },
          (error) => {
            clearTimeout(timer);
            reject(error);
          }
        );
    });
  }

  /** POST /api/v1/events for the audit log (NTA 7516): fire and forget, never awaited, with a
   *  budget of its own (the check's may be spent). */
  function reportBlock(session, verdict) {
    try {
      const codes = unique((verdict.findings || []).map((finding) => finding.code));
      const api = apiCaller(session, Date.now() + EVENT_BUDGET_MS);
      api("/api/v1/events", { kind: "blocked-on-send", codes: codes }, true).catch(() => undefined);
    } catch (error) {
      // The audit report must never stand in the way of the answer.
    }
  }

  /* ---- What the user sees ----------------------------------------------------------------- */

  function optionsFor(outcome, texts) {
    if (outcome.kind === "allow") return { allowEvent: true };
    if (outcome.kind === "needs-action") return needsActionOptions(outcome.verdict, texts);
    return blockOptions(outcome.kind, texts);
  }

  /** The Smart Alerts dialog for a state without findings to list. */
  function blockOptions(kind, texts) {
    const signedOut = kind === "signed-out";
    const text = {
      "signed-out": texts["handler-signed-out"],
      "no-storage": texts["handler-no-storage"],
      "directory-unavailable": texts["finding-directory-unavailable"],
    }[kind] || texts["handler-unavailable"];
    const options = dialog(kind, signedOut ? texts["signin-title"] : texts["send-secure"]);
    options.errorMessage = plain(text);
    options.errorMessageMarkdown = text;
    // Only a user who can sign in must: everywhere else sending normally is a legitimate choice.
    if (!signedOut) options.sendModeOverride = promptUser();
    return options;
  }

  /** The findings that block secure sending, one line each, within Outlook's 500 characters. */
  function needsActionOptions(verdict, texts) {
    const findings = (verdict.findings || []).filter((finding) => finding.level === "action");
    const intro = findings.length ? texts["handler-needs-action"] : texts["handler-panel-only"];
    const outro = texts["handler-send-normally"];
    const options = dialog("needs-action", texts["send-secure"]);
    options.errorMessageMarkdown = fit(
      intro,
      findings.map((finding) => findingLine(finding, texts, markdownSubject)),
      texts,
      outro,
      (lines) => lines.map((line) => "- " + line + "\r").join(""),
      "\n\n"
    );
    options.errorMessage = fit(
      plain(intro),
      findings.map((finding) => findingLine(finding, texts, plainSubject)),
      texts,
      plain(outro),
      (lines) => lines.map((line) => "• " + line).join("\n"),
      "\n"
    );
    options.sendModeOverride = promptUser();
    return options;
  }

  function dialog(kind, label) {
    return {
      allowEvent: false,
      cancelLabel: label,
      commandId: PANEL_COMMAND_ID,
      // The panel can tell it was opened from the dialog, and why.
      contextData: JSON.stringify({ source: "send-handler", reason: kind }),
    };
  }

  /** intro, the lines that fit, "… and n more" when some do not, and the way out. */
  function fit(intro, lines, texts, outro, list, gap) {
    const build = (shown, hidden) => {
      const items = hidden ? shown.concat([counted(texts["handler-more"], hidden)]) : shown;
      return intro + (items.length ? gap + list(items) : "") + gap + outro;
    };
    let shown = lines.length;
    while (shown > 0 && build(lines.slice(0, shown), lines.length - shown).length > MESSAGE_LIMIT) {
      shown -= 1;
    }
    const message = build(lines.slice(0, shown), lines.length - shown);
    return message.length > MESSAGE_LIMIT ? message.slice(0, MESSAGE_LIMIT - 1) + "…" : message;
  }

  /**
   * The panel's text of a finding. The panel shows most of them under the recipient or file
   * they concern; a list needs that subject in front, unless the text names it already.
   */
  function findingLine(finding, texts, subject) {
    const template = texts["finding-" + finding.code] || finding.code;
    const value = finding.subject ? subject(finding.subject) : "";
    if (template.indexOf("{subject}") >= 0) return template.replace("{subject}", value);
    return value ? value + ": " + template : template;
  }

  /** A text with its {count} filled in; a plural picks its form ("one" is 1 in NL, EN, DE). */
  function counted(text, count) {
    const form = typeof text === "string" ? text : count === 1 ? text.one : text.other;
    return form.replace("{count}", String(count));
  }

  function markdownSubject(subject) {
    return "**" + shorten(subject).replace(/[\\`*_[\]()<>#~|]/g, "\\$&") + "**";
  }

  function plainSubject(subject) {
    return shorten(subject);
  }

  function shorten(text) {
    const value = String(text);
    return value.length > SUBJECT_LIMIT ? value.slice(0, SUBJECT_LIMIT - 1) + "…" : value;
  }

  function plain(markdown) {
    return markdown.replace(/\*\*/g, "");
  }

  function promptUser() {
    const enums =
      typeof Office !== "undefined" && Office.MailboxEnums && Office.MailboxEnums.SendModeOverride;
    return (enums && enums.PromptUser) || "promptUser";
  }

  /** The panel's chosen language, else Outlook's display language; NL by default. */
  function chooseLanguage() {
    try {
      const store = storage();
      const chosen = store && store.getItem(STORAGE_LANGUAGE);
      if (chosen && TEXTS[chosen]) return chosen;
    } catch (error) {
      // Fall through to the display language.
    }
    const context = typeof Office !== "undefined" && Office.context;
    const display = String((context && context.displayLanguage) || "").toLowerCase();
    const code = display.slice(0, 2);
    return TEXTS[code] ? code : "nl";
  }

  /* ---- Small helpers ---------------------------------------------------------------------- */

  /** Office.js's callback style as a Promise of the value; rejects on failure. */
  function asyncValue(start) {
    return new Promise((resolve, reject) => {
      start((result) => {
        if (result && result.status === "failed") {
          reject(result.error || new Error("Office.js call failed"));
        } else {
          resolve(result ? result.value : undefined);
        }
      });
    });
  }

  /** An Office.js call a client may lack (older requirement sets): its value, or `fallback`. */
  function optional(start, fallback) {
    if (!start) return Promise.resolve(fallback);
    return asyncValue(start).then(
      (value) => (value === undefined || value === null ? fallback : value),
      () => fallback
    );
  }

  function isVerdict(body) {
    return Boolean(body) && typeof body === "object" && Array.isArray(body.findings);
  }

  function hasCode(verdict, code) {
    return verdict.findings.some((finding) => finding.code === code);
  }

  function parseJson(text) {
    try {
      return text ? JSON.parse(text) : null;
    } catch (error) {
      return null;
    }
  }

  function unique(values) {
    return values.filter((value, index) => values.indexOf(value) === index);
  }

  /* ---- Registration ----------------------------------------------------------------------- */

  if (typeof Office !== "undefined" && Office.actions) {
    Office.actions.associate("onMessageSendHandler", onMessageSendHandler);
    // Some hosts dispatch no events to a page that never registered onReady.
    Office.onReady();
  }

  if (typeof module === "object" && module && module.exports) {
    module.exports = {
      PANEL_COMMAND_ID: PANEL_COMMAND_ID,
      TOKEN_HEADER: TOKEN_HEADER,
      API_BUDGET_MS: API_BUDGET_MS,
      TOTAL_BUDGET_MS: TOTAL_BUDGET_MS,
      MESSAGE_LIMIT: MESSAGE_LIMIT,
      TEXTS: TEXTS,
      onMessageSendHandler: onMessageSendHandler,
      decodeTokenPayload: decodeTokenPayload,
      tokenCovers: tokenCovers,
      coverageText: coverageText,
      coverageDigest: coverageDigest,
      normalise: normalise,
      needsActionOptions: needsActionOptions,
    };
  }
})();

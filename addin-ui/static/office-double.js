/*
 * A scripted stand-in for Office.js in Outlook compose mode: the calls Send Secure's send handler
 * (launchevent.js) and task pane (addin-ui, its list is at the top of addin-ui/src/office.rs)
 * make, with the draft held in plain data. The handler's unit tests drive it from node
 * (tests/launchevent/, tests/playground/); the playground (SPEC §9, playground.js) creates one
 * and hands it to the real panel and to the real send handler.
 *
 *   const outlook = SendSecureOfficeDouble.create({ to: [{ emailAddress: "a@b.nl" }], ... });
 *   globalThis.Office = outlook.Office;          // then load launchevent.js
 *   outlook.send().then((result) => result.options);   // what event.completed received
 *
 * The draft (outlook.state) may be changed at any time: from, to, cc, bcc (each
 * {emailAddress, displayName, recipientType}), subject, attachments ({id, name, size,
 * attachmentType, isInline}), headers (internet headers by name), displayLanguage, userEmail,
 * mailboxVersion (the highest Mailbox requirement set: "1.15" has item.sendAsync, "1.14" not).
 * Changes made through outlook.setRecipients / addRecipient / removeRecipient / addAttachment /
 * removeAttachment / setSubject fire Office's item events (RecipientsChanged,
 * AttachmentsChanged) into the handlers the panel registered, as Outlook does.
 *
 * outlook.state.fail[call] = true makes a call fail; outlook.state.hang[call] = true makes it
 * never answer. outlook.calls lists every call made, by name: to, cc, bcc, from, subject,
 * attachments, getHeaders, setHeaders, removeHeaders, save, setTo, setCc, setBcc, addTo, addCc,
 * addBcc, setSubject, removeAttachment, send, addHandler, removeHandler, initializationContext,
 * onReady, associate:<name>. outlook.listen(fn) reports each one as {name, args} as it happens
 * and each change of the draft as {name: "changed", what}.
 *
 * One draft, several windows: outlook.officeFor(window) is an Office for another window (the
 * panel's iframe, the send handler's): the values it hands out are made in that window
 * (its Object, Array, Promise), so `instanceof` and wasm-bindgen's casts work there as in Outlook.
 */
(function (root) {
  "use strict";

  const RecipientType = {
    DistributionList: "distributionList",
    User: "user",
    ExternalUser: "externalUser",
    Other: "other",
  };
  const EventType = {
    RecipientsChanged: "olkRecipientsChanged",
    AttachmentsChanged: "olkAttachmentsChanged",
  };
  const AttachmentStatus = { Added: "added", Removed: "removed" };
  const AttachmentType = { File: "file", Item: "item", Cloud: "cloud" };
  const SUCCEEDED = "succeeded";
  const FAILED = "failed";
  /** Office's error codes for the failures the double can produce. */
  const ERRORS = {
    generic: { name: "GenericError", code: 9000 },
    attachment: { name: "InvalidAttachmentId", code: 9017, message: "The attachment does not exist." },
    recipients: { name: "NumberOfRecipientsExceeded", code: 9041, message: "Too many recipients." },
    unsupported: { name: "InvalidEventType", code: 9030, message: "This event type is not supported." },
    invalidArgument: { name: "ArgumentException", code: 9000, message: "A notification argument is not valid." },
    numberOfNotificationMessagesExceeded: {
      name: "NumberOfNotificationMessagesExceeded",
      code: 3,
      message: "There are already five notification messages.",
    },
  };
  /** Outlook refuses more recipients in one setAsync/addAsync call. */
  const MAX_RECIPIENTS_PER_CALL = 100;

  function copy(value) {
    return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
  }

  function create(draft) {
    const state = Object.assign(
      {
        displayLanguage: "nl-NL",
        userEmail: "",
        userName: "",
        from: null,
        to: [],
        cc: [],
        bcc: [],
        subject: "",
        attachments: [],
        headers: {},
        /** The item's notification bar: key → {type, message, icon, persistent}. */
        notifications: {},
        itemId: null,
        supportsSave: true,
        mailboxVersion: "1.15",
        initializationContext: null,
        fail: {},
        hang: {},
      },
      draft || {}
    );
    const calls = [];
    const handlers = {};
    const listeners = [];
    const offices = [];
    let nextAttachment = 1;

    function emit(report) {
      for (const listener of listeners.slice()) {
        try {
          listener(report);
        } catch (error) {
          // A listener's failure is not the caller's.
        }
      }
    }

    function changed(what) {
      emit({ name: "changed", what: what });
    }

    function withIds(attachments) {
      return attachments.map((attachment, index) =>
        Object.assign({ id: "att-" + index, attachmentType: "file", isInline: false, size: 0 }, attachment)
      );
    }

    function recipientList(field) {
      return copy(state[field]).map((recipient) =>
        Object.assign({ displayName: "", recipientType: RecipientType.ExternalUser }, recipient)
      );
    }

    /** An Office.js EmailAddressDetails from what a caller may pass to setAsync/addAsync. */
    function toRecipient(entry) {
      if (typeof entry === "string") return { emailAddress: entry, displayName: entry, recipientType: typeFor(entry) };
      const address = String((entry && (entry.emailAddress || entry.address)) || "");
      return {
        emailAddress: address,
        displayName: String((entry && entry.displayName) || address),
        recipientType: (entry && entry.recipientType) || typeFor(address),
      };
    }

    /** How Exchange would classify an address typed into the draft. */
    function typeFor(address) {
      const domain = (own) => String(own || "").split("@")[1] || "";
      const mine = domain(state.userEmail).toLowerCase();
      return mine && domain(address).toLowerCase() === mine ? RecipientType.User : RecipientType.ExternalUser;
    }

    /* ---- Changes made from outside (the compose window): they fire Office's events. ---- */

    function fire(type, args) {
      emit({ name: "event", type: type, args: args });
      for (const office of offices.slice()) office.dispatch(type, args);
    }

    function recipientsChanged(fields) {
      const changedFields = { to: false, cc: false, bcc: false };
      for (const field of fields) changedFields[field] = true;
      changed("recipients");
      fire(EventType.RecipientsChanged, { type: EventType.RecipientsChanged, changedRecipientFields: changedFields });
    }

    function attachmentsChanged(status, attachment) {
      changed("attachments");
      fire(EventType.AttachmentsChanged, {
        type: EventType.AttachmentsChanged,
        attachmentStatus: status,
        attachmentDetails: {
          id: attachment.id,
          name: attachment.name,
          size: attachment.size,
          attachmentType: attachment.attachmentType,
          isInline: attachment.isInline,
        },
      });
    }

    function setRecipients(field, list) {
      state[field] = (list || []).map(toRecipient);
      recipientsChanged([field]);
    }

    function addRecipient(field, recipient) {
      state[field] = state[field].concat([toRecipient(recipient)]);
      recipientsChanged([field]);
    }

    function removeRecipient(field, index) {
      state[field] = state[field].filter((_, at) => at !== index);
      recipientsChanged([field]);
    }

    function addAttachment(attachment) {
      const added = Object.assign(
        { id: "AAMkAD-attachment-" + nextAttachment++, attachmentType: AttachmentType.File, isInline: false, size: 0 },
        attachment
      );
      state.attachments = withIds(state.attachments).concat([added]);
      attachmentsChanged(AttachmentStatus.Added, added);
      return added.id;
    }

    function removeAttachment(id) {
      const list = withIds(state.attachments);
      const gone = list.filter((attachment) => attachment.id === id)[0];
      if (!gone) return false;
      state.attachments = list.filter((attachment) => attachment.id !== id);
      attachmentsChanged(AttachmentStatus.Removed, gone);
      return true;
    }

    function setSubject(subject) {
      state.subject = String(subject);
      changed("subject");
    }

    /** A new, empty draft (after sending, or "discard"); no events: it is another item. */
    function reset(next) {
      Object.assign(state, { to: [], cc: [], bcc: [], subject: "", attachments: [], headers: {}, itemId: null }, next || {});
      changed("reset");
    }

    function supports(name, version) {
      const wanted = String(version || "1.1").split(".");
      if (name !== "Mailbox" || wanted[0] !== "1") return false;
      return Number(wanted[1] || 0) <= Number(String(state.mailboxVersion).split(".")[1] || 0);
    }

    /* ---- Office, as one window sees it ---------------------------------------------------- */

    /** `realm`: the window whose Object/Array/Promise the values are made in (none in node);
     *  `label` names it in the reports. */
    function makeOffice(realm, label) {
      const itemHandlers = {};
      let readyAt = null;

      /** A value as made in the caller's window. */
      function local(value) {
        if (value === undefined || value === null || typeof value !== "object") return value;
        return realm ? realm.JSON.parse(JSON.stringify(value)) : copy(value);
      }

      function result(fields) {
        const made = realm ? new realm.Object() : {};
        return Object.assign(made, fields);
      }

      /** Answers an Office.js-style call asynchronously, as Outlook does. `value` may throw an
       *  {error} to fail the call. */
      function answer(name, args, value) {
        calls.push(name);
        emit({ name: name, args: args, window: label });
        const callback = args.filter((arg) => typeof arg === "function")[0];
        const options = args.filter((arg) => arg && typeof arg === "object" && !Array.isArray(arg))[0];
        const asyncContext = options ? options.asyncContext : undefined;
        if (state.hang[name]) return;
        setTimeout(() => {
          let outcome;
          if (state.fail[name]) {
            outcome = { status: FAILED, error: Object.assign({ message: name + " failed (scripted)" }, ERRORS.generic) };
          } else {
            try {
              outcome = { status: SUCCEEDED, value: local(value()) };
            } catch (failure) {
              if (!failure || !failure.office) throw failure;
              outcome = { status: FAILED, error: failure.office };
            }
          }
          if (!callback) return;
          const fields = { status: outcome.status, asyncContext: asyncContext };
          if (outcome.status === SUCCEEDED) fields.value = outcome.value;
          else fields.error = result(outcome.error);
          try {
            callback(result(fields));
          } catch (error) {
            // A window that has gone away (the panel reloaded) cannot be called any more.
          }
        }, 0);
      }

      function refuse(kind) {
        const error = new Error(ERRORS[kind].message);
        error.office = Object.assign({}, ERRORS[kind]);
        return error;
      }

      function recipientField(name) {
        const suffix = name.charAt(0).toUpperCase() + name.slice(1);
        function update(call, entries, merge) {
          answer(call + suffix, Array.from(arguments).slice(3), () => {
            const list = Array.from(entries || []).map(toRecipient);
            if (list.length > MAX_RECIPIENTS_PER_CALL) throw refuse("recipients");
            state[name] = merge ? state[name].concat(list) : list;
            recipientsChanged([name]);
          });
        }
        return {
          getAsync: function () {
            answer(name, Array.from(arguments), () => recipientList(name));
          },
          setAsync: function (entries) {
            update.apply(null, ["set", entries, false].concat(Array.from(arguments).slice(1)));
          },
          addAsync: function (entries) {
            update.apply(null, ["add", entries, true].concat(Array.from(arguments).slice(1)));
          },
        };
      }

      const item = {
        itemType: "message",
        to: recipientField("to"),
        cc: recipientField("cc"),
        bcc: recipientField("bcc"),
        from: {
          getAsync: function () {
            answer("from", Array.from(arguments), () => {
              const address = state.from || state.userEmail;
              return { emailAddress: address, displayName: address === state.userEmail ? state.userName : "" };
            });
          },
        },
        subject: {
          getAsync: function () {
            answer("subject", Array.from(arguments), () => state.subject);
          },
          setAsync: function (subject) {
            answer("setSubject", Array.from(arguments).slice(1), () => setSubject(subject));
          },
        },
        getAttachmentsAsync: function () {
          answer("attachments", Array.from(arguments), () => withIds(copy(state.attachments)));
        },
        removeAttachmentAsync: function (id) {
          answer("removeAttachment", Array.from(arguments).slice(1), () => {
            if (!removeAttachment(id)) throw refuse("attachment");
          });
        },
        notificationMessages: {
          replaceAsync: function (key, details) {
            answer("replaceNotification", Array.from(arguments).slice(2), () => {
              // Outlook's rules: a key of at most 32 characters, a message of at most 150,
              // an icon for an informational message, at most five messages.
              const message = details && details.message;
              if (!key || String(key).length > 32 || typeof message !== "string" || message.length > 150) {
                throw refuse("invalidArgument");
              }
              if (details.type === "informationalMessage" && !details.icon) throw refuse("invalidArgument");
              if (!(key in state.notifications) && Object.keys(state.notifications).length >= 5) {
                throw refuse("numberOfNotificationMessagesExceeded");
              }
              state.notifications[key] = copy(details);
              changed("notifications");
            });
          },
          removeAsync: function (key) {
            answer("removeNotification", Array.from(arguments).slice(1), () => {
              delete state.notifications[key];
              changed("notifications");
            });
          },
          getAllAsync: function () {
            answer("getNotifications", Array.from(arguments), () =>
              Object.keys(state.notifications).map((key) => Object.assign({ key: key }, copy(state.notifications[key])))
            );
          },
        },
        internetHeaders: {
          getAsync: function (names) {
            answer("getHeaders", Array.from(arguments).slice(1), () => {
              const found = {};
              for (const name of names) {
                for (const key of Object.keys(state.headers)) {
                  if (key.toLowerCase() === String(name).toLowerCase()) found[key] = state.headers[key];
                }
              }
              return found;
            });
          },
          setAsync: function (headers) {
            answer("setHeaders", Array.from(arguments).slice(1), () => {
              Object.assign(state.headers, copy(headers));
              changed("headers");
            });
          },
          removeAsync: function (names) {
            answer("removeHeaders", Array.from(arguments).slice(1), () => {
              for (const name of names) {
                for (const key of Object.keys(state.headers)) {
                  if (key.toLowerCase() === String(name).toLowerCase()) delete state.headers[key];
                }
              }
              changed("headers");
            });
          },
        },
        addHandlerAsync: function (type, handler) {
          answer("addHandler", Array.from(arguments).slice(2), () => {
            if (type !== EventType.RecipientsChanged && type !== EventType.AttachmentsChanged) {
              throw refuse("unsupported");
            }
            (itemHandlers[type] = itemHandlers[type] || []).push(handler);
          });
        },
        removeHandlerAsync: function (type) {
          answer("removeHandler", Array.from(arguments).slice(1), () => {
            delete itemHandlers[type];
          });
        },
        getInitializationContextAsync: function () {
          answer("initializationContext", Array.from(arguments), () => {
            const context = state.initializationContext;
            state.initializationContext = null;
            return context;
          });
        },
      };
      Object.defineProperty(item, "saveAsync", {
        enumerable: true,
        get: () =>
          state.supportsSave
            ? function () {
                answer("save", Array.from(arguments), () => {
                  state.itemId = state.itemId || "AAMkAD-draft-" + Date.now().toString(36);
                  return state.itemId;
                });
              }
            : undefined,
      });
      // Mailbox 1.15: absent where the client lacks it, as in Outlook.
      Object.defineProperty(item, "sendAsync", {
        enumerable: true,
        get: () =>
          supports("Mailbox", "1.15")
            ? function () {
                answer("send", Array.from(arguments), () => {
                  emit({ name: "sent", how: "sendAsync", mail: snapshot(), window: label });
                });
              }
            : undefined,
      });

      const Office = {
        AsyncResultStatus: { Succeeded: SUCCEEDED, Failed: FAILED },
        EventType: EventType,
        HostType: { Outlook: "Outlook" },
        PlatformType: { OfficeOnline: "OfficeOnline" },
        MailboxEnums: {
          RecipientType: RecipientType,
          SendModeOverride: { PromptUser: "promptUser" },
          AttachmentType: AttachmentType,
          AttachmentStatus: AttachmentStatus,
          ItemType: { Message: "message", Appointment: "appointment" },
        },
        context: {
          host: "Outlook",
          platform: "OfficeOnline",
          get displayLanguage() {
            return state.displayLanguage;
          },
          requirements: { isSetSupported: supports },
          mailbox: {
            diagnostics: { hostName: "OutlookWebApp", hostVersion: "playground" },
            userProfile: {
              get emailAddress() {
                return state.userEmail;
              },
              get displayName() {
                return state.userName;
              },
              accountType: "enterprise",
            },
            item: item,
          },
        },
        actions: {
          associate: function (name, handler) {
            calls.push("associate:" + name);
            emit({ name: "associate:" + name, args: [], window: label });
            handlers[name] = handler;
          },
        },
        onReady: function (callback) {
          calls.push("onReady");
          emit({ name: "onReady", args: [], window: label });
          const info = { host: "Outlook", platform: "OfficeOnline" };
          const Promise_ = realm ? realm.Promise : Promise;
          return new Promise_((resolve) => {
            setTimeout(() => {
              if (readyAt === null) readyAt = markReady();
              if (typeof callback === "function") callback(local(info));
              resolve(local(info));
            }, 0);
          });
        },
      };

      /** When Office became ready, in the window's own clock (performance.now() there). */
      function markReady() {
        const clock = realm ? realm.performance : typeof performance !== "undefined" ? performance : null;
        // A window without a clock of its own (a node vm context in tests): Date.now().
        return clock ? clock.now() : Date.now();
      }

      function dispatch(type, args) {
        for (const handler of (itemHandlers[type] || []).slice()) {
          setTimeout(() => {
            try {
              handler(local(args));
            } catch (error) {
              // As above: a window that went away.
            }
          }, 0);
        }
      }

      return {
        Office: Office,
        realm: realm,
        dispatch: dispatch,
        handlerCount: (type) => (itemHandlers[type] || []).length,
        readyAt: () => readyAt,
      };
    }

    /** What the draft holds now, as the "sent" mail. */
    function snapshot() {
      return {
        from: state.from || state.userEmail,
        to: recipientList("to"),
        cc: recipientList("cc"),
        bcc: recipientList("bcc"),
        subject: state.subject,
        attachments: withIds(copy(state.attachments)),
        headers: copy(state.headers),
      };
    }

    const main = makeOffice(null, "main");
    offices.push(main);

    /** The Office for another window (made once per window); `label` names it in reports. */
    function officeFor(realm, label) {
      let office = offices.filter((candidate) => candidate.realm === realm)[0];
      if (!office) {
        office = makeOffice(realm, label || "window");
        offices.push(office);
      }
      return office.Office;
    }

    /** Forgets a window's Office and its event handlers (the window reloaded or closed). */
    function forget(realm) {
      const at = offices.findIndex((candidate) => candidate.realm === realm);
      if (at > 0) offices.splice(at, 1);
    }

    /** How many handlers of `type` the windows registered (the playground shows it). */
    function handlerCount(type) {
      return offices.reduce((sum, office) => sum + office.handlerCount(type), 0);
    }

    /** performance.now() in `realm` when its Office became ready, or null. */
    function readyAt(realm) {
      const office = offices.filter((candidate) => candidate.realm === (realm || null))[0];
      return office ? office.readyAt() : null;
    }

    /**
     * Presses Send: runs the associated OnMessageSend handler with a fresh event. Resolves with
     * {options, completions, ms} once event.completed is called; `completions` keeps growing if
     * the handler ever calls it again, so a test can check it was called exactly once.
     */
    function send(handlerName) {
      const name = handlerName || "onMessageSendHandler";
      const handler = handlers[name];
      if (!handler) return Promise.reject(new Error("no handler is associated as " + name));
      const started = Date.now();
      const completions = [];
      return new Promise((resolve) => {
        const event = {
          type: "olkMessageSend",
          completed: function (options) {
            completions.push(copy(options));
            if (completions.length === 1) {
              resolve({ options: completions[0], completions: completions, ms: Date.now() - started });
            }
          },
        };
        handler(event);
      });
    }

    return {
      Office: main.Office,
      state: state,
      calls: calls,
      handlers: handlers,
      send: send,
      officeFor: officeFor,
      forget: forget,
      listen: (listener) => listeners.push(listener),
      setRecipients: setRecipients,
      addRecipient: addRecipient,
      removeRecipient: removeRecipient,
      addAttachment: addAttachment,
      removeAttachment: removeAttachment,
      setSubject: setSubject,
      reset: reset,
      snapshot: snapshot,
      handlerCount: handlerCount,
      readyAt: readyAt,
      typeFor: typeFor,
    };
  }

  const api = {
    create: create,
    RecipientType: RecipientType,
    EventType: EventType,
    MAX_RECIPIENTS_PER_CALL: MAX_RECIPIENTS_PER_CALL,
  };
  if (typeof module === "object" && module && module.exports) module.exports = api;
  else root.SendSecureOfficeDouble = api;
})(typeof self !== "undefined" ? self : this);

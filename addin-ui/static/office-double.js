/*
 * A scripted stand-in for Office.js in Outlook compose mode: exactly the calls Send Secure's
 * send handler (launchevent.js) makes, with the draft held in plain data. The handler's unit
 * tests drive it from node (tests/launchevent/); the playground (SPEC §9) loads it in the
 * browser before launchevent.js and the panel, and extends it with the panel's calls.
 *
 *   const outlook = SendSecureOfficeDouble.create({ to: [{ emailAddress: "a@b.nl" }], ... });
 *   globalThis.Office = outlook.Office;          // then load launchevent.js
 *   outlook.send().then((result) => result.options);   // what event.completed received
 *
 * The draft (outlook.state) may be changed at any time: from, to, cc, bcc (each
 * {emailAddress, displayName, recipientType}), subject, attachments ({id, name, size,
 * attachmentType, isInline}), headers (internet headers by name), displayLanguage, userEmail.
 * outlook.state.fail[call] = true makes a call fail; outlook.state.hang[call] = true makes it
 * never answer (calls: to, cc, bcc, from, subject, attachments, getHeaders, setHeaders,
 * removeHeaders, save). outlook.calls lists every call made, by name.
 */
(function (root) {
  "use strict";

  const RecipientType = {
    DistributionList: "distributionList",
    User: "user",
    ExternalUser: "externalUser",
    Other: "other",
  };

  function create(draft) {
    const state = Object.assign(
      {
        displayLanguage: "nl-NL",
        userEmail: "",
        from: null,
        to: [],
        cc: [],
        bcc: [],
        subject: "",
        attachments: [],
        headers: {},
        itemId: null,
        supportsSave: true,
        fail: {},
        hang: {},
      },
      draft || {}
    );
    const calls = [];
    const handlers = {};

    /** Answers an Office.js-style call asynchronously, as Outlook does. */
    function answer(name, args, value) {
      calls.push(name);
      const callback = args.filter((arg) => typeof arg === "function")[0];
      const options = args.filter((arg) => arg && typeof arg === "object" && !Array.isArray(arg))[0];
      const asyncContext = options ? options.asyncContext : undefined;
      if (!callback || state.hang[name]) return;
      setTimeout(() => {
        if (state.fail[name]) {
          callback({
            status: "failed",
            error: { name: "GenericError", message: name + " failed (scripted)", code: 9000 },
            asyncContext: asyncContext,
          });
        } else {
          callback({ status: "succeeded", value: value(), asyncContext: asyncContext });
        }
      }, 0);
    }

    function copy(value) {
      return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
    }

    function recipientField(name) {
      return {
        getAsync: function () {
          answer(name, Array.from(arguments), () =>
            copy(state[name]).map((recipient) =>
              Object.assign({ displayName: "", recipientType: RecipientType.ExternalUser }, recipient)
            )
          );
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
            return { emailAddress: address, displayName: "" };
          });
        },
      },
      subject: {
        getAsync: function () {
          answer("subject", Array.from(arguments), () => state.subject);
        },
      },
      getAttachmentsAsync: function () {
        answer("attachments", Array.from(arguments), () =>
          copy(state.attachments).map((attachment, index) =>
            Object.assign(
              { id: "att-" + index, attachmentType: "file", isInline: false, size: 0 },
              attachment
            )
          )
        );
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
            Object.assign(state.headers, headers);
          });
        },
        removeAsync: function (names) {
          answer("removeHeaders", Array.from(arguments).slice(1), () => {
            for (const name of names) {
              for (const key of Object.keys(state.headers)) {
                if (key.toLowerCase() === String(name).toLowerCase()) delete state.headers[key];
              }
            }
          });
        },
      },
    };
    Object.defineProperty(item, "saveAsync", {
      enumerable: true,
      get: () =>
        state.supportsSave
          ? function () {
              answer("save", Array.from(arguments), () => {
                state.itemId = state.itemId || "AAMkAD-draft-1";
                return state.itemId;
              });
            }
          : undefined,
    });

    const Office = {
      AsyncResultStatus: { Succeeded: "succeeded", Failed: "failed" },
      MailboxEnums: {
        RecipientType: RecipientType,
        SendModeOverride: { PromptUser: "promptUser" },
        AttachmentType: { File: "file", Item: "item", Cloud: "cloud" },
      },
      context: {
        get displayLanguage() {
          return state.displayLanguage;
        },
        requirements: {
          isSetSupported: (name, version) =>
            name === "Mailbox" && Number(String(version || "1.1").split(".")[1]) <= 15,
        },
        mailbox: {
          userProfile: {
            get emailAddress() {
              return state.userEmail;
            },
            displayName: "",
          },
          item: item,
        },
      },
      actions: {
        associate: function (name, handler) {
          calls.push("associate:" + name);
          handlers[name] = handler;
        },
      },
      onReady: function (callback) {
        calls.push("onReady");
        const info = { host: "Outlook", platform: "OfficeOnline" };
        if (typeof callback === "function") setTimeout(() => callback(info), 0);
        return Promise.resolve(info);
      },
    };

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

    return { Office: Office, state: state, calls: calls, handlers: handlers, send: send };
  }

  const api = { create: create, RecipientType: RecipientType };
  if (typeof module === "object" && module && module.exports) module.exports = api;
  else root.SendSecureOfficeDouble = api;
})(typeof self !== "undefined" ? self : this);

// Send Secure: Entra ID sign-in inside an Office dialog (entra-dialog.html), where Outlook has
// no nested app authentication. The panel (addin-ui/src/entra.rs) opens this page with
// #login_hint=<mailbox> (in the fragment, which no server or proxy log sees); the page reads the app registration from /api/v1/info, signs in with
// MSAL.js's redirect flow (it is its own redirect URI, so the Microsoft page returns here) and
// sends the panel `token:<access token>` or `error:<code>` with Office.context.ui.messageParent.
// Nothing is kept after that: MSAL's cache lives in this dialog's sessionStorage only.
(function () {
  "use strict";

  var HINT = "sendsecure.entra-dialog.login-hint";

  function tell(message) {
    try {
      Office.context.ui.messageParent(message);
    } catch (error) {
      // Opened outside an Office dialog: there is no one to tell.
    }
  }

  function fail(error) {
    var code = (error && (error.errorCode || error.name)) || "failed";
    tell("error:" + String(code).replace(/[^A-Za-z0-9_.-]/g, "_"));
  }

  /** The mailbox the panel put in the fragment, kept for the return from Microsoft and taken
   *  off the address before MSAL reads the fragment for its answer. */
  function hint() {
    var fromFragment = new URLSearchParams(window.location.hash.slice(1)).get("login_hint");
    if (fromFragment) window.history.replaceState(null, "", window.location.pathname);
    try {
      if (fromFragment) window.sessionStorage.setItem(HINT, fromFragment);
      return fromFragment || window.sessionStorage.getItem(HINT) || undefined;
    } catch (error) {
      return fromFragment || undefined;
    }
  }

  async function signIn() {
    var response = await fetch("api/v1/info", { headers: { Accept: "application/json" } });
    var info = await response.json();
    var entra = info && info.entra;
    if (!entra || !entra.client_id || !entra.scope) return tell("error:not-configured");
    var authority = /^https:\/\//.test(entra.authority || "")
      ? entra.authority
      : "https://login.microsoftonline.com/organizations";
    var loginHint = hint();
    var app = new window.msal.PublicClientApplication({
      auth: {
        clientId: entra.client_id,
        authority: authority,
        // This page, without query or fragment: the URI `sendsecure entra-setup` registers.
        redirectUri: window.location.origin + window.location.pathname,
      },
      cache: { cacheLocation: "sessionStorage" },
    });
    await app.initialize();
    var request = { scopes: [entra.scope], loginHint: loginHint };
    var result = await app.handleRedirectPromise();
    if (!result) {
      var account = app.getAllAccounts()[0];
      if (account) {
        try {
          result = await app.acquireTokenSilent({ scopes: request.scopes, account: account });
        } catch (error) {
          result = null;
        }
      }
    }
    if (result && result.accessToken) return tell("token:" + result.accessToken);
    // To Microsoft's sign-in page; it returns to this page, which then finds the answer above.
    await app.acquireTokenRedirect(request);
  }

  Office.onReady()
    .then(signIn)
    .catch(fail);
})();

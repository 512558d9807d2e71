/*
 * Send Secure task pane: loads Office.js, then the panel's WASM. Plain ES2017, no build step.
 *
 * taskpane.html includes this file once, in <head>, as a classic script that carries the names
 * of the panel's hashed build files (Trunk's `pattern_script`, see Trunk.toml):
 *
 *   <script src="/office-loader.js" data-app-js="/addin-ui-….js" data-app-wasm="/addin-ui-…_bg.wasm">
 *
 * The page's Content-Security-Policy allows no inline script, so this file does what Trunk's
 * inline start-up snippet would have done.
 *
 * CONTRACT WITH THE PLAYGROUND (SPEC §9, /playground):
 *
 *   When the panel runs in a frame whose parent has `window.SendSecurePlayground`, this loader
 *   uses `window.parent.SendSecurePlayground.office` as `window.Office` and does NOT load
 *   Microsoft's script (the tests have no network). That object must implement exactly the
 *   calls listed at the top of addin-ui/src/office.rs (also in README, "The playground").
 *   Anywhere else (Outlook), Microsoft's hosted script is loaded from
 *   https://appsforoffice.microsoft.com/lib/1/hosted/office.js (allowed by the CSP).
 *
 *   Either way `window.sendSecureOfficeLoaded` is a Promise that resolves once `window.Office`
 *   exists (it rejects when Microsoft's script cannot be loaded); the panel awaits it and then
 *   `Office.onReady()`.
 *
 * Timing marks for measurements (performance.getEntriesByName):
 *   sendsecure-loader-start   this script runs
 *   sendsecure-office-ready   Office.onReady resolved (set by the panel)
 *   sendsecure-first-verdict  the first verdict is on screen (set by the panel)
 */
(function () {
  "use strict";

  var OFFICE_JS = "https://appsforoffice.microsoft.com/lib/1/hosted/office.js";

  function mark(name) {
    try {
      performance.mark(name);
    } catch (error) {
      // Marks are for measurements only.
    }
  }
  mark("sendsecure-loader-start");

  /** The playground's scripted Office, when this page is its task pane; else null. */
  function playgroundOffice() {
    try {
      if (window.parent === window) return null;
      var playground = window.parent.SendSecurePlayground;
      return playground && playground.office ? playground.office : null;
    } catch (error) {
      // A cross-origin parent (Outlook itself) may not be read: not the playground.
      return null;
    }
  }

  function loadOffice() {
    var scripted = playgroundOffice();
    if (scripted) {
      window.Office = scripted;
      return Promise.resolve();
    }
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = OFFICE_JS;
      script.async = false;
      script.onload = function () {
        if (window.Office) resolve();
        else reject(new Error("office.js loaded without defining Office"));
      };
      script.onerror = function () {
        reject(new Error("office.js could not be loaded"));
      };
      (document.head || document.documentElement).appendChild(script);
    });
  }

  window.sendSecureOfficeLoaded = loadOffice();
  // The panel reports a rejection itself; keep the console free of "unhandled" noise.
  window.sendSecureOfficeLoaded.catch(function () {});

  function domReady() {
    if (document.readyState !== "loading") return Promise.resolve();
    return new Promise(function (resolve) {
      document.addEventListener("DOMContentLoaded", function () {
        resolve();
      });
    });
  }

  function showFailure() {
    var failed = document.getElementById("boot-failed");
    if (failed) failed.hidden = false;
    var loading = document.getElementById("boot-loading");
    if (loading) loading.hidden = true;
  }

  // Start fetching the panel at once (in parallel with Office.js); run it once the body exists.
  var self = document.currentScript;
  var appJs = self && self.getAttribute("data-app-js");
  var appWasm = self && self.getAttribute("data-app-wasm");
  if (!appJs || !appWasm) {
    domReady().then(showFailure);
    return;
  }
  var module = import(appJs);
  Promise.all([module, domReady()])
    .then(function (loaded) {
      return loaded[0].default({ module_or_path: appWasm });
    })
    .catch(function (error) {
      if (window.console) console.error("Send Secure could not start", error);
      domReady().then(showFailure);
    });
})();

// In the playground, Outlook is the parent page: its scripted Office stands in for Microsoft's
// office.js, with values made in this window (see office-double.js, officeFor).
"use strict";
if (window.parent !== window && window.parent.SendSecurePlayground) {
  window.Office = window.parent.SendSecurePlayground.officeFor(window, "handler");
}

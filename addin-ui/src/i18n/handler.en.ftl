# Send Secure: what Outlook's Send button says (the send handler, addin-ui/static/launchevent.js),
# English. Only the handler's own sentences: it also says the panel's finding-*, send-secure,
# signin-title and bar-actions-needed texts from en.ftl, which these may reference. Kept out of
# en.ftl so the panel's WASM does not carry them; scripts/handler-texts.mjs copies both into
# launchevent.js.

handler-signed-out = You are not signed in to Send Secure. Open the Send Secure panel and sign in; from then on Send Secure checks your e-mail when you send it.
handler-no-storage = Send Secure cannot check your e-mail on Send in this version of Outlook. Send it securely from the Send Secure panel, or deliberately as ordinary e-mail.
handler-unavailable = Send Secure could not check this e-mail in time: its server cannot be reached. You may send it as ordinary e-mail, or securely from the Send Secure panel later.
handler-needs-action = This e-mail cannot go out securely by itself. Resolve this in the Send Secure panel:
handler-panel-only = This e-mail can go out securely, but not automatically. Send it with **{ send-secure }** in the Send Secure panel.
handler-send-normally = You may also deliberately **{ send-standard }**, as ordinary e-mail.
handler-more = … and { $count } more

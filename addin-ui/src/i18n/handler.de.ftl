# Send Secure: what Outlook's Send button says (the send handler, addin-ui/static/launchevent.js),
# German. Only the handler's own sentences: it also says the panel's finding-*, send-secure,
# signin-title and bar-actions-needed texts from de.ftl, which these may reference. Kept out of
# de.ftl so the panel's WASM does not carry them; scripts/handler-texts.mjs copies both into
# launchevent.js.

handler-signed-out = Sie sind nicht bei Send Secure angemeldet. Öffnen Sie den Send Secure-Bereich und melden Sie sich an; danach prüft Send Secure Ihre E-Mails beim Senden.
handler-no-storage = Send Secure kann Ihre E-Mail in dieser Outlook-Version beim Senden nicht prüfen. Senden Sie sie sicher über den Send Secure-Bereich oder bewusst als normale E-Mail.
handler-unavailable = Send Secure konnte diese E-Mail nicht rechtzeitig prüfen: Der Server ist nicht erreichbar. Sie können sie als normale E-Mail senden oder später sicher über den Send Secure-Bereich.
handler-needs-action = Diese E-Mail kann nicht automatisch sicher versendet werden. Bitte im Send Secure-Bereich beheben:
handler-panel-only = Diese E-Mail kann sicher versendet werden, aber nicht automatisch. Senden Sie sie mit **{ send-secure }** im Send Secure-Bereich.
handler-send-normally = Sie können sie auch bewusst **{ send-standard }**, als normale E-Mail.
handler-more = … und { $count } weitere

# Send Secure: what Outlook's Send button says (the send handler, addin-ui/static/launchevent.js),
# Dutch. Only the handler's own sentences: it also says the panel's finding-*, send-secure,
# signin-title and bar-actions-needed texts from nl.ftl, which these may reference. Kept out of
# nl.ftl so the panel's WASM does not carry them; scripts/handler-texts.mjs copies both into
# launchevent.js.

handler-signed-out = U bent niet aangemeld bij Send Secure. Open het Send Secure-paneel en meld u aan; daarna controleert Send Secure uw e-mail bij het verzenden.
handler-no-storage = Send Secure kan uw e-mail in deze versie van Outlook niet controleren bij het verzenden. Verstuur hem veilig via het Send Secure-paneel, of bewust als gewone e-mail.
handler-unavailable = Send Secure kon deze e-mail niet op tijd controleren: de server is niet bereikbaar. U kunt hem als gewone e-mail versturen, of later veilig via het Send Secure-paneel.
handler-needs-action = Deze e-mail gaat niet automatisch veilig. Los dit op in het Send Secure-paneel:
handler-panel-only = Deze e-mail kan veilig worden verzonden, maar niet automatisch. Verstuur hem met **{ send-secure }** in het Send Secure-paneel.
handler-send-normally = U kunt hem ook bewust **{ send-standard }**, als gewone e-mail.
handler-more = … en nog { $count }

# Send Secure task pane: German. Same keys as nl.ftl (checked by a unit test).

## Start-up

app-loading = Send Secure wird gestartet…
not-in-outlook = Öffnen Sie Send Secure aus einer neuen Nachricht in Outlook.
office-failed = Die Nachricht in Outlook konnte nicht gelesen werden. Schließen Sie den Bereich und öffnen Sie ihn erneut.
office-call-failed = Outlook hat den Auftrag nicht ausgeführt: { $reason }

## Signing in

signin-title = Anmelden
signin-intro = Bestätigen Sie zuerst, dass Sie dieses Postfach verwenden. Sie erhalten dazu einen Code per E-Mail.
signin-mailbox-label = Postfach
signin-send-code = Code senden
signin-code-sent = Ein Code wurde an { $mailbox } gesendet. Kopieren Sie den Code aus Ihrem Posteingang.
signin-code-label = Ihr Autorisierungscode
signin-submit = Anmelden
signin-resend = Neuen Code senden
signin-resent = Ein neuer Code wurde gesendet. Der vorige Code ist nicht mehr gültig.
signin-invalid-code = Der Code ist nicht gültig: Er ist vielleicht falsch übernommen, abgelaufen oder schon verwendet. Fordern Sie bei Bedarf einen neuen Code an.
signin-too-many = Zu viele Versuche. Versuchen Sie es in einigen Minuten erneut.
signin-failed = Die Anmeldung ist nicht gelungen ({ $code }).
signin-device-note = Die Anmeldung gilt für dieses Gerät und diesen Browser. Nach 30 Tagen ohne Nutzung melden Sie sich erneut an.
signin-entra-intro = Ihre Organisation meldet sich mit dem Microsoft 365-Konto an.
signin-entra-button = Mit Microsoft 365 anmelden
signin-entra-busy = Anmeldung bei Microsoft 365…
signin-entra-unavailable = Die Anmeldung mit Microsoft 365 ist hier nicht verfügbar. Schließen Sie den Bereich und öffnen Sie ihn erneut, oder senden Sie die Nachricht normal.
signin-entra-wrong-account = Das gewählte Konto gehört nicht zu diesem Postfach. Schließen Sie den Bereich, öffnen Sie ihn erneut und wählen Sie das Konto, mit dem Sie in Outlook angemeldet sind.
signin-standard-hint = Die Anmeldung gelingt nicht? Sie können die Nachricht normal senden.

## Status

api-unreachable = Der Send Secure-Server ist nicht erreichbar. Die Prüfung wird automatisch wiederholt; Sie können die Nachricht auch normal senden.
api-error = Die Prüfung ist fehlgeschlagen ({ $code }). Sie können die Nachricht normal senden.
checking = Wird geprüft…
ready-to-send = Bereit zum sicheren Senden
actions-needed = { $count ->
    [one] Noch 1 Aktion nötig
   *[other] Noch { $count } Aktionen nötig
}

## The blue box: the installation type

info-box-more = Weitere Informationen
info-box-collapse = Einklappen
info-box-expand = Ausklappen
install-viewer-phone-required = Viewer – Mobilnummer Pflicht
install-viewer-phone-required-text = Empfänger außerhalb des Domänenbuchs lesen Ihre Nachricht im sicheren Viewer. Geben Sie für sie eine Mobilnummer ein: Der Zugangscode kommt per SMS.
install-viewer-phone-required-more = Dies ist die höchste Sicherheitsstufe (NTA 7516, Stufe substanziell): Der Zugangscode kommt über einen anderen Kanal als die Nachricht. Ohne Mobilnummer kann die Nachricht nicht sicher gesendet werden. Gespeicherte Nummern werden beim nächsten Mal automatisch eingetragen.
install-viewer-phone-check = Viewer – Mobilnummer empfohlen
install-viewer-phone-check-text = Empfänger außerhalb des Domänenbuchs lesen Ihre Nachricht im sicheren Viewer. Geben Sie möglichst eine Mobilnummer ein; ohne Nummer kommt der Zugangscode per E-Mail.
install-viewer-phone-check-more = NTA 7516 verlangt Zugang auf Stufe substanziell: einen zweiten Faktor, mit dem Zugangscode über einen anderen Kanal als die Nachricht. SMS erfüllt das, E-Mail nicht. Verwenden Sie daher wo möglich eine Mobilnummer. Gespeicherte Nummern werden beim nächsten Mal automatisch eingetragen.
install-viewer = Viewer
install-viewer-text = Empfänger außerhalb des Domänenbuchs lesen Ihre Nachricht im sicheren Viewer. Der Zugangscode kommt immer per E-Mail.
install-viewer-more = Mit diesem Installationstyp erfüllen Sie die Zwei-Faktor-Anforderung der NTA 7516 nicht. Fragen Sie Ihre Administration nach einem Installationstyp mit SMS.
install-standard = Standard
install-standard-text = Sie mailen nur mit Empfängern im Domänenbuch sicher. Empfänger außerhalb sind nicht erreichbar.
install-standard-more = Empfänger außerhalb des Domänenbuchs können Ihre sicheren Nachrichten nicht empfangen, beantworten oder weiterleiten (NTA 7516, Kriterien 6.1.14, 6.1.15 und 6.1.18). Fragen Sie Ihre Administration nach einem Installationstyp mit dem Viewer.

## Sender and recipients

sender-title = Absender
sender-validated = Absender geprüft
recipients-title = Empfänger
route-internal = Eigene Organisation
route-community = Domänenbuch
route-nta7516 = NTA 7516-Route
route-viewer = Viewer
route-blocked = Nicht erreichbar
route-invalid = Ungültige Adresse
route-unknown = Nicht geprüft
badge-nta7516 = NTA 7516
badge-nta7516-label = Erfüllt NTA 7516
field-to = An
field-cc = CC
field-bcc = BCC
recipient-validated = Empfänger geprüft
recipient-remove = { $address } aus der Nachricht entfernen
show-validated = Geprüfte Empfänger anzeigen ({ $count })
hide-validated = Geprüfte Empfänger ausblenden ({ $count })

## Phone numbers

phone-label = Mobilnummer von { $address }
phone-country-label = Ländervorwahl für { $address }
phone-placeholder = 151 23456789
phone-undo = Rückgängig
phone-save = Nummer speichern
phone-saved = Nummer gespeichert
phone-save-failed = Die Nummer konnte nicht gespeichert werden. Prüfen Sie die Nummer.
phone-forget = Gespeicherte Nummer vergessen
phone-forgotten = Die gespeicherte Nummer ist vergessen
phone-not-possible = Keine SMS möglich: Der Zugangscode kommt per E-Mail.

## Attachments

attachments-show = Anhänge anzeigen ({ $count })
attachments-hide = Anhänge ausblenden ({ $count })
attachments-total = Gesamt { $size }
attachment-share = { $percent } % der Gesamtgröße
attachment-remove = Anhang { $name } entfernen
attachment-cloud = Link
size-bytes = { $value } B
size-kb = { $value } KB
size-mb = { $value } MB

## Findings

finding-directory-unavailable = Das Domänenbuch ist zurzeit nicht verfügbar, daher können die Prüfungen nicht laufen. Sie können die Nachricht normal senden.
finding-sender-invalid = Die Absenderadresse { $subject } ist keine gültige E-Mail-Adresse.
finding-sender-unknown = Ihre Adresse { $subject } steht nicht im Domänenbuch: Sicheres Senden ist nicht möglich.
finding-no-recipients = Fügen Sie mindestens einen Empfänger hinzu.
finding-to-empty = Das An-Feld ist leer. Geben Sie einen Hauptempfänger ein.
finding-recipient-invalid = Keine gültige E-Mail-Adresse. Korrigieren oder entfernen Sie sie.
finding-recipient-distribution-list = Dies ist eine Verteilerliste. Erweitern Sie die Liste in der Nachricht, damit jeder Empfänger geprüft werden kann.
finding-recipient-not-allowed = Dieser Empfänger steht nicht im Domänenbuch. Ihr Installationstyp erlaubt kein Senden an den Viewer.
finding-phone-required = Eine Mobilnummer ist Pflicht: Der Zugangscode kommt per SMS.
finding-phone-invalid = Dies ist keine gültige Mobilnummer.
finding-phone-advised = Geben Sie möglichst eine Mobilnummer ein. Ohne Nummer kommt der Zugangscode per E-Mail.
finding-email-code-only = Der Zugangscode kommt per E-Mail.
finding-recipients-many = Diese Nachricht hat mehr als 20 Empfänger. Erwägen Sie BCC.
finding-recipients-too-many = Diese Nachricht hat mehr als 100 verschiedene Empfänger. Verringern Sie sie auf höchstens 100.
finding-bcc-mixed = BCC enthält Empfänger innerhalb und außerhalb des Domänenbuchs. Senden Sie zwei getrennte Nachrichten.
finding-bcc-viewer-to = Bei BCC-Empfängern außerhalb des Domänenbuchs muss das An-Feld genau Ihre eigene Adresse enthalten.
finding-bcc-viewer-cc = Bei BCC-Empfängern außerhalb des Domänenbuchs muss das CC-Feld leer sein.
finding-viewer-recipients-visible = Mehrere Viewer-Empfänger in An oder CC sehen gegenseitig ihre E-Mail-Adresse. Setzen Sie sie in BCC (mit sich selbst in An), um das zu verhindern.
finding-attachment-blocked-type = Dieser Dateityp ist nicht erlaubt. Entfernen Sie den Anhang.
finding-attachments-too-large = Die Anhänge sind zusammen größer als 20 MB. Entfernen Sie Anhänge bis höchstens 20 MB.
finding-subject-empty = Der Betreff ist leer. Geben Sie einen Betreff ein.
finding-viewer-language-en = Der Betreff enthält (EN): Die Benachrichtigung an Viewer-Empfänger geht auf Englisch hinaus.

## Sending

send-secure = Sicher senden
send-standard = Normal senden
send-confirm-standard = Die Nachricht geht dann als normale E-Mail hinaus, ohne sichere Route. Sind Sie sicher?
send-confirm-yes = Ja, normal senden
send-confirm-no = Abbrechen
send-preparing = Die Nachricht wird vorbereitet…
send-countdown = Senden in { $seconds } s
send-cancel = Abbrechen
send-cancelled = Senden abgebrochen.
send-sending = Wird gesendet…
send-sent = Die Nachricht wurde gesendet.
send-press-outlook = Die Nachricht wurde geprüft und für sicheres Senden markiert. Klicken Sie jetzt in Outlook auf Senden.
send-press-outlook-standard = Klicken Sie in Outlook auf Senden, um die Nachricht normal zu senden.
send-failed = Senden fehlgeschlagen: { $reason }
send-blocked = Es sind noch Aktionen nötig, bevor die Nachricht sicher gesendet werden kann.
subject-prompt = Der Betreff ist leer. Geben Sie einen Betreff ein und senden Sie erneut.
subject-label = Betreff
subject-confirm = Speichern und sicher senden

## Settings and information

settings-open = Einstellungen
settings-title = Einstellungen
settings-language = Sprache
settings-language-auto = Automatisch (Sprache von Outlook)
language-nl = Nederlands
language-en = English
language-de = Deutsch
settings-delay = Sendeverzögerung
delay-0 = Sofort senden
delay-5 = 5 Sekunden
delay-10 = 10 Sekunden
settings-save = Speichern und schließen
settings-cancel = Abbrechen
settings-save-failed = Die Einstellungen konnten nicht gespeichert werden.
about-title = Informationen
about-version = Version
about-directory = Domänenbuch
about-installation = Installationstyp
about-directory-none = nicht geladen
directory-zorgmail = ZorgMail
directory-sigra = SIGRA
about-manual = Handbuch
about-release-notes = Versionshinweise
signed-in-as = Angemeldet als { $mailbox }
sign-out = Abmelden

## Outlook's notification bar above the draft (item.notificationMessages)
bar-actions-needed = Send Secure: { $count ->
    [one] 1 Aktion erforderlich
   *[other] { $count } Aktionen erforderlich
}
bar-secure = Send Secure: Diese Nachricht kann sicher gesendet werden
bar-directory-unavailable = Send Secure: Das Domänenbuch ist nicht verfügbar

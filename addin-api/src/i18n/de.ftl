# Texts the server writes itself: the sign-in code e-mail (SPEC §8), Viewer notifications and
# the sender's delivery confirmation (SPEC §14), the Viewer's pages. Keys match in nl, en and
# de (a test checks).

## Dates: { $day }. { $month } { $year }
date = { $day }. { $month } { $year }
month-1 = Januar
month-2 = Februar
month-3 = März
month-4 = April
month-5 = Mai
month-6 = Juni
month-7 = Juli
month-8 = August
month-9 = September
month-10 = Oktober
month-11 = November
month-12 = Dezember

## The sign-in code e-mail (SPEC §8): the code is called what the panel calls it
sign-in-mail-subject = Ihr Autorisierungscode für Send Secure
sign-in-mail-lead = Ihr Autorisierungscode für Send Secure lautet:
sign-in-mail-validity = Der Code ist { $minutes } Minuten gültig und funktioniert nur einmal. Geben Sie ihn im Send-Secure-Bereich in Outlook ein.
sign-in-mail-not-you = Sie haben keinen Code angefordert? Dann können Sie diese Nachricht ignorieren: Ohne den Code kann sich niemand mit Ihrem Postfach anmelden.

## The notification to a Viewer recipient
notification-subject = Sichere Nachricht von { $sender }
notification-subject-with-subject = Sichere Nachricht: { $subject }
notification-lead = { $sender } von { $organisation } hat Ihnen eine sichere Nachricht gesendet.
notification-read = Nachricht lesen
notification-code-sms = Zum Öffnen der Nachricht erhalten Sie einen Zugangscode per SMS.
notification-code-email = Zum Öffnen der Nachricht erhalten Sie einen Zugangscode per E-Mail.
notification-until = Sie können die Nachricht bis einschließlich { $date } lesen.
notification-no-reply = Bitte antworten Sie nicht auf diese E-Mail: In der Nachricht können Sie dem Absender sicher antworten.
notification-unexpected = Haben Sie keine Nachricht von { $organisation } erwartet? Dann öffnen Sie den Link nicht.

## The delivery confirmation to the sender
confirmation-subject = Sicher gesendet: { $subject }
confirmation-lead = Ihre Nachricht „{ $subject }“ wurde sicher gesendet.
confirmation-viewer = Über den Viewer
confirmation-code-sms = Zugangscode per SMS an { $phone }
confirmation-code-email = Zugangscode per E-Mail
confirmation-direct = Direkt über das sichere Netzwerk zugestellt
confirmation-reference = Aktenzeichen
confirmation-password = Weiterleitungspasswort
confirmation-password-hint = Ein Empfänger kann die Nachricht nur mit dem Aktenzeichen und diesem Passwort weiterleiten: Geben Sie das Passwort nur an Berechtigte weiter.
confirmation-until = Die Empfänger können die Nachricht bis einschließlich { $date } lesen.
confirmation-withdraw = Nachricht zurückziehen
confirmation-withdraw-hint = Mit diesem Link ziehen Sie die Nachricht zurück: Danach kann niemand sie mehr lesen.

notification-lead-forwarded = { $forwarder } leitet Ihnen eine sichere Nachricht von { $sender } von { $organisation } weiter.

## The access code, by SMS and by e-mail
code-sms = Ihr Zugangscode für die sichere Nachricht von { $organisation }: { $code }. Der Code ist { $minutes } Minuten gültig.
code-mail-subject = Ihr Zugangscode für eine sichere Nachricht
code-mail-lead = Ihr Zugangscode für die sichere Nachricht von { $organisation } lautet:
code-mail-validity = Der Code ist 15 Minuten gültig und funktioniert einmal, in dem Browser, in dem Sie ihn angefordert haben.

## To the sender
wrong-number-subject = Falsche Mobilnummer gemeldet ({ $reference })
wrong-number-body = { $recipient } meldet, dass die Mobilnummer { $phone } nicht die eigene ist. Die sichere Nachricht mit dem Aktenzeichen { $reference } kann so nicht geöffnet werden: Senden Sie sie erneut mit der richtigen Nummer.
forward-notice-subject = Weitergeleitet: { $subject }
forward-notice-body = Ihre Nachricht „{ $subject }“ (Aktenzeichen { $reference }) wurde von { $forwarder } an { $to } weitergeleitet.
reply-footer = Diese Antwort von { $recipient } wurde über den sicheren Viewer gesendet (Aktenzeichen { $reference }).
forward-note = { $forwarder } leitet Ihnen eine sichere Nachricht von { $sender } weiter (Aktenzeichen { $reference }). Die ursprüngliche Nachricht ist angehängt.

## The Viewer's pages
viewer-brand = Sichere Nachricht
viewer-skip = Zum Inhalt
viewer-languages = Sprache
viewer-footer = Diese Nachricht wird mit Send Secure sicher aufbewahrt. Sie lesen sie über eine verschlüsselte Verbindung.
landing-how-sms = Zum Öffnen der Nachricht senden wir Ihnen einen Zugangscode per SMS an { $phone }.
landing-how-email = Zum Öffnen der Nachricht senden wir Ihnen einen Zugangscode per E-Mail.
code-title = Zugangscode
code-sent-sms = Wir haben einen Zugangscode per SMS an { $phone } gesendet.
code-sent-email = Wir haben einen Zugangscode an Ihre E-Mail-Adresse gesendet.
code-label = Zugangscode (6 Ziffern)
code-submit = Nachricht öffnen
code-again = Neuen Code senden
code-wrong-number = Das ist nicht meine Nummer
code-wrong = Dieser Code stimmt nicht oder ist abgelaufen. Versuchen Sie es erneut oder fordern Sie einen neuen Code an.
code-too-many = Sie haben zu oft einen Code angefordert oder versucht. Bitte warten Sie eine Viertelstunde und versuchen Sie es dann erneut.
message-from = Von
message-date = Datum
message-attachments = Anhänge
message-no-attachments = Keine Anhänge.
message-download = Nachricht herunterladen (.eml)
message-attachment-size = { $size }
reply-title = Antworten
reply-label = Ihre Antwort an { $sender }
reply-files = Anhänge (zusammen höchstens 20 MB)
reply-submit = Antwort senden
reply-left = Sie können noch { $count }-mal auf diese Nachricht antworten.
reply-none-left = Sie haben zweimal auf diese Nachricht geantwortet. Wenn der Absender Ihnen eine neue Nachricht sendet, können Sie darauf wieder antworten.
reply-sent = Ihre Antwort wurde gesendet.
forward-title = Weiterleiten
forward-intro = Sie können diese Nachricht mit dem Aktenzeichen und dem Weiterleitungspasswort weiterleiten, die Sie vom Absender erhalten haben.
forward-reference = Aktenzeichen
forward-password = Weiterleitungspasswort
forward-to = E-Mail-Adresse des Empfängers
forward-phone = Mobilnummer des Empfängers (für den Zugangscode; nicht immer nötig)
forward-submit = Weiterleiten
forward-left = Diese Nachricht kann noch { $count }-mal weitergeleitet werden.
forward-none-left = Diese Nachricht wurde bereits zweimal weitergeleitet.
forward-sent-direct = Die Nachricht wurde weitergeleitet.
forward-sent-viewer = Die Nachricht wurde weitergeleitet. Der Empfänger liest sie im sicheren Viewer.
not-available-title = Diese Nachricht ist nicht verfügbar
not-available = Der Link stimmt nicht, die Nachricht wurde zurückgezogen oder ihre Aufbewahrungsfrist ist abgelaufen. Wenn Sie die Nachricht noch brauchen, wenden Sie sich bitte an den Absender.
wrong-number-title = Vielen Dank für Ihre Meldung
wrong-number-done = Wir haben dem Absender mitgeteilt, dass diese Nummer nicht Ihre ist. Der Absender kann die Nachricht mit der richtigen Nummer erneut senden.
unavailable-title = Vorübergehend nicht verfügbar
unavailable = Das hat gerade nicht geklappt. Bitte versuchen Sie es in ein paar Minuten erneut.
too-many-title = Zu viele Versuche
withdraw-title = Nachricht zurückziehen
withdraw-lead = Wenn Sie die Nachricht mit dem Aktenzeichen { $reference } zurückziehen, kann niemand sie mehr lesen. Das lässt sich nicht rückgängig machen.
withdraw-submit = Nachricht zurückziehen
withdraw-done-title = Die Nachricht wurde zurückgezogen
withdraw-done = Niemand kann die Nachricht mit dem Aktenzeichen { $reference } mehr lesen.
problem-reply-empty = Schreiben Sie eine Nachricht oder fügen Sie einen Anhang hinzu.
problem-attachment-blocked-type = Diese Art von Datei kann nicht gesendet werden.
problem-attachments-too-large = Die Anhänge sind zusammen größer als 20 MB.
problem-replies-used = Sie haben bereits zweimal auf diese Nachricht geantwortet.
problem-forward-closed = Zu oft wurde ein falsches Aktenzeichen oder Passwort eingegeben: Weiterleiten ist nicht mehr möglich.
problem-forward-credentials = Das Aktenzeichen oder das Weiterleitungspasswort stimmt nicht.
problem-recipient-missing = Geben Sie die E-Mail-Adresse des Empfängers ein.
problem-recipient-invalid = Das ist keine gültige E-Mail-Adresse.
problem-recipient-not-allowed = Diese Adresse ist nicht sicher erreichbar.
problem-phone-invalid = Diese Mobilnummer ist nicht gültig.
problem-phone-required = Geben Sie eine Mobilnummer ein: Der Empfänger erhält den Zugangscode per SMS.
problem-forwards-used = Diese Nachricht wurde bereits zweimal weitergeleitet.
problem-invalid-form = Das Formular konnte nicht gelesen werden. Bitte versuchen Sie es erneut.

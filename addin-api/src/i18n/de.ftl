# Texts the server writes itself: Viewer notifications and the sender's delivery confirmation
# (SPEC §14). The Viewer's pages come here too. Keys match in nl, en and de (a test checks).

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

# Texts the server writes itself: Viewer notifications and the sender's delivery confirmation
# (SPEC §14). The Viewer's pages come here too. Keys match in nl, en and de (a test checks).

## Dates: { $day } { $month } { $year }
date = { $day } { $month } { $year }
month-1 = januari
month-2 = februari
month-3 = maart
month-4 = april
month-5 = mei
month-6 = juni
month-7 = juli
month-8 = augustus
month-9 = september
month-10 = oktober
month-11 = november
month-12 = december

## The notification to a Viewer recipient
notification-subject = Beveiligd bericht van { $sender }
notification-subject-with-subject = Beveiligd bericht: { $subject }
notification-lead = { $sender } van { $organisation } heeft u een beveiligd bericht gestuurd.
notification-read = Bericht lezen
notification-code-sms = Om het bericht te openen ontvangt u een toegangscode per sms.
notification-code-email = Om het bericht te openen ontvangt u een toegangscode per e-mail.
notification-until = U kunt het bericht lezen tot en met { $date }.
notification-no-reply = Beantwoord deze e-mail niet: in het bericht kunt u de afzender beveiligd antwoorden.
notification-unexpected = Verwachtte u geen bericht van { $organisation }? Open de link dan niet.

## The delivery confirmation to the sender
confirmation-subject = Beveiligd verzonden: { $subject }
confirmation-lead = Uw bericht „{ $subject }” is beveiligd verzonden.
confirmation-viewer = Via de Viewer
confirmation-code-sms = toegangscode per sms naar { $phone }
confirmation-code-email = toegangscode per e-mail
confirmation-direct = Rechtstreeks bezorgd via het beveiligde netwerk
confirmation-reference = Kenmerk
confirmation-password = Doorstuurwachtwoord
confirmation-password-hint = Een ontvanger kan het bericht alleen doorsturen met het kenmerk en dit wachtwoord: geef het wachtwoord alleen aan wie dat mag.
confirmation-until = De ontvangers kunnen het bericht lezen tot en met { $date }.
confirmation-withdraw = Bericht intrekken
confirmation-withdraw-hint = Met deze link trekt u het bericht in: daarna kan niemand het meer lezen.

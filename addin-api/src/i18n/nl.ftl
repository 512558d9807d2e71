# Texts the server writes itself: the sign-in code e-mail (SPEC §8), Viewer notifications and
# the sender's delivery confirmation (SPEC §14), the Viewer's pages. Keys match in nl, en and
# de (a test checks).

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

## The sign-in code e-mail (SPEC §8): the code is called what the panel calls it
sign-in-mail-subject = Uw autorisatiecode voor Send Secure
sign-in-mail-lead = Uw autorisatiecode voor Send Secure is:
sign-in-mail-validity = De code is { $minutes } minuten geldig en werkt één keer. Typ hem in het Send Secure-paneel in Outlook.
sign-in-mail-not-you = Heeft u geen code aangevraagd? Dan kunt u dit bericht negeren: zonder de code kan niemand zich met uw mailbox aanmelden.

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

notification-lead-forwarded = { $forwarder } stuurt u een beveiligd bericht door van { $sender } van { $organisation }.

## The access code, by SMS and by e-mail
code-sms = Uw toegangscode voor het beveiligde bericht van { $organisation }: { $code }. De code is { $minutes } minuten geldig.
code-mail-subject = Uw toegangscode voor een beveiligd bericht
code-mail-lead = Uw toegangscode voor het beveiligde bericht van { $organisation } is:
code-mail-validity = De code is 15 minuten geldig en werkt één keer, in de browser waarin u hem aanvroeg.

## To the sender
wrong-number-subject = Onjuist mobiel nummer gemeld ({ $reference })
wrong-number-body = { $recipient } meldt dat het mobiele nummer { $phone } niet van hem of haar is. Het beveiligde bericht met kenmerk { $reference } kan zo niet geopend worden: stuur het opnieuw met het juiste nummer.
forward-notice-subject = Doorgestuurd: { $subject }
forward-notice-body = Uw bericht „{ $subject }” (kenmerk { $reference }) is door { $forwarder } doorgestuurd naar { $to }.
reply-footer = Dit antwoord van { $recipient } is verstuurd via de beveiligde Viewer (kenmerk { $reference }).
forward-note = { $forwarder } stuurt u een beveiligd bericht door van { $sender } (kenmerk { $reference }). Het oorspronkelijke bericht zit in de bijlage.

## The Viewer's pages
viewer-brand = Beveiligd bericht
viewer-skip = Naar de inhoud
viewer-languages = Taal
viewer-footer = Dit bericht wordt beveiligd bewaard met Send Secure. U leest het via een versleutelde verbinding.
landing-how-sms = Om het bericht te openen sturen we u een toegangscode per sms naar { $phone }.
landing-how-email = Om het bericht te openen sturen we u een toegangscode per e-mail.
code-title = Toegangscode
code-sent-sms = We hebben een toegangscode per sms gestuurd naar { $phone }.
code-sent-email = We hebben een toegangscode naar uw e-mailadres gestuurd.
code-label = Toegangscode (6 cijfers)
code-submit = Bericht openen
code-again = Stuur een nieuwe code
code-wrong-number = Dit is niet mijn nummer
code-wrong = Deze code klopt niet of is verlopen. Probeer het opnieuw of vraag een nieuwe code aan.
code-too-many = U heeft te vaak een code aangevraagd of geprobeerd. Wacht een kwartier en probeer het dan opnieuw.
message-from = Van
message-date = Datum
message-attachments = Bijlagen
message-no-attachments = Geen bijlagen.
message-download = Bericht downloaden (.eml)
message-attachment-size = { $size }
reply-title = Antwoorden
reply-label = Uw antwoord aan { $sender }
reply-files = Bijlagen (samen hoogstens 20 MB)
reply-submit = Antwoord versturen
reply-left = U kunt nog { $count } keer antwoorden op dit bericht.
reply-none-left = U heeft twee keer geantwoord op dit bericht. Stuurt de afzender u een nieuw bericht, dan kunt u daarop weer antwoorden.
reply-sent = Uw antwoord is verstuurd.
forward-title = Doorsturen
forward-intro = Dit bericht doorsturen kan met het kenmerk en het doorstuurwachtwoord die u van de afzender heeft gekregen.
forward-reference = Kenmerk
forward-password = Doorstuurwachtwoord
forward-to = E-mailadres van de ontvanger
forward-phone = Mobiel nummer van de ontvanger (voor de toegangscode; niet altijd nodig)
forward-submit = Doorsturen
forward-left = Dit bericht kan nog { $count } keer worden doorgestuurd.
forward-none-left = Dit bericht is al twee keer doorgestuurd.
forward-sent-direct = Het bericht is doorgestuurd.
forward-sent-viewer = Het bericht is doorgestuurd. De ontvanger leest het in de beveiligde Viewer.
not-available-title = Dit bericht is niet beschikbaar
not-available = De link klopt niet, het bericht is ingetrokken of de bewaartermijn is verstreken. Heeft u het bericht nog nodig? Neem dan contact op met de afzender.
wrong-number-title = Bedankt voor uw melding
wrong-number-done = We hebben de afzender laten weten dat dit nummer niet van u is. De afzender kan het bericht opnieuw sturen met het juiste nummer.
unavailable-title = Even niet beschikbaar
unavailable = Dat lukte nu niet. Probeer het over een paar minuten opnieuw.
too-many-title = Te veel pogingen
withdraw-title = Bericht intrekken
withdraw-lead = Trekt u het bericht met kenmerk { $reference } in, dan kan niemand het meer lezen. Dit kunt u niet ongedaan maken.
withdraw-submit = Bericht intrekken
withdraw-done-title = Het bericht is ingetrokken
withdraw-done = Niemand kan het bericht met kenmerk { $reference } nog lezen.
problem-reply-empty = Schrijf een bericht of voeg een bijlage toe.
problem-attachment-blocked-type = Dit soort bestand kan niet worden verstuurd.
problem-attachments-too-large = De bijlagen zijn samen groter dan 20 MB.
problem-replies-used = U heeft al twee keer geantwoord op dit bericht.
problem-forward-closed = Er is te vaak een onjuist kenmerk of wachtwoord ingevuld: doorsturen kan niet meer.
problem-forward-credentials = Het kenmerk of het doorstuurwachtwoord klopt niet.
problem-recipient-missing = Vul het e-mailadres van de ontvanger in.
problem-recipient-invalid = Dit is geen geldig e-mailadres.
problem-recipient-not-allowed = Dit adres kan niet beveiligd worden bereikt.
problem-phone-invalid = Dit mobiele nummer is niet geldig.
problem-phone-required = Vul een mobiel nummer in: de ontvanger krijgt de toegangscode per sms.
problem-forwards-used = Dit bericht is al twee keer doorgestuurd.
problem-invalid-form = Het formulier kon niet worden gelezen. Probeer het opnieuw.

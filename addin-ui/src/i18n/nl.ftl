# Send Secure task pane: Dutch (the default). Every key here exists in en.ftl and de.ftl too
# (a unit test in i18n/mod.rs checks). Wording follows the plug-in manual.

## Start-up

app-loading = Send Secure wordt gestart…
not-in-outlook = Open Send Secure vanuit een nieuw bericht in Outlook.
office-failed = Het bericht in Outlook kon niet worden gelezen. Sluit het paneel en open het opnieuw.
office-call-failed = Outlook voerde de opdracht niet uit: { $reason }

## Signing in (manual §2.1.3)

signin-title = Aanmelden
signin-intro = Bevestig eerst dat u deze mailbox gebruikt. U ontvangt hiervoor een code per e-mail.
signin-mailbox-label = Mailbox
signin-send-code = Stuur code
signin-code-sent = Er is een code verstuurd naar { $mailbox }. Kopieer de code uit uw Postvak IN.
signin-code-label = Uw autorisatiecode
signin-submit = Inloggen
signin-resend = Verstuur nieuwe code
signin-resent = Er is een nieuwe code verstuurd. De vorige code is niet meer geldig.
signin-invalid-code = De code is niet geldig: mogelijk verkeerd overgenomen, verlopen of al gebruikt. Vraag zo nodig een nieuwe code aan.
signin-too-many = Te veel pogingen. Probeer het over enkele minuten opnieuw.
signin-failed = Aanmelden is niet gelukt ({ $code }).
signin-device-note = De aanmelding geldt voor dit apparaat en deze browser. Na 30 dagen zonder gebruik meldt u zich opnieuw aan.
signin-entra-intro = Uw organisatie gebruikt aanmelden met uw Microsoft 365-account.
signin-entra-button = Aanmelden met Microsoft 365
signin-entra-busy = Aanmelden bij Microsoft 365…
signin-entra-unavailable = Aanmelden met Microsoft 365 is hier niet beschikbaar. Sluit het paneel en open het opnieuw, of verstuur het bericht standaard.
signin-entra-wrong-account = Het gekozen account hoort niet bij deze mailbox. Sluit het paneel, open het opnieuw en kies het account waarmee u in Outlook bent aangemeld.
signin-standard-hint = Lukt aanmelden niet? U kunt het bericht standaard versturen.

## Status

api-unreachable = De Send Secure-server is niet bereikbaar. De controle wordt automatisch herhaald; u kunt het bericht ook standaard versturen.
api-error = De controle is mislukt ({ $code }). U kunt het bericht standaard versturen.
checking = Bezig met controleren…
ready-to-send = Klaar om veilig te verzenden
actions-needed = { $count ->
    [one] Nog 1 actie nodig
   *[other] Nog { $count } acties nodig
}

## The blue box: the installation type (manual §2.2.2.1)

info-box-more = Meer informatie
info-box-collapse = Inklappen
info-box-expand = Uitklappen
install-viewer-phone-required = Viewer – 06 verplicht
install-viewer-phone-required-text = Ontvangers buiten het Domeinboek lezen uw bericht in de beveiligde Viewer. Vul voor hen een mobiel nummer in: de toegangscode gaat per sms.
install-viewer-phone-required-more = Dit is het hoogste veiligheidsniveau (NTA 7516, niveau substantieel): de toegangscode komt via een ander kanaal dan het bericht. Zonder mobiel nummer kan het bericht niet veilig worden verzonden. Opgeslagen nummers worden de volgende keer automatisch ingevuld.
install-viewer-phone-check = Viewer – 06 controle
install-viewer-phone-check-text = Ontvangers buiten het Domeinboek lezen uw bericht in de beveiligde Viewer. Vul bij voorkeur een mobiel nummer in; zonder nummer gaat de toegangscode per e-mail.
install-viewer-phone-check-more = NTA 7516 vraagt toegang op niveau substantieel: een tweede factor, met de toegangscode via een ander kanaal dan het bericht. Sms voldoet hieraan, e-mail niet. Gebruik daarom zo veel mogelijk een mobiel nummer. Opgeslagen nummers worden de volgende keer automatisch ingevuld.
install-viewer = Viewer
install-viewer-text = Ontvangers buiten het Domeinboek lezen uw bericht in de beveiligde Viewer. De toegangscode gaat altijd per e-mail.
install-viewer-more = Met dit installatietype voldoet u niet aan de eis van twee-factor-authenticatie uit NTA 7516. Neem contact op met uw beheerder over een installatietype met sms.
install-standard = Standaard
install-standard-text = U mailt alleen veilig met ontvangers in het Domeinboek. Ontvangers daarbuiten zijn niet bereikbaar.
install-standard-more = Ontvangers buiten het Domeinboek kunnen uw veilige berichten niet ontvangen, beantwoorden of doorsturen (NTA 7516, criteria 6.1.14, 6.1.15 en 6.1.18). Neem contact op met uw beheerder over een installatietype met de Viewer.

## Sender and recipients (manual §2.2.2)

sender-title = Verzender
sender-validated = Verzender gevalideerd
recipients-title = Ontvangers
route-internal = Eigen organisatie
route-community = Domeinboek
route-nta7516 = NTA 7516-route
route-viewer = Viewer
route-blocked = Niet bereikbaar
route-invalid = Ongeldig adres
route-unknown = Niet gecontroleerd
badge-nta7516 = NTA 7516
badge-nta7516-label = Voldoet aan NTA 7516
field-to = Aan
field-cc = CC
field-bcc = BCC
recipient-validated = Ontvanger gevalideerd
recipient-remove = { $address } uit het bericht verwijderen
show-validated = Toon gevalideerde ontvangers ({ $count })
hide-validated = Verberg gevalideerde ontvangers ({ $count })

## Phone numbers (manual §1.10, §4.6)

phone-label = Mobiel nummer van { $address }
phone-country-label = Landcode voor { $address }
phone-placeholder = 6 12345678
phone-undo = Ongedaan maken
phone-save = Nummer opslaan
phone-saved = Nummer opgeslagen
phone-save-failed = Het nummer kon niet worden opgeslagen. Controleer het nummer.
phone-forget = Opgeslagen nummer vergeten
phone-forgotten = Het opgeslagen nummer is vergeten
phone-not-possible = Sms niet mogelijk: de toegangscode gaat per e-mail.

## Attachments (manual §4.7)

attachments-show = Toon bijlagen ({ $count })
attachments-hide = Verberg bijlagen ({ $count })
attachments-total = Totaal { $size }
attachment-share = { $percent }% van het totaal
attachment-remove = Bijlage { $name } verwijderen
attachment-cloud = Koppeling
size-bytes = { $value } B
size-kb = { $value } kB
size-mb = { $value } MB

## Findings (SPEC §5.4): one text per code

finding-directory-unavailable = Het Domeinboek is op dit moment niet beschikbaar, dus de controles kunnen niet worden uitgevoerd. U kunt het bericht standaard versturen.
finding-sender-invalid = Het afzenderadres { $subject } is geen geldig e-mailadres.
finding-sender-unknown = Uw adres { $subject } staat niet in het Domeinboek: veilig verzenden is niet mogelijk.
finding-no-recipients = Voeg ten minste één ontvanger toe.
finding-to-empty = Het Aan-veld is leeg. Vul een primaire ontvanger in.
finding-recipient-invalid = Geen geldig e-mailadres. Verbeter of verwijder het.
finding-recipient-distribution-list = Dit is een verzendlijst. Klap de lijst uit in het bericht, zodat elke ontvanger gecontroleerd kan worden.
finding-recipient-not-allowed = Deze ontvanger staat niet in het Domeinboek. Uw installatietype staat verzenden naar de Viewer niet toe.
finding-phone-required = Een mobiel nummer is verplicht: de toegangscode gaat per sms.
finding-phone-invalid = Dit is geen geldig mobiel nummer.
finding-phone-advised = Vul bij voorkeur een mobiel nummer in. Zonder nummer gaat de toegangscode per e-mail.
finding-email-code-only = De toegangscode gaat per e-mail.
finding-recipients-many = Dit bericht heeft meer dan 20 ontvangers. Overweeg BCC te gebruiken.
finding-recipients-too-many = Dit bericht heeft meer dan 100 unieke ontvangers. Verlaag het aantal tot maximaal 100.
finding-bcc-mixed = BCC bevat ontvangers binnen én buiten het Domeinboek. Stuur hiervoor twee aparte berichten.
finding-bcc-viewer-to = Bij BCC-ontvangers buiten het Domeinboek moet het Aan-veld exact uw eigen adres bevatten.
finding-bcc-viewer-cc = Bij BCC-ontvangers buiten het Domeinboek moet het CC-veld leeg zijn.
finding-viewer-recipients-visible = Meerdere Viewer-ontvangers in Aan of CC zien elkaars e-mailadres. Zet ze in BCC (met uzelf in Aan) om dat te voorkomen.
finding-attachment-blocked-type = Dit bestandstype is niet toegestaan. Verwijder de bijlage.
finding-attachments-too-large = De bijlagen zijn samen groter dan 20 MB. Verwijder bijlagen tot maximaal 20 MB.
finding-subject-empty = Het onderwerp is leeg. Vul een onderwerp in.
finding-viewer-language-en = Het onderwerp bevat (EN): de melding aan Viewer-ontvangers gaat in het Engels.

## Sending (SPEC §7, manual §4)

send-secure = Veilig verzenden
send-standard = Standaard versturen
send-confirm-standard = Dit bericht gaat dan als gewone e-mail, zonder beveiligde route. Weet u het zeker?
send-confirm-yes = Ja, standaard versturen
send-confirm-no = Annuleren
send-preparing = Het bericht wordt voorbereid…
send-countdown = Verzenden over { $seconds } s
send-cancel = Annuleren
send-cancelled = Verzenden geannuleerd.
send-sending = Bezig met verzenden…
send-sent = Het bericht is verzonden.
send-press-outlook = Het bericht is gecontroleerd en gemarkeerd voor veilig verzenden. Klik nu op Verzenden in Outlook.
send-press-outlook-standard = Klik op Verzenden in Outlook om het bericht standaard te versturen.
send-failed = Verzenden is niet gelukt: { $reason }
send-blocked = Er zijn nog acties nodig voordat het bericht veilig kan worden verzonden.
subject-prompt = Het onderwerp is leeg. Vul een onderwerp in en verzend opnieuw.
subject-label = Onderwerp
subject-confirm = Opslaan en veilig verzenden

## Settings and information (manual §2.4)

settings-open = Instellingen
settings-title = Instellingen
settings-language = Taal
settings-language-auto = Automatisch (taal van Outlook)
language-nl = Nederlands
language-en = English
language-de = Deutsch
settings-delay = Vertraging bij verzending
delay-0 = Direct verzenden
delay-5 = 5 seconden
delay-10 = 10 seconden
settings-save = Opslaan en sluiten
settings-cancel = Annuleren
settings-save-failed = De instellingen konden niet worden opgeslagen.
about-title = Informatie
about-version = Versie
about-directory = Domeinboek
about-installation = Installatietype
about-directory-none = niet geladen
directory-zorgmail = ZorgMail
directory-sigra = SIGRA
about-manual = Handleiding
about-release-notes = Release notes
signed-in-as = Aangemeld als { $mailbox }
sign-out = Afmelden

## Outlook's notification bar above the draft (item.notificationMessages)
bar-actions-needed = Send Secure: { $count ->
    [one] 1 actie nodig
   *[other] { $count } acties nodig
}
bar-secure = Send Secure: dit bericht kan veilig verzonden worden
bar-directory-unavailable = Send Secure: het Domeinboek is niet beschikbaar

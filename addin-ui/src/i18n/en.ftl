# Send Secure task pane: English. Same keys as nl.ftl (checked by a unit test).

## Start-up

app-loading = Starting Send Secure…
not-in-outlook = Open Send Secure from a new message in Outlook.
office-failed = The message in Outlook could not be read. Close the pane and open it again.
office-call-failed = Outlook did not carry out the request: { $reason }

## Signing in

signin-title = Sign in
signin-intro = First confirm that you use this mailbox. You will receive a code by e-mail.
signin-mailbox-label = Mailbox
signin-send-code = Send code
signin-code-sent = A code has been sent to { $mailbox }. Copy the code from your inbox.
signin-code-label = Your authorisation code
signin-submit = Sign in
signin-resend = Send a new code
signin-resent = A new code has been sent. The previous code is no longer valid.
signin-invalid-code = The code is not valid: it may be mistyped, expired or already used. Request a new code if needed.
signin-too-many = Too many attempts. Try again in a few minutes.
signin-failed = Signing in did not succeed ({ $code }).
signin-device-note = Signing in applies to this device and this browser. After 30 days without use you sign in again.
signin-entra-intro = Your organisation signs in with your Microsoft 365 account.
signin-entra-button = Sign in with Microsoft 365
signin-entra-busy = Signing in to Microsoft 365…
signin-entra-unavailable = Signing in with Microsoft 365 is not available here. Close the pane and open it again, or send the message normally.
signin-entra-wrong-account = The account you chose does not belong to this mailbox. Close the pane, open it again and choose the account you use in Outlook.
signin-standard-hint = Cannot sign in? You can send the message normally.

## Status

api-unreachable = The Send Secure server cannot be reached. The check is repeated automatically; you can also send the message normally.
api-error = The check failed ({ $code }). You can send the message normally.
checking = Checking…
ready-to-send = Ready to send securely
actions-needed = { $count ->
    [one] 1 action needed
   *[other] { $count } actions needed
}

## The blue box: the installation type

info-box-more = More information
info-box-collapse = Collapse
info-box-expand = Expand
install-viewer-phone-required = Viewer – mobile number required
install-viewer-phone-required-text = Recipients outside the domain book read your message in the secure Viewer. Enter a mobile number for them: the access code goes by text message.
install-viewer-phone-required-more = This is the highest level of safety (NTA 7516, level substantial): the access code travels by another channel than the message. Without a mobile number the message cannot be sent securely. Saved numbers are filled in automatically next time.
install-viewer-phone-check = Viewer – mobile number preferred
install-viewer-phone-check-text = Recipients outside the domain book read your message in the secure Viewer. Preferably enter a mobile number; without one the access code goes by e-mail.
install-viewer-phone-check-more = NTA 7516 asks for access at level substantial: a second factor, with the access code sent by another channel than the message. A text message meets this, e-mail does not. So use a mobile number wherever you can. Saved numbers are filled in automatically next time.
install-viewer = Viewer
install-viewer-text = Recipients outside the domain book read your message in the secure Viewer. The access code always goes by e-mail.
install-viewer-more = With this installation type you do not meet the two-factor requirement of NTA 7516. Ask your administrator about an installation type with text messages.
install-standard = Standard
install-standard-text = You can only mail securely with recipients in the domain book. Recipients outside it cannot be reached.
install-standard-more = Recipients outside the domain book cannot receive, answer or forward your secure messages (NTA 7516, criteria 6.1.14, 6.1.15 and 6.1.18). Ask your administrator about an installation type with the Viewer.

## Sender and recipients

sender-title = Sender
sender-validated = Sender validated
recipients-title = Recipients
route-internal = Own organisation
route-community = Domain book
route-nta7516 = NTA 7516 route
route-viewer = Viewer
route-blocked = Not reachable
route-invalid = Invalid address
route-unknown = Not checked
badge-nta7516 = NTA 7516
badge-nta7516-label = Complies with NTA 7516
field-to = To
field-cc = CC
field-bcc = BCC
recipient-validated = Recipient validated
recipient-remove = Remove { $address } from the message
show-validated = Show validated recipients ({ $count })
hide-validated = Hide validated recipients ({ $count })

## Phone numbers

phone-label = Mobile number of { $address }
phone-country-label = Country code for { $address }
phone-placeholder = 7700 900123
phone-undo = Undo
phone-save = Save number
phone-saved = Number saved
phone-save-failed = The number could not be saved. Check the number.
phone-forget = Forget the saved number
phone-forgotten = Saved number forgotten
phone-not-possible = No text message possible: the access code goes by e-mail.

## Attachments

attachments-show = Show attachments ({ $count })
attachments-hide = Hide attachments ({ $count })
attachments-total = Total { $size }
attachment-share = { $percent }% of the total
attachment-remove = Remove attachment { $name }
attachment-cloud = Link
size-bytes = { $value } B
size-kb = { $value } KB
size-mb = { $value } MB

## Findings

finding-directory-unavailable = The domain book is not available at the moment, so the checks cannot run. You can send the message normally.
finding-sender-invalid = The sender address { $subject } is not a valid e-mail address.
finding-sender-unknown = Your address { $subject } is not in the domain book: secure sending is not possible.
finding-no-recipients = Add at least one recipient.
finding-to-empty = The To field is empty. Enter a primary recipient.
finding-recipient-invalid = Not a valid e-mail address. Correct or remove it.
finding-recipient-distribution-list = This is a distribution list. Expand the list in the message so that every recipient can be checked.
finding-recipient-not-allowed = This recipient is not in the domain book. Your installation type does not allow sending to the Viewer.
finding-phone-required = A mobile number is required: the access code goes by text message.
finding-phone-invalid = This is not a valid mobile number.
finding-phone-advised = Preferably enter a mobile number. Without one the access code goes by e-mail.
finding-email-code-only = The access code goes by e-mail.
finding-recipients-many = This message has more than 20 recipients. Consider using BCC.
finding-recipients-too-many = This message has more than 100 unique recipients. Reduce them to 100 at most.
finding-bcc-mixed = BCC holds recipients both inside and outside the domain book. Send two separate messages.
finding-bcc-viewer-to = With BCC recipients outside the domain book, the To field must hold exactly your own address.
finding-bcc-viewer-cc = With BCC recipients outside the domain book, the CC field must be empty.
finding-viewer-recipients-visible = Several Viewer recipients in To or CC see each other's e-mail address. Put them in BCC (with yourself in To) to prevent that.
finding-attachment-blocked-type = This file type is not allowed. Remove the attachment.
finding-attachments-too-large = The attachments total more than 20 MB. Remove attachments until at most 20 MB remain.
finding-subject-empty = The subject is empty. Enter a subject.
finding-viewer-language-en = The subject contains (EN): the notification to Viewer recipients goes out in English.

## Sending

send-secure = Send securely
send-standard = Send normally
send-confirm-standard = The message then goes out as ordinary e-mail, without the secure route. Are you sure?
send-confirm-yes = Yes, send normally
send-confirm-no = Cancel
send-preparing = Preparing the message…
send-countdown = Sending in { $seconds } s
send-cancel = Cancel
send-cancelled = Sending cancelled.
send-sending = Sending…
send-sent = The message has been sent.
send-press-outlook = The message has been checked and marked for secure sending. Now click Send in Outlook.
send-press-outlook-standard = Click Send in Outlook to send the message normally.
send-failed = Sending failed: { $reason }
send-blocked = Actions are still needed before the message can be sent securely.
subject-prompt = The subject is empty. Enter a subject and send again.
subject-label = Subject
subject-confirm = Save and send securely

## Settings and information

settings-open = Settings
settings-title = Settings
settings-language = Language
settings-language-auto = Automatic (Outlook's language)
language-nl = Nederlands
language-en = English
language-de = Deutsch
settings-delay = Send delay
delay-0 = Send immediately
delay-5 = 5 seconds
delay-10 = 10 seconds
settings-save = Save and close
settings-cancel = Cancel
settings-save-failed = The settings could not be saved.
about-title = Information
about-version = Version
about-directory = Domain book
about-installation = Installation type
about-directory-none = not loaded
directory-zorgmail = ZorgMail
directory-sigra = SIGRA
about-manual = Manual
about-release-notes = Release notes
signed-in-as = Signed in as { $mailbox }
sign-out = Sign out

## Outlook's notification bar above the draft (item.notificationMessages)
bar-actions-needed = Send Secure: { $count ->
    [one] 1 action needed
   *[other] { $count } actions needed
}
bar-secure = Send Secure: this message can be sent securely
bar-directory-unavailable = Send Secure: the domain book is unavailable

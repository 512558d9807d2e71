# Texts the server writes itself: Viewer notifications and the sender's delivery confirmation
# (SPEC §14). The Viewer's pages come here too. Keys match in nl, en and de (a test checks).

## Dates: { $day } { $month } { $year }
date = { $day } { $month } { $year }
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December

## The notification to a Viewer recipient
notification-subject = Secure message from { $sender }
notification-subject-with-subject = Secure message: { $subject }
notification-lead = { $sender } of { $organisation } has sent you a secure message.
notification-read = Read message
notification-code-sms = To open the message you will receive an access code by text message.
notification-code-email = To open the message you will receive an access code by e-mail.
notification-until = You can read the message until { $date }.
notification-no-reply = Please do not reply to this e-mail: you can reply to the sender securely from the message.
notification-unexpected = Were you not expecting a message from { $organisation }? Then do not open the link.

## The delivery confirmation to the sender
confirmation-subject = Sent securely: { $subject }
confirmation-lead = Your message “{ $subject }” was sent securely.
confirmation-viewer = Through the Viewer
confirmation-code-sms = access code by text message to { $phone }
confirmation-code-email = access code by e-mail
confirmation-direct = Delivered directly over the secure network
confirmation-reference = Reference
confirmation-password = Forwarding password
confirmation-password-hint = A recipient can forward the message only with the reference and this password: give the password only to those who may.
confirmation-until = The recipients can read the message until { $date }.
confirmation-withdraw = Withdraw message
confirmation-withdraw-hint = This link withdraws the message: after that nobody can read it.

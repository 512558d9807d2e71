# Texts the server writes itself: the sign-in code e-mail (SPEC §8), Viewer notifications and
# the sender's delivery confirmation (SPEC §14), the Viewer's pages. Keys match in nl, en and
# de (a test checks).

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

## The sign-in code e-mail (SPEC §8): the code is called what the panel calls it
sign-in-mail-subject = Your Send Secure authorisation code
sign-in-mail-lead = Your authorisation code for Send Secure is:
sign-in-mail-validity = The code is valid for { $minutes } minutes and works once. Enter it in the Send Secure panel in Outlook.
sign-in-mail-not-you = Did you not ask for a code? Then you can ignore this message: without the code nobody can sign in with your mailbox.

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

notification-lead-forwarded = { $forwarder } is forwarding you a secure message from { $sender } of { $organisation }.

## The access code, by SMS and by e-mail
code-sms = Your access code for the secure message from { $organisation }: { $code }. The code is valid for { $minutes } minutes.
code-mail-subject = Your access code for a secure message
code-mail-lead = Your access code for the secure message from { $organisation } is:
code-mail-validity = The code is valid for 15 minutes and works once, in the browser in which you asked for it.

## To the sender
wrong-number-subject = Wrong mobile number reported ({ $reference })
wrong-number-body = { $recipient } reports that the mobile number { $phone } is not theirs. The secure message with reference { $reference } cannot be opened this way: send it again with the right number.
forward-notice-subject = Forwarded: { $subject }
forward-notice-body = Your message “{ $subject }” (reference { $reference }) was forwarded by { $forwarder } to { $to }.
reply-footer = This reply from { $recipient } was sent through the secure Viewer (reference { $reference }).
forward-note = { $forwarder } is forwarding you a secure message from { $sender } (reference { $reference }). The original message is attached.

## The Viewer's pages
viewer-brand = Secure message
viewer-skip = Skip to content
viewer-languages = Language
viewer-footer = This message is stored securely with Send Secure. You are reading it over an encrypted connection.
landing-how-sms = To open the message we send you an access code by text message to { $phone }.
landing-how-email = To open the message we send you an access code by e-mail.
code-title = Access code
code-sent-sms = We have sent an access code by text message to { $phone }.
code-sent-email = We have sent an access code to your e-mail address.
code-label = Access code (6 digits)
code-submit = Open message
code-again = Send a new code
code-wrong-number = This is not my number
code-wrong = This code is not right or has expired. Try again or ask for a new code.
code-too-many = You have asked for or tried a code too often. Please wait a quarter of an hour and try again.
message-from = From
message-date = Date
message-attachments = Attachments
message-no-attachments = No attachments.
message-download = Download message (.eml)
message-attachment-size = { $size }
reply-title = Reply
reply-label = Your reply to { $sender }
reply-files = Attachments (at most 20 MB together)
reply-submit = Send reply
reply-left = You can reply to this message { $count } more time(s).
reply-none-left = You have replied twice to this message. When the sender sends you a new message, you can reply to that one.
reply-sent = Your reply has been sent.
forward-title = Forward
forward-intro = You can forward this message with the reference and the forwarding password you received from the sender.
forward-reference = Reference
forward-password = Forwarding password
forward-to = Recipient's e-mail address
forward-phone = Recipient's mobile number (for the access code; not always needed)
forward-submit = Forward
forward-left = This message can be forwarded { $count } more time(s).
forward-none-left = This message has been forwarded twice already.
forward-sent-direct = The message has been forwarded.
forward-sent-viewer = The message has been forwarded. The recipient reads it in the secure Viewer.
not-available-title = This message is not available
not-available = The link is not right, the message was withdrawn, or its retention period has ended. If you still need the message, please contact the sender.
wrong-number-title = Thank you for letting us know
wrong-number-done = We have told the sender that this number is not yours. The sender can send the message again with the right number.
unavailable-title = Not available for a moment
unavailable = That did not work just now. Please try again in a few minutes.
too-many-title = Too many attempts
withdraw-title = Withdraw message
withdraw-lead = If you withdraw the message with reference { $reference }, nobody can read it any more. This cannot be undone.
withdraw-submit = Withdraw message
withdraw-done-title = The message has been withdrawn
withdraw-done = Nobody can read the message with reference { $reference } any more.
problem-reply-empty = Write a message or add an attachment.
problem-attachment-blocked-type = This type of file cannot be sent.
problem-attachments-too-large = The attachments are larger than 20 MB together.
problem-replies-used = You have already replied twice to this message.
problem-forward-closed = A wrong reference or password was entered too often: forwarding is no longer possible.
problem-forward-credentials = The reference or the forwarding password is not right.
problem-recipient-missing = Enter the recipient's e-mail address.
problem-recipient-invalid = This is not a valid e-mail address.
problem-recipient-not-allowed = This address cannot be reached securely.
problem-phone-invalid = This mobile number is not valid.
problem-phone-required = Enter a mobile number: the recipient gets the access code by text message.
problem-forwards-used = This message has been forwarded twice already.
problem-invalid-form = The form could not be read. Please try again.

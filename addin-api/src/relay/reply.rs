//! Every answer the relay gives at the end of a message, in one place: a refusal with the
//! 5.7.x reply that says why (Exchange puts it in the non-delivery report a clinician reads,
//! so each says what to do, in English and Dutch), a temporary failure Exchange retries, or
//! the acceptance.
//!
//! Replies never quote an address: Exchange logs them, and the NDR goes to the sender only.

use std::fmt;

use crate::send_token::TokenRefusal;

/// One SMTP reply: code, enhanced status code (RFC 3463), text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    pub code: u16,
    pub status: [u8; 3],
    pub text: String,
}

impl Reply {
    pub fn new(code: u16, status: [u8; 3], text: impl Into<String>) -> Self {
        Self {
            code,
            status,
            text: text.into(),
        }
    }

    pub fn is_positive(&self) -> bool {
        (200..300).contains(&self.code)
    }

    pub fn is_temporary(&self) -> bool {
        (400..500).contains(&self.code)
    }

    /// The reply's line, CRLF-terminated.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.to_string().as_bytes());
        out.extend_from_slice(b"\r\n");
    }
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [class, subject, detail] = self.status;
        write!(f, "{} {class}.{subject}.{detail} {}", self.code, self.text)
    }
}

/// Why the relay will not deliver a message, ever (SPEC §13).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The bytes are not a message.
    Unreadable,
    NoToken,
    SeveralTokens,
    Token(TokenRefusal),
    /// The token verifies, but no dispatch was stored under its id.
    UnknownDispatch,
    /// The token was used by another message.
    Replay,
    /// `MAIL FROM` is not the sender that was checked.
    SenderMismatch,
    /// An envelope recipient was not checked.
    RecipientNotChecked,
    /// The mail carries another number of attachments than was checked.
    AttachmentsChanged,
    NoMessageId,
}

impl Refusal {
    /// The stable code the audit log records.
    pub fn code(self) -> &'static str {
        match self {
            Self::Unreadable => "unreadable-message",
            Self::NoToken => "no-token",
            Self::SeveralTokens => "several-tokens",
            Self::Token(TokenRefusal::Malformed) => "token-malformed",
            Self::Token(TokenRefusal::BadSignature) => "token-bad-signature",
            Self::Token(TokenRefusal::WrongAudience) => "token-wrong-audience",
            Self::Token(TokenRefusal::TooOld) => "token-too-old",
            Self::UnknownDispatch => "unknown-dispatch",
            Self::Replay => "replay",
            Self::SenderMismatch => "sender-not-checked",
            Self::RecipientNotChecked => "recipient-not-checked",
            Self::AttachmentsChanged => "attachments-changed",
            Self::NoMessageId => "no-message-id",
        }
    }

    pub fn reply(self) -> Reply {
        const SEND_AGAIN: &str = "send it again with Veilig verzenden / \
                                  verstuur het opnieuw met Veilig verzenden";
        let (status, why) = match self {
            Self::Unreadable => ([5, 6, 0], "the message cannot be read"),
            Self::NoToken => (
                [5, 7, 1],
                "the message has no send token: this relay only takes mail sent with Veilig verzenden",
            ),
            Self::SeveralTokens => ([5, 7, 1], "the message carries more than one send token"),
            Self::Token(TokenRefusal::Malformed) => ([5, 7, 5], "the send token is not valid"),
            Self::Token(TokenRefusal::BadSignature) => {
                ([5, 7, 5], "the send token's signature does not verify")
            }
            Self::Token(TokenRefusal::WrongAudience) => {
                ([5, 7, 1], "the send token is not meant for this relay")
            }
            Self::Token(TokenRefusal::TooOld) => ([5, 7, 1], "the send token has expired"),
            Self::UnknownDispatch => ([5, 7, 1], "the send token is not known here"),
            Self::Replay => (
                [5, 7, 1],
                "the send token was already used for another message",
            ),
            Self::SenderMismatch => ([5, 7, 1], "the sender is not the one that was checked"),
            Self::RecipientNotChecked => ([5, 7, 1], "a recipient was added after the check"),
            Self::AttachmentsChanged => ([5, 7, 7], "the attachments changed after the check"),
            Self::NoMessageId => ([5, 6, 0], "the message has no Message-ID"),
        };
        Reply::new(
            550,
            status,
            format!("Send Secure refused the message: {why}; {SEND_AGAIN}"),
        )
    }
}

/// What the relay answers when the message was handed over (or had been before).
pub fn accepted(direct: usize, viewer: usize) -> Reply {
    if direct + viewer == 0 {
        return Reply::new(250, [2, 0, 0], "Send Secure: already delivered");
    }
    Reply::new(
        250,
        [2, 0, 0],
        format!("Send Secure: delivered to {direct} directly and {viewer} through the Viewer"),
    )
}

/// Another connection is delivering the same message right now.
pub fn in_progress() -> Reply {
    Reply::new(
        451,
        [4, 4, 0],
        "Send Secure: this message is being delivered on another connection; try again later",
    )
}

/// The next hop deferred the message, or our own storage failed: Exchange keeps it and
/// tries again.
pub fn try_later() -> Reply {
    Reply::new(
        451,
        [4, 4, 0],
        "Send Secure: the message cannot be delivered now; try again later",
    )
}

/// The next hop refused the message for good, with its status code.
pub fn next_hop_refused(detail: &str) -> Reply {
    Reply::new(554, [5, 0, 0], format!("Send Secure: {detail}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_permanent_security_replies_that_say_what_to_do() {
        let all = [
            Refusal::Unreadable,
            Refusal::NoToken,
            Refusal::SeveralTokens,
            Refusal::Token(TokenRefusal::Malformed),
            Refusal::Token(TokenRefusal::BadSignature),
            Refusal::Token(TokenRefusal::WrongAudience),
            Refusal::Token(TokenRefusal::TooOld),
            Refusal::UnknownDispatch,
            Refusal::Replay,
            Refusal::SenderMismatch,
            Refusal::RecipientNotChecked,
            Refusal::AttachmentsChanged,
            Refusal::NoMessageId,
        ];
        let mut codes = std::collections::HashSet::new();
        for refusal in all {
            let reply = refusal.reply();
            assert_eq!(reply.code, 550, "{refusal:?}");
            assert_eq!(reply.status[0], 5, "{refusal:?}");
            assert!(reply.text.contains("Veilig verzenden"), "{reply}");
            assert!(reply.text.is_ascii(), "SMTP replies are ASCII: {reply}");
            assert!(codes.insert(refusal.code()), "one code each: {refusal:?}");
        }
        assert_eq!(
            Refusal::Replay
                .reply()
                .to_string()
                .split(' ')
                .take(2)
                .collect::<Vec<_>>(),
            ["550", "5.7.1"]
        );
    }

    #[test]
    fn replies_are_written_as_smtp_lines() {
        let mut out = Vec::new();
        accepted(2, 1).write(&mut out);
        assert_eq!(
            out,
            b"250 2.0.0 Send Secure: delivered to 2 directly and 1 through the Viewer\r\n"
        );
        assert!(try_later().is_temporary());
        assert!(accepted(0, 0).is_positive());
    }
}

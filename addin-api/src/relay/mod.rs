//! The secure route's SMTP relay (SPEC §13): Exchange Online hands it mail carrying a send
//! token; it verifies the token and the dispatch, then hands community, NTA 7516 and internal
//! recipients' copy to the next hop and stores the Viewer recipients' copy.
//!
//! * [`listener`]: the TCP side — who may connect, STARTTLS, timeouts, connection limits;
//! * [`session`]: the SMTP conversation, without I/O (as thin as the HTTP handlers);
//! * [`message`]: what the relay reads of a message, and the message without its token;
//! * [`deliver`]: the rules and the routing — the domain;
//! * [`reply`]: every answer, refusals with their 5.7.x codes.
//!
//! It shares the process, the store, the data key and the send-token key with the HTTP API.

pub mod deliver;
pub mod listener;
pub mod message;
pub mod reply;
pub mod session;

pub use deliver::{Envelope, deliver};
pub use listener::RelayListener;

/// The largest message taken (`SIZE`): Outlook's attachments may total 20 MiB (SPEC §5.4),
/// which base64 makes about 27 MB; 40 MB leaves room for the text and the HTML.
pub const MAX_MESSAGE_SIZE: usize = 40 * 1024 * 1024;

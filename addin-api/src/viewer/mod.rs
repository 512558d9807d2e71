//! The Viewer (SPEC §14): where recipients outside the domain book read a secure message.
//!
//! The relay hands each message with Viewer recipients to [`intake`], which stores it
//! encrypted under a key of its own; [`mails`] writes the notification each recipient gets and
//! the delivery confirmation the sender gets. [`secrets`] holds the message key and what is
//! derived from it: the recipients' links, the withdraw link, the forwarding password.

pub mod intake;
pub mod mails;
pub mod secrets;

pub use intake::{Intake, StoredMessage, ViewerRecipient};

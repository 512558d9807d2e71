//! The Viewer (SPEC §14): where recipients outside the domain book read a secure message.
//!
//! The relay hands each message with Viewer recipients to [`intake`], which stores it
//! encrypted under a key of its own ([`secrets`]); [`mails`] writes the notification each
//! recipient gets and the delivery confirmation the sender gets. A recipient's link leads to
//! the pages of [`routes`]: [`access`] (the access code and the Viewer session), [`read`]
//! (the message made safe to show), [`reply`], [`forward`]; the sender can [`withdraw`]; the
//! [`sweep`] deletes what is past its retention. Text messages go through [`crate::sms`].

pub mod access;
pub mod forward;
pub mod intake;
pub mod mails;
pub mod pages;
pub mod read;
pub mod reply;
pub mod routes;
pub mod secrets;
pub mod sweep;
pub mod withdraw;

pub use intake::{Intake, StoredMessage, ViewerRecipient};

use crate::sms::SmsGateway;

/// What the Viewer keeps beside the store: the intake, the SMS gateway, and the per-client
/// limits of this instance.
#[derive(Debug)]
pub struct Viewer {
    pub intake: Intake,
    pub sms: SmsGateway,
    pub limits: access::ClientLimits,
}

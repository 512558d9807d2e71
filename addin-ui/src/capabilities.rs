//! What the Outlook the panel runs in can do, as `office.rs` finds it and the state keeps it.

/// What this Outlook can do beyond reading the item.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Capabilities {
    /// Mailbox 1.15: `item.sendAsync`. Without it the panel tags the item and asks the user
    /// to press Outlook's Send (SPEC §10).
    pub send: bool,
}

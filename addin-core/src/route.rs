//! Which route a valid recipient takes (SPEC §5.3): first match wins.

use crate::{
    address::Address, directory::Directory, policy::InstallationType, policy::Policy,
    verdict::Route,
};

/// Everything routing needs to know about the sender and the organisation.
#[derive(Debug)]
pub struct Router<'a> {
    sender: Option<&'a Address>,
    sender_nta7516: bool,
    policy: &'a Policy,
    directory: &'a Directory,
}

impl<'a> Router<'a> {
    pub fn new(sender: Option<&'a Address>, policy: &'a Policy, directory: &'a Directory) -> Self {
        let sender_nta7516 = sender.is_some_and(|s| directory.is_nta7516(s.domain()));
        Self {
            sender,
            sender_nta7516,
            policy,
            directory,
        }
    }

    pub fn route(&self, recipient: &Address) -> Route {
        let domain = recipient.domain();
        let own_domain = self.sender.is_some_and(|s| s.domain() == domain)
            || self
                .policy
                .organisation
                .domains
                .iter()
                .any(|d| d.as_str() == domain);
        if own_domain {
            Route::Internal
        } else if self.directory.is_community(recipient) {
            Route::Community
        } else if self.sender_nta7516 && self.directory.is_nta7516(domain) {
            Route::Nta7516
        } else if self.policy.installation_type == InstallationType::Standard {
            Route::Blocked
        } else {
            Route::Viewer
        }
    }
}

//! Why an Entra ID access token was refused: one variant per check of [`super`], a stable
//! name for the log and a sentence for the 401.

/// Why an access token was refused: the 401's message, and the log line's `reason`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("it is not a JSON Web Token")]
    Malformed,
    #[error("it is not signed with RS256")]
    Algorithm,
    #[error("it lacks a claim every Entra ID access token has (tid, iss, aud or exp)")]
    MissingClaim,
    #[error("its tenant is not allowed to sign in here (auth.entra.tenants)")]
    TenantNotAllowed,
    #[error("it is a Microsoft Graph token; request a token for this API's own scope")]
    GraphToken,
    #[error("it is signed with a key its tenant does not publish")]
    UnknownKey,
    #[error("its signature does not verify")]
    Signature,
    #[error("it was not issued by its tenant's v2.0 endpoint (iss)")]
    Issuer,
    #[error("it is for another application (aud is not this API's client id)")]
    Audience,
    #[error("it is not a v2.0 token (ver)")]
    Version,
    #[error("it has expired")]
    Expired,
    #[error("it is not valid yet (nbf)")]
    NotYetValid,
    #[error(
        "it is not a delegated access token for this API (no scp): ID tokens and app-only tokens are refused"
    )]
    NoScope,
    #[error("it lacks this API's scope (scp)")]
    Scope,
    #[error("it was issued to another application than this add-in (azp)")]
    Client,
    #[error("it is a guest account of the tenant (idp or acct)")]
    Guest,
    #[error("it names no account address (preferred_username or upn)")]
    NoAccount,
    #[error("it is for another account than this mailbox")]
    OtherMailbox,
}

impl Refusal {
    /// A stable name for logs.
    pub fn name(self) -> &'static str {
        match self {
            Self::Malformed => "malformed",
            Self::Algorithm => "algorithm",
            Self::MissingClaim => "missing-claim",
            Self::TenantNotAllowed => "tenant-not-allowed",
            Self::GraphToken => "graph-token",
            Self::UnknownKey => "unknown-key",
            Self::Signature => "signature",
            Self::Issuer => "issuer",
            Self::Audience => "audience",
            Self::Version => "version",
            Self::Expired => "expired",
            Self::NotYetValid => "not-yet-valid",
            Self::NoScope => "no-scope",
            Self::Scope => "scope",
            Self::Client => "client",
            Self::Guest => "guest",
            Self::NoAccount => "no-account",
            Self::OtherMailbox => "other-mailbox",
        }
    }
}

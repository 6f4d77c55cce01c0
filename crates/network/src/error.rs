//! Errors of the network family.

/// What the network family refuses, and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NetworkError {
    /// A parameter or an input outside its valid range (the message names it).
    #[error("{0}")]
    Invalid(String),
    /// A firm named in a shock, an override or an input that the network does not have.
    #[error("unknown firm `{firm}` ({context}); known firms: {known}")]
    UnknownFirm { firm: String, context: String, known: String },
    /// Nothing to compute on (no deals, no disclosed amounts, …).
    #[error("{0}")]
    Missing(String),
}

use serde::{Deserialize, Serialize};

/// What the two-factor page shows a signed-in user about their own second factor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorStatus {
    pub enabled: bool,
    /// The merchants of this user that require two-factor sign-in.
    pub required_by: Vec<String>,
    /// While setting up: what the authenticator app needs.
    pub setup: Option<TwoFactorSetup>,
    /// Recovery codes made just now: shown this once, never again.
    pub fresh_codes: Vec<String>,
    /// Recovery codes not used yet.
    pub codes_left: i64,
}

/// The secret for an authenticator app, as a QR code and as text to type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorSetup {
    /// Base32 in groups of four, easier to type.
    pub secret: String,
    /// The `otpauth://` URL the QR code holds.
    pub url: String,
    pub qr_svg: String,
}

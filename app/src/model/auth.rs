use crate::domain::Role;
use serde::{Deserialize, Serialize};

/// An invitation link that is still valid: who it is for, where it leads, and what the
/// person who opened it does next.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InviteDetails {
    pub email: String,
    /// The account's name, the inviting merchant and the shops with the role in each: empty
    /// until the invited person has shown who they are (a new account's link, or signed in
    /// as the account).
    pub name: String,
    pub merchant: Option<String>,
    pub shops: Vec<InvitedShop>,
    pub step: InviteStep,
}

/// A shop the invitation gives access to, and the role there.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InvitedShop {
    pub name: String,
    pub role: Role,
}

/// What answering an invitation takes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum InviteStep {
    /// A new account: choose a name and password, which accepts the invitation.
    ChoosePassword,
    /// The address has an account: sign in as it first.
    SignIn,
    /// Signed in as the invited account: accept or decline.
    Answer,
    /// Signed in as someone else.
    OtherAccount { signed_in_as: String },
}

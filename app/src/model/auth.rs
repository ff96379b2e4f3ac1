use serde::{Deserialize, Serialize};

/// Who an invite link is for, if it is still valid.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InviteDetails {
    pub email: String,
    pub name: String,
}

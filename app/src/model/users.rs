use crate::domain::Role;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum UserStatus {
    /// Invited, has not accepted yet (or, a new account, not chosen a password yet). Looks
    /// the same whether or not the address already had an account.
    Invited,
    Active,
    Deactivated,
}

impl UserStatus {
    pub fn label(self) -> &'static str {
        match self {
            UserStatus::Invited => "Invited",
            UserStatus::Active => "Active",
            UserStatus::Deactivated => "Deactivated",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub status: UserStatus,
    /// When they last used a shop of this merchant (never their sign-ins elsewhere).
    pub last_active_ms: Option<i64>,
    /// Signs in with a second factor (false while invited: nothing of the account shows).
    pub two_factor: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserList {
    pub rows: Vec<UserRow>,
    /// Last activity in this merchant, formatted in the shop's time zone, by row.
    pub last_active: Vec<Option<String>>,
    pub time_zone: String,
    pub me: i64,
    /// The merchant requires two-factor sign-in of everyone.
    pub two_factor_required: bool,
}

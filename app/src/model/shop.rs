use crate::domain::{Permission, Role};
use serde::{Deserialize, Serialize};

/// What the shop's pages need around them: the shop, the user's role there, the other shops.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShopContext {
    pub slug: String,
    pub name: String,
    pub merchant: String,
    pub time_zone: String,
    pub role: Role,
    pub user_name: String,
    pub user_email: String,
    /// The user looks at test payments and links (see the banner).
    pub test_data: bool,
    /// Live payments go through the simulated bank: a demo, which every page says.
    pub live_simulated: bool,
    /// The CSV dialect the user chose last: the download forms start with it.
    pub csv_dialect: crate::domain::CsvDialect,
    pub shops: Vec<ShopRef>,
    /// The shop's admins, "Name (e-mail)": whom to ask for what a role may not do.
    pub admins: Vec<String>,
}

impl ShopContext {
    pub fn can(&self, p: Permission) -> bool {
        self.role.allows(p)
    }
}

/// A shop the signed-in user can open, for the shop switcher.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShopRef {
    pub slug: String,
    pub name: String,
    pub merchant: String,
    pub role: crate::domain::Role,
}

use serde::{Deserialize, Serialize};

/// A user's role in one shop, as in the provider's own table of rights.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    InfoRefunds,
    InfoOnly,
}

/// Something a request wants to do in a shop. Every server function and page names one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Permission {
    /// Transaction info, statements, exports and invoices: every role.
    ViewInfo,
    MakeRefunds,
    /// Create, send and deactivate payment links: admin and "info & refunds".
    CreatePaymentLinks,
    ManageUsers,
    ShopSettings,
    ViewAudit,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::InfoRefunds, Role::InfoOnly];

    pub fn allows(self, permission: Permission) -> bool {
        match permission {
            Permission::ViewInfo => true,
            Permission::MakeRefunds | Permission::CreatePaymentLinks => {
                matches!(self, Role::Admin | Role::InfoRefunds)
            }
            Permission::ManageUsers | Permission::ShopSettings | Permission::ViewAudit => {
                self == Role::Admin
            }
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::InfoRefunds => "info_refunds",
            Role::InfoOnly => "info_only",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Admin",
            Role::InfoRefunds => "User (info & refunds)",
            Role::InfoOnly => "User (info only)",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_matches_the_providers_table() {
        use Permission::*;
        let expect = [
            (ManageUsers, [true, false, false]),
            (ShopSettings, [true, false, false]),
            (ViewInfo, [true, true, true]),
            (MakeRefunds, [true, true, false]),
            (CreatePaymentLinks, [true, true, false]),
            (ViewAudit, [true, false, false]),
        ];
        for (perm, row) in expect {
            for (role, allowed) in Role::ALL.into_iter().zip(row) {
                assert_eq!(role.allows(perm), allowed, "{role:?} {perm:?}");
            }
        }
    }

    #[test]
    fn role_names_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("owner"), None);
    }
}

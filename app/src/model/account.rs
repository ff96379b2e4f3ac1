use crate::model::shop::ShopRef;
use serde::{Deserialize, Serialize};

/// The signed-in user and the shops they may open.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Me {
    pub name: String,
    pub email: String,
    pub shops: Vec<ShopRef>,
}

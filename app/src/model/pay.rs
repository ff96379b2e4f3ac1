use crate::domain::Money;
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};

pub use crate::domain::payment_link::LinkState;

/// One payment method button.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodItem {
    /// What the button sends, e.g. `swedbank:EE`.
    pub code: String,
    /// The channel's code (for its badge).
    pub channel: String,
    pub label: String,
}

/// Bank links of one country, or the cards (`country` empty).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodGroup {
    pub country: String,
    pub methods: Vec<MethodItem>,
}

/// How the payment the buyer came back from stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    Paid,
    Failed,
    Expired,
    Pending,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentResult {
    pub outcome: Outcome,
    pub id: i64,
    /// Where the receipt went, if anywhere.
    pub receipt_to: Option<String>,
}

/// Everything the payment page shows; the link's details only when it can be paid (or was
/// just paid by this buyer).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentPage {
    pub lang: Lang,
    pub state: LinkState,
    pub merchant: String,
    pub amount: Money,
    pub reference: String,
    pub description: Option<String>,
    pub valid_until: String,
    /// The link has the buyer's e-mail: the page does not ask for it.
    pub email_known: bool,
    pub methods: Vec<MethodGroup>,
    pub result: Option<PaymentResult>,
    /// A test link: the page says no money is taken.
    pub test_mode: bool,
    /// A live link while the provider has no live connector: the shop cannot take payments
    /// yet, and the page says so instead of offering methods.
    pub cannot_take_payments: bool,
}

/// What the test bank's page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankPage {
    pub lang: Lang,
    pub bank: String,
    pub channel: String,
    pub card: bool,
    pub merchant: String,
    pub amount: Money,
    pub reference: String,
    /// The buyer decided already (or the payment was closed): nothing to do here.
    pub decided: bool,
    /// The code the 3-D Secure step asks for.
    pub code: String,
}

//! Pure business types and rules: no I/O, no database, no framework. Compiles to wasm too,
//! so the browser validates forms with the same rules the server enforces.

pub mod billing;
pub mod calendar;
pub mod channels;
pub mod csv;
pub mod fees;
pub mod fraud;
pub mod iban;
pub mod ledger;
pub mod money;
pub mod payment_link;
pub mod role;
pub mod search;
pub mod status;
pub mod tx_filter;
pub mod validate;

pub use csv::CsvDialect;
pub use money::Money;
pub use role::{Permission, Role};
pub use validate::{Email, FieldErrors, Password};

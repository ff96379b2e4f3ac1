//! The integration suite: the real application over HTTP, on SQLite by default and on
//! PostgreSQL with `PORTAL_TEST_DB=postgres`.

mod export;
mod harness;

mod access_matrix;
mod assets;
mod billing;
mod camt053;
mod cli;
mod dashboard;
mod invitations;
mod jobs;
mod ledger;
mod minimums;
mod month_close;
mod notify_url;
mod passwords;
mod pay_page;
mod payment_links;
mod payout_calendar;
mod payout_schedule;
mod payouts;
mod provider_requests;
mod refund_accounts;
mod refunds;
mod security;
mod settings;
mod shop_settings;
mod sign_in;
mod smtp;
mod startup;
mod statement;
mod statement_files;
mod test_mode;
mod two_factor;
mod tx_detail;
mod tx_list;
mod users;

//! Taking payments: the hosted payment page, connectors, recording approvals, buyer mails.

pub mod connector;
pub mod minimums;
pub mod pay;
pub mod pay_mail;
pub mod transactions;

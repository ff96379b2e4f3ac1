//! Payment method badges, drawn here as small SVGs in each bank's or card scheme's colours:
//! the payment page fetches no logos from anywhere.

use leptos::prelude::*;

/// (background, text colour, short text) of a channel's badge.
fn look(channel: &str) -> (&'static str, &'static str, &'static str) {
    match channel {
        "swedbank" => ("#ee7023", "#1f1300", "Swedbank"),
        "seb" => ("#41b01a", "#ffffff", "SEB"),
        "lhv" => ("#231f20", "#ffffff", "LHV"),
        "luminor" => ("#481335", "#ffffff", "Luminor"),
        "krediidipank" => ("#0a6ebd", "#ffffff", "Coop"),
        "citadele" => ("#c8102e", "#ffffff", "Citadele"),
        "pocopay" => ("#5b3cc4", "#ffffff", "Pocopay"),
        "liisi_ee" => ("#00a0df", "#00151f", "Liisi"),
        "nordea" => ("#00005e", "#ffffff", "Nordea"),
        "pohjola" => ("#ff6a10", "#1f0d00", "OP"),
        "danske" => ("#003755", "#ffffff", "Danske"),
        "aktia" => ("#006e8c", "#ffffff", "Aktia"),
        "spankki" => ("#00704a", "#ffffff", "S-Pankki"),
        "handelsbanken" => ("#005aaa", "#ffffff", "Hb"),
        "alandsbanken" => ("#a6192e", "#ffffff", "Ålands"),
        "poppankki" => ("#f5a800", "#1f1500", "POP"),
        "saastopankki" => ("#e30613", "#ffffff", "Säästö"),
        "omasaastopankki" => ("#0e6b38", "#ffffff", "OmaSp"),
        "tapiola" => ("#0086b3", "#ffffff", "Tapiola"),
        "visa" => ("#1a1f71", "#ffffff", "VISA"),
        _ => ("#52606d", "#ffffff", "Bank"),
    }
}

/// A 64×40 badge for `channel`; decorative (the button's text names the method).
#[component]
pub fn ChannelBadge(channel: String) -> impl IntoView {
    let inner = match channel.as_str() {
        "mastercard" | "maestro" => {
            let right = if channel == "mastercard" {
                "#f79e1b"
            } else {
                "#00a2e5"
            };
            view! {
                <rect width="64" height="40" rx="6" fill="#1b1b1b" />
                <circle cx="26" cy="20" r="12" fill="#eb001b" />
                <circle cx="38" cy="20" r="12" fill=right fill-opacity="0.9" />
            }
            .into_any()
        }
        other => {
            let (bg, fg, text) = look(other);
            let size = if text.chars().count() > 6 { "11" } else { "14" };
            let style = if other == "visa" { "italic" } else { "normal" };
            view! {
                <rect width="64" height="40" rx="6" fill=bg />
                <text x="32" y="25" text-anchor="middle" font-family="sans-serif" font-weight="700"
                    font-style=style font-size=size fill=fg>{text}</text>
            }
            .into_any()
        }
    };
    view! {
        <svg class="badge" viewBox="0 0 64 40" width="64" height="40" aria-hidden="true" focusable="false">
            {inner}
        </svg>
    }
}

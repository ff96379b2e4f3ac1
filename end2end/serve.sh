#!/usr/bin/env bash
# Starts the portal for the browser tests (Playwright's webServer runs this): a fresh SQLite
# database and mail folder in target/e2e, the demo merchant, then the server on
# 127.0.0.1:3100. The server must already be built (`cargo leptos build`; with
# PORTAL_E2E_PROFILE=release, `cargo leptos build --release --precompress`, as the page-load
# bench does).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

profile="${PORTAL_E2E_PROFILE:-debug}"
bin="$root/target/$profile/portal"
site="$root/target/site"
# cargo-leptos names the files after their content (portal.<hash>.wasm) and writes the
# hashes next to the binary; the server reads them from there.
if [ ! -x "$bin" ] || [ ! -f "$root/target/$profile/hash.txt" ] \
  || ! compgen -G "$site/pkg/portal.*.wasm" >/dev/null; then
  echo "serve.sh: $bin, its hash.txt or $site/pkg is missing; run 'cargo leptos build' in $root first" >&2
  exit 1
fi

data="$root/target/e2e"
rm -rf "$data"
mkdir -p "$data"

# Only these settings, whatever the calling shell or a portal.toml says: no SMTP (mails
# become files in $data/mail), SQLite in $data.
unset PORTAL_DATABASE_URL PORTAL_SMTP_URL PORTAL_MAIL_FROM PORTAL_COOKIE_SECURE \
  PORTAL_SESSION_IDLE_MINUTES PORTAL_SESSION_MAX_HOURS PORTAL_HASH_FILE LEPTOS_SITE_ADDR \
  LEPTOS_SITE_ROOT
export PORTAL_CONFIG=/dev/null
export PORTAL_DATA_DIR="$data"
export PORTAL_SITE_ROOT="$site"
export PORTAL_LISTEN=127.0.0.1:3100
export PORTAL_PUBLIC_URL=http://127.0.0.1:3100
export PORTAL_TIME_ZONE=Europe/Tallinn
export PORTAL_LOG_FORMAT=text
# The journeys pay live links too: live payments go through the test bank here, as in a
# demo (every page says so). Test links use the test bank whatever this says.
export PORTAL_LIVE_CONNECTOR=test-bank

"$bin" demo
# The demo outlet gets a payout account and the payouts of the last banking day, for the
# payout journey (the demo store keeps its balance for the refund journeys).
"$bin" set-payout-account --shop demo-outlet --iban EE382200221020145685 \
  --holder "Demo Merchant OÜ" >/dev/null
for back in 0 1 2 3 4 5 6 7; do
  if "$bin" run-payouts --date "$(date -d "-$back day" +%F)" | grep -q ' 1 paid'; then
    break
  fi
done
# A small shop of another merchant for the refused-refund journey: two paid payments and a
# staff user (info & refunds) whose invite link the test opens.
merchant=$("$bin" create-merchant --name "Thin Kiosk OÜ")
"$bin" create-shop --merchant "$merchant" --slug thin-kiosk --name "Thin Kiosk" >/dev/null
"$bin" create-user --shop thin-kiosk --email staff@thin.example --name "Tiina Staff" \
  --role info_refunds --print-link >"$data/thin-invite.txt"
# Its admin, whose invite link the test opens: an account that exists elsewhere when the
# demo merchant invites it.
"$bin" create-user --shop thin-kiosk --email owner@thin.example --name "Toomas Owner" \
  --role admin --print-link >"$data/thin-owner-invite.txt"
# Seed 3 makes two approved payments.
"$bin" generate --shop thin-kiosk --count 2 --seed 3 >/dev/null
exec "$bin" serve

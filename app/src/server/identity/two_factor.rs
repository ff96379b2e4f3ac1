//! Two-factor sign-in: a code from an authenticator app (TOTP, RFC 6238, via `totp-rs`) or a
//! single-use recovery code after the password. A code is never accepted twice (the last
//! accepted 30-second step is kept and only later steps pass, by a conditional update), the
//! second step is throttled like the first, and a merchant can require it of everyone.

use crate::error::{AppError, AppResult};
use crate::model::two_factor::{TwoFactorSetup, TwoFactorStatus};
use crate::server::identity::audit::{self, AuditEvent};
use crate::server::identity::auth::{self, CurrentUser};
use crate::server::infra::db::Tx;
use crate::server::infra::{outbox, throttle};
use crate::server::{internal, AppState};
use rand::Rng;
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Secret, TOTP};
use tower_sessions::Session;

pub const STEP_SECS: u64 = 30;
pub const RECOVERY_CODES: usize = 10;
/// How long the password step waits for the code.
const PENDING_MS: i64 = 5 * 60_000;
/// The name authenticator apps show beside the code.
const ISSUER: &str = "Portal";
/// Recovery codes avoid letters and digits that look alike.
const CODE_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

const KEY_PENDING_USER: &str = "2fa_user";
const KEY_PENDING_AT: &str = "2fa_at";
const KEY_FRESH_CODES: &str = "2fa_fresh_codes";

fn totp(secret_base32: &str, email: &str) -> AppResult<TOTP> {
    let bytes = Secret::Encoded(secret_base32.to_string())
        .to_bytes()
        .map_err(|e| internal(format!("stored TOTP secret: {e:?}")))?;
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        STEP_SECS,
        bytes,
        Some(ISSUER.into()),
        email.replace(':', ""),
    )
    .map_err(|e| internal(format!("TOTP: {e:?}")))
}

/// The 30-second step whose code `code` is, within one step either side of `now_ms` (clocks
/// of phones drift), or `None`.
pub fn matching_step(t: &TOTP, code: &str, now_ms: i64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let now = (now_ms.max(0) / 1000) as u64 / STEP_SECS;
    [now.saturating_sub(1), now, now + 1]
        .into_iter()
        .find(|step| t.generate(step * STEP_SECS) == code)
        .map(|s| s as i64)
}

/// The code an authenticator app shows at `now_ms` for a base32 secret (for tests and the
/// operator's checks).
pub fn code_at(secret_base32: &str, now_ms: i64) -> AppResult<String> {
    Ok(totp(secret_base32, "x")?.generate((now_ms.max(0) / 1000) as u64))
}

fn normalize_recovery(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn new_recovery_code() -> String {
    let mut rng = rand::rngs::OsRng;
    let raw: String = (0..10)
        .map(|_| CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())] as char)
        .collect();
    format!("{}-{}", &raw[..5], &raw[5..])
}

fn recovery_hash(code: &str) -> String {
    hex::encode(Sha256::digest(normalize_recovery(code).as_bytes()))
}

/// Base32 in groups of four, as people type it into an app.
fn grouped(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

#[derive(sqlx::FromRow)]
struct Stored {
    secret: String,
    confirmed_at: Option<i64>,
}

async fn stored(state: &AppState, user_id: i64) -> AppResult<Option<Stored>> {
    Ok(
        sqlx::query_as("SELECT secret, confirmed_at FROM two_factor WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(&state.db.pool)
            .await?,
    )
}

/// Whether the user signs in with a second factor.
pub async fn enabled(state: &AppState, user_id: i64) -> AppResult<bool> {
    Ok(stored(state, user_id)
        .await?
        .is_some_and(|s| s.confirmed_at.is_some()))
}

/// The names of the user's merchants that require two-factor sign-in.
pub async fn required_by(state: &AppState, user_id: i64) -> AppResult<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT m.name FROM merchants m \
         JOIN merchant_members mm ON mm.merchant_id = m.id AND mm.user_id = $1 AND mm.status = 'active' \
           AND mm.accepted_at IS NOT NULL \
         WHERE m.require_two_factor = 1 ORDER BY m.name",
    )
    .bind(user_id)
    .fetch_all(&state.db.pool)
    .await?)
}

/// The user's own two-factor state; while it is off, a secret to set it up with (made once
/// and kept until confirmed, so reloading the page shows the same QR code).
pub async fn status(
    state: &AppState,
    session: &Session,
    user: &CurrentUser,
) -> AppResult<TwoFactorStatus> {
    let required_by = required_by(state, user.id).await?;
    let fresh_codes: Vec<String> = session
        .remove(KEY_FRESH_CODES)
        .await
        .map_err(internal)?
        .unwrap_or_default();
    let current = stored(state, user.id).await?;
    let setup = match &current {
        Some(s) if s.confirmed_at.is_some() => None,
        Some(s) => Some(s.secret.clone()),
        None => {
            let mut bytes = [0u8; 20];
            rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
            let secret = Secret::Raw(bytes.to_vec()).to_encoded().to_string();
            sqlx::query(
                "INSERT INTO two_factor (user_id, secret, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (user_id) DO NOTHING",
            )
            .bind(user.id)
            .bind(&secret)
            .bind(state.clock.now_ms())
            .execute(&state.db.pool)
            .await?;
            // Another tab may have made one first: show whichever is stored.
            stored(state, user.id).await?.map(|s| s.secret)
        }
    };
    let setup = match setup {
        Some(secret) => {
            let url = totp(&secret, &user.email)?.get_url();
            let qr_svg = crate::server::links::payment_links::qr_svg(&url)?;
            Some(TwoFactorSetup {
                secret: grouped(&secret),
                url,
                qr_svg,
            })
        }
        None => None,
    };
    let codes_left: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
    )
    .bind(user.id)
    .fetch_one(&state.db.pool)
    .await?;
    Ok(TwoFactorStatus {
        enabled: current.is_some_and(|s| s.confirmed_at.is_some()),
        required_by,
        setup,
        fresh_codes,
        codes_left,
    })
}

/// Accepts a code of the app for the user's secret: the step must be later than the last
/// accepted one, claimed by a conditional update so two requests cannot both use it.
async fn accept_app_code(
    state: &AppState,
    user_id: i64,
    secret: &str,
    code: &str,
) -> AppResult<bool> {
    let t = totp(secret, "x")?;
    let Some(step) = matching_step(&t, code, state.clock.now_ms()) else {
        return Ok(false);
    };
    let claimed =
        sqlx::query("UPDATE two_factor SET last_step = $2 WHERE user_id = $1 AND last_step < $2")
            .bind(user_id)
            .bind(step)
            .execute(&state.db.pool)
            .await?
            .rows_affected();
    Ok(claimed == 1)
}

async fn accept_recovery_code(state: &AppState, user_id: i64, code: &str) -> AppResult<bool> {
    if normalize_recovery(code).len() != 10 {
        return Ok(false);
    }
    let used = sqlx::query(
        "UPDATE recovery_codes SET used_at = $3 WHERE code_hash = $1 AND user_id = $2 AND used_at IS NULL",
    )
    .bind(recovery_hash(code))
    .bind(user_id)
    .bind(state.clock.now_ms())
    .execute(&state.db.pool)
    .await?
    .rows_affected();
    Ok(used == 1)
}

/// How a code was accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accepted {
    App,
    RecoveryCode,
}

/// A code from the app or an unused recovery code of a user whose two-factor is on.
async fn accept_code(state: &AppState, user_id: i64, code: &str) -> AppResult<Option<Accepted>> {
    let Some(s) = stored(state, user_id).await? else {
        return Ok(None);
    };
    if s.confirmed_at.is_none() {
        return Ok(None);
    }
    if accept_app_code(state, user_id, &s.secret, code).await? {
        return Ok(Some(Accepted::App));
    }
    if accept_recovery_code(state, user_id, code).await? {
        return Ok(Some(Accepted::RecoveryCode));
    }
    Ok(None)
}

fn wrong_code() -> AppError {
    AppError::field(
        "code",
        "This code is not right. Type the 6 digits your app shows now, or one of your recovery codes.",
    )
}

/// Turns two-factor sign-in on once a code from the app matches the new secret, and makes
/// ten recovery codes (kept in the session until the page shows them, once).
pub async fn confirm(
    state: &AppState,
    session: &Session,
    user: &CurrentUser,
    ip: &str,
    code: &str,
) -> AppResult<()> {
    if code.trim().is_empty() {
        return Err(AppError::field(
            "code",
            "Enter the 6-digit code your app shows.",
        ));
    }
    let s = stored(state, user.id).await?.ok_or_else(|| {
        AppError::Conflict("Open the two-factor page again to get a new QR code.".into())
    })?;
    if s.confirmed_at.is_some() {
        return Err(AppError::Conflict(
            "Two-factor sign-in is on already.".into(),
        ));
    }
    let now = state.clock.now_ms();
    throttle::check(&state.db, &user.email, ip, now).await?;
    if !accept_app_code(state, user.id, &s.secret, code).await? {
        throttle::record(&state.db, &user.email, ip, now, false).await?;
        return Err(AppError::field(
            "code",
            "This code does not match. Check that the app shows Portal and type the 6 digits it shows now.",
        ));
    }
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect();
    let mut tx = state.db.begin_write().await?;
    sqlx::query(
        "UPDATE two_factor SET confirmed_at = $2 WHERE user_id = $1 AND confirmed_at IS NULL",
    )
    .bind(user.id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user.id)
        .execute(&mut *tx)
        .await?;
    for code in &codes {
        sqlx::query(
            "INSERT INTO recovery_codes (code_hash, user_id, created_at) VALUES ($1, $2, $3)",
        )
        .bind(recovery_hash(code))
        .bind(user.id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    audit::record(
        &mut *tx,
        AuditEvent::own("two_factor_enabled", user, ip, now),
    )
    .await?;
    tx.commit().await?;
    session
        .insert(KEY_FRESH_CODES, codes)
        .await
        .map_err(internal)?;
    Ok(())
}

/// Turns two-factor sign-in off: needs the password and a code (from the app or a recovery
/// code), each throttled like signing in.
pub async fn disable(
    state: &AppState,
    user: &CurrentUser,
    ip: &str,
    password: &str,
    code: &str,
) -> AppResult<()> {
    let now = state.clock.now_ms();
    throttle::check(&state.db, &user.email, ip, now).await?;
    let stored_hash: Option<String> =
        sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
            .bind(user.id)
            .fetch_one(&state.db.pool)
            .await?;
    if !auth::verify_password(stored_hash, password).await? {
        throttle::record(&state.db, &user.email, ip, now, false).await?;
        return Err(AppError::field("password", "This is not your password."));
    }
    if accept_code(state, user.id, code).await?.is_none() {
        throttle::record(&state.db, &user.email, ip, now, false).await?;
        return Err(wrong_code());
    }
    remove(state, user.id).await?;
    audit::record(
        &state.db.pool,
        AuditEvent::own("two_factor_disabled", user, ip, now),
    )
    .await?;
    Ok(())
}

async fn remove(state: &AppState, user_id: i64) -> AppResult<()> {
    let mut tx = state.db.begin_write().await?;
    remove_in(&mut tx, user_id).await?;
    tx.commit().await?;
    Ok(())
}

async fn remove_in(tx: &mut Tx, user_id: i64) -> AppResult<()> {
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM two_factor WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// What the password step decided.
pub enum PasswordStep {
    /// Signed in; `enrol` when a merchant requires a second factor the user has not set up.
    SignedIn { enrol: bool },
    /// The password was right; the session waits for the code.
    NeedsCode,
}

/// After a right password: either ask for the code (remembering who, for 5 minutes, in the
/// session, which is not yet signed in) or sign in.
pub async fn after_password(
    state: &AppState,
    session: &Session,
    user_id: i64,
) -> AppResult<PasswordStep> {
    if enabled(state, user_id).await? {
        session.cycle_id().await.map_err(internal)?;
        session
            .insert(KEY_PENDING_USER, user_id)
            .await
            .map_err(internal)?;
        session
            .insert(KEY_PENDING_AT, state.clock.now_ms())
            .await
            .map_err(internal)?;
        return Ok(PasswordStep::NeedsCode);
    }
    let enrol = !required_by(state, user_id).await?.is_empty();
    Ok(PasswordStep::SignedIn { enrol })
}

/// The user whose password was right in this session within the last 5 minutes.
pub async fn pending_user(state: &AppState, session: &Session) -> AppResult<Option<i64>> {
    let user: Option<i64> = session.get(KEY_PENDING_USER).await.map_err(internal)?;
    let at: Option<i64> = session.get(KEY_PENDING_AT).await.map_err(internal)?;
    match (user, at) {
        (Some(u), Some(at)) if state.clock.now_ms() - at <= PENDING_MS => Ok(Some(u)),
        _ => Ok(None),
    }
}

/// The second step of signing in. Wrong codes count as failed sign-ins of the account.
pub async fn verify_sign_in_code(
    state: &AppState,
    session: &Session,
    ip: &str,
    code: &str,
) -> AppResult<CurrentUser> {
    let Some(user_id) = pending_user(state, session).await? else {
        return Err(AppError::Conflict(
            "Your sign-in has timed out. Sign in again with your password.".into(),
        ));
    };
    if code.trim().is_empty() {
        return Err(AppError::field(
            "code",
            "Enter the 6-digit code your app shows.",
        ));
    }
    let user = auth::user_by_id(state, user_id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let now = state.clock.now_ms();
    throttle::check(&state.db, &user.email, ip, now).await?;
    let Some(how) = accept_code(state, user.id, code).await? else {
        throttle::record(&state.db, &user.email, ip, now, false).await?;
        audit::record(
            &state.db.pool,
            AuditEvent {
                at: now,
                kind: "sign_in_failed",
                actor_email: Some(user.email.clone()),
                ip: Some(ip.to_string()),
                target_user_id: Some(user.id),
                target_email: Some(user.email.clone()),
                detail: Some("wrong second-factor code".into()),
                ..Default::default()
            },
        )
        .await?;
        return Err(wrong_code());
    };
    session
        .remove::<i64>(KEY_PENDING_USER)
        .await
        .map_err(internal)?;
    session
        .remove::<i64>(KEY_PENDING_AT)
        .await
        .map_err(internal)?;
    let detail = match how {
        Accepted::App => "with a code from the app",
        Accepted::RecoveryCode => "with a recovery code",
    };
    auth::complete_sign_in(state, session, &user, ip, Some(detail)).await?;
    Ok(user)
}

/// An admin resets a user's second factor (a lost phone): the user sets it up again at the
/// next sign-in if the merchant requires it. Audited and mailed to the user.
pub async fn reset_for(
    state: &AppState,
    actor: &CurrentUser,
    ip: &str,
    merchant_id: i64,
    shop_id: i64,
    target_user_id: i64,
) -> AppResult<()> {
    let target: Option<(String, Option<i64>)> = sqlx::query_as(
        "SELECT u.email, mm.accepted_at FROM users u JOIN merchant_members mm ON mm.user_id = u.id \
         WHERE u.id = $1 AND mm.merchant_id = $2",
    )
    .bind(target_user_id)
    .bind(merchant_id)
    .fetch_optional(&state.db.pool)
    .await?;
    let Some((email, accepted_at)) = target else {
        return Err(AppError::NotFound);
    };
    // Someone who has not accepted the merchant's invitation is none of its business: their
    // account's second factor is neither reset nor told apart from a new address's.
    if accepted_at.is_none() || !enabled(state, target_user_id).await? {
        return Err(AppError::Conflict(
            "This user has no second factor to reset.".into(),
        ));
    }
    let now = state.clock.now_ms();
    let mail = crate::server::infra::mail::action_mail(
        &email,
        "Your two-factor sign-in was reset",
        &[
            format!(
                "{} reset the two-factor sign-in of your Portal account. Your authenticator app and recovery codes no longer work for it.",
                actor.email
            ),
            "If your shop requires two-factor sign-in, you will set it up again when you next sign in. If you did not ask for this, tell your shop's admin.".into(),
        ],
        "Open Portal",
        &state.link("/account/two-factor"),
    );
    let mut tx = state.db.begin_write().await?;
    remove_in(&mut tx, target_user_id).await?;
    audit::record(
        &mut *tx,
        AuditEvent {
            at: now,
            merchant_id: Some(merchant_id),
            shop_id: Some(shop_id),
            kind: "two_factor_reset",
            actor_user_id: Some(actor.id),
            actor_email: Some(actor.email.clone()),
            ip: Some(ip.to_string()),
            target_user_id: Some(target_user_id),
            target_email: Some(email.clone()),
            ..Default::default()
        },
    )
    .await?;
    outbox::enqueue(&mut *tx, &mail, now).await?;
    tx.commit().await?;
    outbox::wake(state);
    Ok(())
}

/// An admin requires (or stops requiring) two-factor sign-in for everyone in the merchant.
pub async fn set_required(
    state: &AppState,
    actor: &CurrentUser,
    ip: &str,
    merchant_id: i64,
    shop_id: i64,
    required: bool,
) -> AppResult<()> {
    if required && !enabled(state, actor.id).await? {
        return Err(AppError::Conflict(
            "Turn on two-factor sign-in for yourself first (My account → Two-factor sign-in), so that you keep access.".into(),
        ));
    }
    let now = state.clock.now_ms();
    let changed = sqlx::query(
        "UPDATE merchants SET require_two_factor = $2 WHERE id = $1 AND require_two_factor <> $2",
    )
    .bind(merchant_id)
    .bind(i64::from(required))
    .execute(&state.db.pool)
    .await?
    .rows_affected();
    if changed == 0 {
        return Ok(());
    }
    audit::record(
        &state.db.pool,
        AuditEvent {
            at: now,
            merchant_id: Some(merchant_id),
            shop_id: Some(shop_id),
            kind: "two_factor_required",
            actor_user_id: Some(actor.id),
            actor_email: Some(actor.email.clone()),
            ip: Some(ip.to_string()),
            before: Some(if required { "optional" } else { "required" }.into()),
            after: Some(if required { "required" } else { "optional" }.into()),
            ..Default::default()
        },
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238, appendix B: the SHA-1 secret "12345678901234567890", 8 digits there; the
    /// last 6 digits are the 6-digit codes.
    #[test]
    fn codes_follow_rfc_6238() {
        let secret = Secret::Raw(b"12345678901234567890".to_vec())
            .to_encoded()
            .to_string();
        for (secs, eight) in [
            (59_i64, "94287082"),
            (1_111_111_109, "07081804"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
        ] {
            assert_eq!(code_at(&secret, secs * 1000).unwrap(), eight[2..], "{secs}");
        }
    }

    #[test]
    fn a_code_matches_its_step_and_the_steps_beside_it() {
        let secret = Secret::Raw(b"12345678901234567890".to_vec())
            .to_encoded()
            .to_string();
        let t = totp(&secret, "a@b.example").unwrap();
        let now = 1_234_567_890_000;
        let step = 1_234_567_890 / 30;
        let code = code_at(&secret, now).unwrap();
        assert_eq!(matching_step(&t, &code, now), Some(step));
        assert_eq!(matching_step(&t, &code, now + 30_000), Some(step));
        assert_eq!(matching_step(&t, &code, now - 30_000), Some(step));
        assert_eq!(matching_step(&t, &code, now + 90_000), None);
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert_eq!(matching_step(&t, &spaced, now), Some(step));
        assert_eq!(matching_step(&t, "12345", now), None);
        assert_eq!(matching_step(&t, "abcdef", now), None);
    }

    #[test]
    fn recovery_codes_are_typed_loosely_and_hashed() {
        let code = new_recovery_code();
        assert_eq!(code.len(), 11);
        assert_eq!(&code[5..6], "-");
        assert_eq!(
            recovery_hash(&code),
            recovery_hash(&code.to_uppercase().replace('-', " "))
        );
        assert_ne!(recovery_hash(&code), recovery_hash(&new_recovery_code()));
    }

    #[test]
    fn the_secret_is_grouped_for_typing() {
        assert_eq!(grouped("ABCDEFGHIJ"), "ABCD EFGH IJ");
    }
}

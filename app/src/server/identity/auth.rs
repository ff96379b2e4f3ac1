//! Passwords, sign-in, sessions and the signed-in user.

use crate::domain::validate::new_password;
use crate::domain::{Email, FieldErrors};
use crate::error::{AppError, AppResult};
use crate::server::identity::audit::{self, AuditEvent};
use crate::server::identity::invitations;
use crate::server::identity::two_factor::{self, PasswordStep};
use crate::server::infra::clock::{HOUR_MS, MINUTE_MS};
use crate::server::{infra::throttle, infra::tokens, internal, AppState};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use std::sync::OnceLock;
use tower_sessions::Session;

const KEY_USER: &str = "uid";
const KEY_EPOCH: &str = "epoch";
const KEY_SIGNED_IN_AT: &str = "signed_in_at";
/// Set while the user looks at test data (test payments and links) instead of live data.
const KEY_TEST_DATA: &str = "test_data";

/// A stored argon2id hash. It has no `Serialize`, so it cannot reach the browser.
pub struct StoredHash(String);

/// The person behind the current request.
#[derive(Clone, Debug)]
pub struct CurrentUser {
    pub id: i64,
    pub email: String,
    pub name: String,
    /// The user switched to test data for this session: lists, totals, exports and the
    /// dashboard show test payments only, and new payment links are test links.
    pub test_data: bool,
    /// The CSV dialect the user chose last (see [`crate::domain::CsvDialect`]).
    pub csv_dialect: crate::domain::CsvDialect,
}

/// Facts about the request that services record: the client IP.
#[derive(Clone, Debug)]
pub struct RequestMeta {
    pub ip: String,
}

/// Put into every request's extensions by the server's middleware.
#[derive(Clone, Debug)]
pub struct Auth(pub Option<CurrentUser>);

/// argon2id with the crate's defaults (the OWASP recommendation: 19 MiB, 2 passes, 1 lane),
/// run on the blocking pool so hashing never stalls the async runtime.
pub async fn hash_password(password: &str) -> AppResult<StoredHash> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| StoredHash(h.to_string()))
            .map_err(internal)
    })
    .await
    .map_err(internal)?
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(b"no user has this password", &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

/// Verifies a password. Without a stored hash it verifies against a dummy one, so unknown
/// e-mails cost the same time as wrong passwords.
pub async fn verify_password(stored: Option<String>, password: &str) -> AppResult<bool> {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || {
        let (hash, real) = match stored {
            Some(h) => (h, true),
            None => (dummy_hash().to_string(), false),
        };
        let ok = PasswordHash::new(&hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        ok && real
    })
    .await
    .map_err(internal)
}

impl StoredHash {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The signed-in user of a session, or `None`. Ends the session on the server when it is
/// past its absolute lifetime, its user was deactivated everywhere, or the user changed the
/// password in another session.
pub async fn session_user(state: &AppState, session: &Session) -> AppResult<Option<CurrentUser>> {
    let Some(uid) = session.get::<i64>(KEY_USER).await.map_err(internal)? else {
        return Ok(None);
    };
    let epoch = session
        .get::<i64>(KEY_EPOCH)
        .await
        .map_err(internal)?
        .unwrap_or(-1);
    let signed_in_at = session
        .get::<i64>(KEY_SIGNED_IN_AT)
        .await
        .map_err(internal)?
        .unwrap_or(0);
    let now = state.clock.now_ms();
    if now - signed_in_at > state.session_max_hours * HOUR_MS {
        session.flush().await.map_err(internal)?;
        return Ok(None);
    }
    let row: Option<(i64, String, String, i64, String)> = sqlx::query_as(
        "SELECT u.id, u.email, u.name, u.session_epoch, u.csv_dialect FROM users u \
         WHERE u.id = $1 AND EXISTS (SELECT 1 FROM merchant_members m \
           WHERE m.user_id = u.id AND m.status = 'active')",
    )
    .bind(uid)
    .fetch_optional(&state.db.pool)
    .await?;
    match row {
        Some((id, email, name, user_epoch, dialect)) if user_epoch == epoch => {
            let test_data = session
                .get::<bool>(KEY_TEST_DATA)
                .await
                .map_err(internal)?
                .unwrap_or(false);
            Ok(Some(CurrentUser {
                id,
                email,
                name,
                test_data,
                csv_dialect: crate::domain::CsvDialect::parse(&dialect).unwrap_or_default(),
            }))
        }
        _ => {
            session.flush().await.map_err(internal)?;
            Ok(None)
        }
    }
}

fn wrong_credentials() -> AppError {
    AppError::field("form", "The e-mail or password is wrong.")
}

/// What signing in reads of an account.
#[derive(sqlx::FromRow)]
struct SignInAccount {
    id: i64,
    name: String,
    password_hash: Option<String>,
    active_memberships: i64,
}

/// Signs a person in: throttled, audited, session id cycled.
pub async fn sign_in(
    state: &AppState,
    session: &Session,
    ip: &str,
    email: &str,
    password: &str,
) -> AppResult<SignIn> {
    let mut errors = FieldErrors::default();
    let email = email.trim().to_lowercase();
    if email.is_empty() {
        errors.add("email", "Enter your e-mail address.");
    }
    if password.is_empty() {
        errors.add("password", "Enter your password.");
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let now = state.clock.now_ms();
    throttle::check(&state.db, &email, ip, now).await?;

    let account: Option<SignInAccount> = sqlx::query_as(
        "SELECT u.id, u.name, u.password_hash, u.session_epoch, \
           (SELECT COUNT(*) FROM merchant_members m WHERE m.user_id = u.id AND m.status = 'active') \
             AS active_memberships \
         FROM users u WHERE u.email = $1",
    )
    .bind(&email)
    .fetch_optional(&state.db.pool)
    .await?;
    let stored = account.as_ref().and_then(|a| a.password_hash.clone());
    let ok = verify_password(stored, password).await?;
    let active = account.as_ref().is_some_and(|a| a.active_memberships > 0);

    let account = match account {
        Some(a) if ok && active => a,
        _ => {
            throttle::record(&state.db, &email, ip, now, false).await?;
            audit::record(
                &state.db.pool,
                AuditEvent {
                    at: now,
                    kind: "sign_in_failed",
                    actor_email: Some(email.clone()),
                    ip: Some(ip.to_string()),
                    target_user_id: account.as_ref().map(|a| a.id),
                    target_email: Some(email.clone()),
                    detail: Some(if ok {
                        "no active access".into()
                    } else {
                        "wrong e-mail or password".into()
                    }),
                    ..Default::default()
                },
            )
            .await?;
            // A deactivated user with the right password hears the same as a wrong guess:
            // telling them apart would confirm the password to whoever typed it.
            return Err(wrong_credentials());
        }
    };
    let user = CurrentUser {
        id: account.id,
        email: email.clone(),
        name: account.name,
        test_data: false,
        csv_dialect: Default::default(),
    };
    match two_factor::after_password(state, session, user.id).await? {
        PasswordStep::NeedsCode => Ok(SignIn::NeedsCode),
        PasswordStep::SignedIn { enrol } => {
            complete_sign_in(state, session, &user, ip, None).await?;
            Ok(SignIn::Done { user, enrol })
        }
    }
}

/// How the password step of signing in ended.
pub enum SignIn {
    /// Signed in; `enrol` when a merchant requires a second factor the user has not set up.
    Done { user: CurrentUser, enrol: bool },
    /// The password was right; the code of the second factor is next.
    NeedsCode,
}

/// The account with this id, if it may sign in (it has active access somewhere).
pub async fn user_by_id(state: &AppState, user_id: i64) -> AppResult<Option<CurrentUser>> {
    let row: Option<(i64, String, String)> = sqlx::query_as(
        "SELECT u.id, u.email, u.name FROM users u WHERE u.id = $1 AND EXISTS \
           (SELECT 1 FROM merchant_members m WHERE m.user_id = u.id AND m.status = 'active')",
    )
    .bind(user_id)
    .fetch_optional(&state.db.pool)
    .await?;
    Ok(row.map(|(id, email, name)| CurrentUser {
        id,
        email,
        name,
        test_data: false,
        csv_dialect: Default::default(),
    }))
}

/// Switches the session between live data and test data (see [`CurrentUser::test_data`]).
pub async fn set_test_data(session: &Session, on: bool) -> AppResult<()> {
    session.insert(KEY_TEST_DATA, on).await.map_err(internal)
}

/// Records the sign-in (time, audit) and starts the session with a fresh id.
pub async fn complete_sign_in(
    state: &AppState,
    session: &Session,
    user: &CurrentUser,
    ip: &str,
    detail: Option<&str>,
) -> AppResult<()> {
    let now = state.clock.now_ms();
    // Only a complete sign-in (with the code, where there is one) clears the account's count.
    throttle::record(&state.db, &user.email, ip, now, true).await?;
    let epoch: i64 = sqlx::query_scalar("SELECT session_epoch FROM users WHERE id = $1")
        .bind(user.id)
        .fetch_one(&state.db.pool)
        .await?;
    sqlx::query("UPDATE users SET last_sign_in_at = $1 WHERE id = $2")
        .bind(now)
        .bind(user.id)
        .execute(&state.db.pool)
        .await?;
    audit::record(
        &state.db.pool,
        AuditEvent {
            detail: detail.map(str::to_string),
            ..AuditEvent::own("sign_in", user, ip, now)
        },
    )
    .await?;
    start_session(session, user.id, epoch, now).await
}

async fn start_session(session: &Session, user_id: i64, epoch: i64, now: i64) -> AppResult<()> {
    session.cycle_id().await.map_err(internal)?;
    session.insert(KEY_USER, user_id).await.map_err(internal)?;
    session.insert(KEY_EPOCH, epoch).await.map_err(internal)?;
    session
        .insert(KEY_SIGNED_IN_AT, now)
        .await
        .map_err(internal)?;
    Ok(())
}

pub async fn sign_out(session: &Session) -> AppResult<()> {
    session.flush().await.map_err(internal)
}

/// Changes the signed-in user's password. Needs the current one; ends every other session.
pub async fn change_password(
    state: &AppState,
    session: &Session,
    user: &CurrentUser,
    ip: &str,
    current: &str,
    password: &str,
    confirm: &str,
) -> AppResult<()> {
    let mut errors = FieldErrors::default();
    if current.is_empty() {
        errors.add("current", "Enter your current password.");
    }
    let new = new_password(&mut errors, password, confirm);
    let (Some(new), true) = (new, errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    // A wrong current password counts like a failed sign-in: whoever holds an open session
    // must not get unlimited guesses at the password behind it.
    let now = state.clock.now_ms();
    throttle::check(&state.db, &user.email, ip, now).await?;
    let stored: Option<String> =
        sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
            .bind(user.id)
            .fetch_one(&state.db.pool)
            .await?;
    if !verify_password(stored, current).await? {
        throttle::record(&state.db, &user.email, ip, now, false).await?;
        audit::record(
            &state.db.pool,
            AuditEvent {
                detail: Some("wrong current password when changing it".into()),
                ..AuditEvent::own("sign_in_failed", user, ip, now)
            },
        )
        .await?;
        if let Err(locked) = throttle::check(&state.db, &user.email, ip, now).await {
            // The limit is reached: this session ends, and signing in waits like after
            // failed sign-ins.
            session.flush().await.map_err(internal)?;
            return Err(locked);
        }
        return Err(AppError::field(
            "current",
            "This is not your current password.",
        ));
    }
    let hash = hash_password(new.expose()).await?;
    let epoch = set_password(state, user.id, &hash, now).await?;
    audit::record(
        &state.db.pool,
        AuditEvent::own("password_changed", user, ip, now),
    )
    .await?;
    // This session stays signed in with the new epoch; all others no longer match.
    start_session(session, user.id, epoch, now).await
}

/// Signs the user out of every other session (other browsers and devices): the session
/// epoch moves on, and this session starts again with it. Audited.
pub async fn sign_out_elsewhere(
    state: &AppState,
    session: &Session,
    user: &CurrentUser,
    ip: &str,
) -> AppResult<()> {
    let now = state.clock.now_ms();
    let epoch: i64 = sqlx::query_scalar(
        "UPDATE users SET session_epoch = session_epoch + 1 WHERE id = $1 RETURNING session_epoch",
    )
    .bind(user.id)
    .fetch_one(&state.db.pool)
    .await?;
    audit::record(
        &state.db.pool,
        AuditEvent::own("signed_out_elsewhere", user, ip, now),
    )
    .await?;
    start_session(session, user.id, epoch, now).await
}

/// Stores a new hash and moves the session epoch on, which ends every existing session.
async fn set_password(
    state: &AppState,
    user_id: i64,
    hash: &StoredHash,
    _now: i64,
) -> AppResult<i64> {
    let epoch: i64 = sqlx::query_scalar(
        "UPDATE users SET password_hash = $1, session_epoch = session_epoch + 1 WHERE id = $2 RETURNING session_epoch",
    )
    .bind(hash.as_str())
    .bind(user_id)
    .fetch_one(&state.db.pool)
    .await?;
    Ok(epoch)
}

/// Mails a single-use reset link valid for 30 minutes. Answers the same whether or not the
/// address is known, so the form reveals nothing about who has an account.
pub async fn request_password_reset(state: &AppState, ip: &str, email: &str) -> AppResult<()> {
    let email = Email::parse(email).map_err(|m| AppError::field("email", m))?;
    let now = state.clock.now_ms();
    // The same steps whether or not an account uses the address: check the limits, note the
    // request, wake the mail job (which makes the link and the mail for real accounts).
    for (column, key, limit) in [
        ("email", email.as_str(), RESETS_PER_ADDRESS),
        ("ip", ip, RESETS_PER_IP),
    ] {
        let recent: Vec<i64> = sqlx::query_scalar(&format!(
            "SELECT at FROM password_reset_requests WHERE {column} = $1 AND at > $2 \
             ORDER BY at DESC LIMIT $3"
        ))
        .bind(key)
        .bind(now - HOUR_MS)
        .bind(limit)
        .fetch_all(&state.db.pool)
        .await?;
        if recent.len() as i64 >= limit {
            let oldest = recent[recent.len() - 1];
            return Err(AppError::TooManyAttempts {
                retry_after_secs: ((oldest + HOUR_MS - now).max(1000) as u64).div_ceil(1000),
            });
        }
    }
    sqlx::query("INSERT INTO password_reset_requests (id, at, email, ip) VALUES ($1, $2, $3, $4)")
        .bind(crate::server::new_id())
        .bind(now)
        .bind(email.as_str())
        .bind(ip)
        .execute(&state.db.pool)
        .await?;
    crate::server::infra::outbox::wake(state);
    Ok(())
}

/// At most this many reset mails per address, and requests per client address, an hour.
pub const RESETS_PER_ADDRESS: i64 = 3;
pub const RESETS_PER_IP: i64 = 10;

/// Turns open reset requests into a single-use link and its mail, for addresses that have
/// an account with a password; the others are closed without a mail. Runs in the mail job,
/// before delivery.
pub async fn prepare_reset_mails(
    state: &AppState,
) -> AppResult<crate::server::infra::jobs::Outcome> {
    let open: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT id, email, ip FROM password_reset_requests WHERE handled_at IS NULL ORDER BY at LIMIT 500",
    )
    .fetch_all(&state.db.pool)
    .await?;
    let mut outcome = crate::server::infra::jobs::Outcome::default();
    for (id, email, ip) in open {
        outcome
            .row(
                format!("password reset request {id}"),
                prepare_reset_mail(state, id, &email, &ip),
            )
            .await;
    }
    Ok(outcome)
}

async fn prepare_reset_mail(state: &AppState, id: i64, email: &str, ip: &str) -> AppResult<bool> {
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let claimed = sqlx::query(
        "UPDATE password_reset_requests SET handled_at = $2 WHERE id = $1 AND handled_at IS NULL",
    )
    .bind(id)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let user: Option<(i64, String)> =
        sqlx::query_as("SELECT id, name FROM users WHERE email = $1 AND password_hash IS NOT NULL")
            .bind(email)
            .fetch_optional(&mut *tx)
            .await?;
    let (Some((user_id, name)), 1) = (user, claimed) else {
        tx.commit().await?;
        return Ok(false);
    };
    let token = tokens::issue(
        &mut tx,
        user_id,
        tokens::Purpose::Reset,
        now,
        30 * MINUTE_MS,
    )
    .await?;
    let link = state.link(&format!("/reset-password/{token}"));
    let mail = crate::server::infra::mail::action_mail(
        email,
        "Reset your Portal password",
        &[
            format!("Hello {name},"),
            "Someone (hopefully you) asked to reset the password of your Portal account. The link below works once and for 30 minutes.".into(),
            "If you did not ask for this, ignore this mail: your password stays as it is.".into(),
        ],
        "Choose a new password",
        &link,
    );
    crate::server::infra::outbox::enqueue(&mut *tx, &mail, now).await?;
    audit::record(
        &mut *tx,
        AuditEvent {
            at: now,
            kind: "password_reset_requested",
            ip: Some(ip.to_string()),
            target_user_id: Some(user_id),
            target_email: Some(email.to_string()),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Sets a password from a reset or invite link, consuming the link. Ends other sessions.
pub async fn set_password_with_token(
    state: &AppState,
    ip: &str,
    purpose: tokens::Purpose,
    token: &str,
    name: Option<&str>,
    password: &str,
    confirm: &str,
) -> AppResult<String> {
    let mut errors = FieldErrors::default();
    let name = match name {
        Some(n) => errors.check("name", crate::domain::validate::person_name(n)),
        None => None,
    };
    let new = new_password(&mut errors, password, confirm);
    let (Some(new), true) = (new, errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    let hash = hash_password(new.expose()).await?;
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let (user_id, scope) = match purpose {
        tokens::Purpose::Reset => (
            tokens::consume(&mut *tx, token, purpose, now)
                .await?
                .ok_or_else(|| {
                    AppError::Conflict(
                        "This link has expired or was already used. Ask for a new one.".into(),
                    )
                })?,
            None,
        ),
        tokens::Purpose::Invite => {
            let invitation = tokens::consume_invite(&mut *tx, token, now)
                .await?
                .ok_or_else(invitations::expired)?;
            let has_password: Option<String> =
                sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
                    .bind(invitation.user_id)
                    .fetch_one(&mut *tx)
                    .await?;
            // An account that has a password answers invitations signed in, never by
            // choosing a new password with the invitation's link.
            if has_password.is_some() {
                return Err(AppError::Conflict(
                    "This account already has a password. Sign in, then open the invitation link again to answer it.".into(),
                ));
            }
            if let Some(scope) = invitation.scope {
                invitations::accept_with_password(&mut tx, invitation.user_id, scope, now).await?;
            }
            (invitation.user_id, invitation.scope)
        }
    };
    sqlx::query(
        "UPDATE users SET password_hash = $1, session_epoch = session_epoch + 1 WHERE id = $2",
    )
    .bind(hash.as_str())
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    if let Some(name) = &name {
        sqlx::query("UPDATE users SET name = $1 WHERE id = $2")
            .bind(name)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
    }
    let email: String = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await?;
    audit::record(
        &mut *tx,
        AuditEvent {
            at: now,
            kind: match purpose {
                tokens::Purpose::Reset => "password_reset",
                tokens::Purpose::Invite => "invite_accepted",
            },
            merchant_id: scope.map(|s| s.merchant_id),
            shop_id: scope.map(|s| s.shop_id),
            actor_user_id: Some(user_id),
            actor_email: Some(email.clone()),
            ip: Some(ip.to_string()),
            target_user_id: Some(user_id),
            target_email: Some(email.clone()),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(email)
}

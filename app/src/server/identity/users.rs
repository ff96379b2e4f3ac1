//! The shop's users: list, invite, change role, deactivate and reactivate.

use crate::domain::validate::person_name;
use crate::domain::{Email, FieldErrors, Role};
use crate::error::{AppError, AppResult};
use crate::model::users::{UserRow, UserStatus};
use crate::server::identity::access::ShopAccess;
use crate::server::identity::audit::{self, AuditEvent};
use crate::server::infra::clock::DAY_MS;
use crate::server::infra::db::Tx;
use crate::server::infra::mail::{action_mail, OutgoingMail};
use crate::server::{infra::tokens, internal, AppState};
use sqlx::AnyConnection;

/// The shop's users as the merchant may see them. While an invitation is pending the row
/// shows only what the inviting admin typed (the address, the name given or the address's
/// local part) and "Invited" — never whether the address already had an account, its own
/// name or its second factor. "Last active" is the last use of this merchant's shops, not a
/// sign-in anywhere.
pub async fn list(state: &AppState, access: &ShopAccess) -> AppResult<Vec<UserRow>> {
    let rows: Vec<ListedUser> = sqlx::query_as(
        "SELECT u.id, \
           CASE WHEN mm.accepted_at IS NULL THEN COALESCE(mm.invited_name, u.name) ELSE u.name END \
             AS shown_name, \
           u.email, r.role, mm.status, \
           CASE WHEN mm.accepted_at IS NOT NULL AND u.password_hash IS NOT NULL THEN 1 ELSE 0 END \
             AS joined, \
           mm.last_active_at, \
           CASE WHEN mm.accepted_at IS NULL THEN 0 ELSE \
             (SELECT COUNT(*) FROM two_factor t WHERE t.user_id = u.id AND t.confirmed_at IS NOT NULL) \
           END AS two_factor \
         FROM shop_roles r \
         JOIN users u ON u.id = r.user_id \
         JOIN merchant_members mm ON mm.user_id = u.id AND mm.merchant_id = $2 \
         WHERE r.shop_id = $1 ORDER BY shown_name, u.email",
    )
    .bind(access.shop_id)
    .bind(access.merchant_id)
    .fetch_all(&state.db.pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            let role = Role::parse(&r.role).ok_or_else(|| internal("unknown role"))?;
            let status = if r.status != "active" {
                UserStatus::Deactivated
            } else if r.joined == 0 {
                UserStatus::Invited
            } else {
                UserStatus::Active
            };
            Ok(UserRow {
                id: r.id,
                name: r.shown_name,
                email: r.email,
                role,
                status,
                last_active_ms: r.last_active_at,
                two_factor: r.two_factor > 0,
            })
        })
        .collect()
}

#[derive(sqlx::FromRow)]
struct ListedUser {
    id: i64,
    shown_name: String,
    email: String,
    role: String,
    status: String,
    joined: i64,
    last_active_at: Option<i64>,
    two_factor: i64,
}

/// Whether the merchant requires two-factor sign-in of everyone.
pub async fn two_factor_required(state: &AppState, merchant_id: i64) -> AppResult<bool> {
    let required: i64 =
        sqlx::query_scalar("SELECT require_two_factor FROM merchants WHERE id = $1")
            .bind(merchant_id)
            .fetch_one(&state.db.pool)
            .await?;
    Ok(required != 0)
}

/// Active admins of the shop who can sign in and accepted their invitation, other than
/// `except`.
async fn other_active_admins(
    conn: &mut AnyConnection,
    shop_id: i64,
    merchant_id: i64,
    except: i64,
) -> AppResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM shop_roles r \
         JOIN users u ON u.id = r.user_id AND u.password_hash IS NOT NULL \
         JOIN merchant_members mm ON mm.user_id = r.user_id AND mm.merchant_id = $2 AND mm.status = 'active' \
           AND mm.accepted_at IS NOT NULL \
         WHERE r.shop_id = $1 AND r.role = 'admin' AND r.user_id <> $3",
    )
    .bind(shop_id)
    .bind(merchant_id)
    .bind(except)
    .fetch_one(conn)
    .await?)
}

/// Serialises changes to a merchant's users: a no-op update takes the merchant row's lock
/// (PostgreSQL) inside the caller's transaction, so two admins demoting each other at the
/// same moment cannot both pass the last-admin check. SQLite already has the write lock.
async fn lock_merchant(conn: &mut AnyConnection, merchant_id: i64) -> AppResult<()> {
    sqlx::query("UPDATE merchants SET name = name WHERE id = $1")
        .bind(merchant_id)
        .execute(conn)
        .await?;
    Ok(())
}

fn last_admin(email: &str) -> AppError {
    AppError::Conflict(format!(
        "{email} is the last active admin of this shop. Make another user admin first."
    ))
}

struct Target {
    email: String,
    role: Role,
}

async fn target(conn: &mut AnyConnection, access: &ShopAccess, user_id: i64) -> AppResult<Target> {
    let (email, role): (String, String) = sqlx::query_as(
        "SELECT u.email, r.role FROM shop_roles r JOIN users u ON u.id = r.user_id \
         WHERE r.shop_id = $1 AND r.user_id = $2",
    )
    .bind(access.shop_id)
    .bind(user_id)
    .fetch_optional(conn)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(Target {
        email,
        role: Role::parse(&role).ok_or_else(|| internal("unknown role"))?,
    })
}

fn event(
    access: &ShopAccess,
    now: i64,
    kind: &'static str,
    target_id: i64,
    target_email: &str,
) -> AuditEvent {
    AuditEvent {
        target_user_id: Some(target_id),
        target_email: Some(target_email.to_string()),
        ..AuditEvent::in_shop(kind, access, now)
    }
}

/// Invites `email` to a role in the shop. Whether or not the address has an account, the
/// invitation grants nothing until its owner accepts it with the mailed link (a new account by
/// choosing a password, an existing one signed in), and the inviting admin sees the same
/// answer, the same row ("Invited") and the same steps in the database for both. Someone who
/// already accepted an invitation of this merchant gets the new shop at once. The mail goes
/// through the outbox in this transaction.
pub async fn invite(
    state: &AppState,
    access: &ShopAccess,
    email: &str,
    name: &str,
    role: &str,
) -> AppResult<String> {
    let form = InviteForm::check(email, name, role)?;
    let email = form.email.as_str();
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    lock_merchant(&mut tx, access.merchant_id).await?;
    let (user_id, has_password) = find_or_create_user(&mut tx, &form, now).await?;
    let member = join_merchant(&mut tx, access.merchant_id, user_id, &form, now).await?;
    let inserted = sqlx::query(
        "INSERT INTO shop_roles (shop_id, user_id, role, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (shop_id, user_id) DO NOTHING",
    )
    .bind(access.shop_id)
    .bind(user_id)
    .bind(form.role.as_str())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(AppError::field(
            "email",
            format!(
                "{email} already has access to this shop. Change their role in the list instead."
            ),
        ));
    }
    let mut ev = event(access, now, "invite", user_id, email);
    ev.after = Some(form.role.as_str().to_string());
    audit::record(&mut *tx, ev).await?;
    let mail = match member {
        Membership::Accepted => invite_mail(state, access, &form, InviteLink::None),
        Membership::Pending => {
            let scope = tokens::InviteScope {
                merchant_id: access.merchant_id,
                shop_id: access.shop_id,
            };
            let token = tokens::issue_invite(&mut tx, user_id, scope, now, 7 * DAY_MS).await?;
            let link = if has_password {
                InviteLink::Answer(&token)
            } else {
                InviteLink::ChoosePassword(&token)
            };
            invite_mail(state, access, &form, link)
        }
    };
    crate::server::infra::outbox::enqueue(&mut *tx, &mail, now).await?;
    tx.commit().await?;
    crate::server::infra::outbox::wake(state);
    Ok(email.to_string())
}

/// The invite form, checked field by field.
struct InviteForm {
    email: Email,
    name: Option<String>,
    role: Role,
}

impl InviteForm {
    /// The name the admin gave, or the address's local part.
    fn shown_name(&self) -> String {
        self.name.clone().unwrap_or_else(|| {
            self.email
                .as_str()
                .split('@')
                .next()
                .unwrap_or_default()
                .to_string()
        })
    }

    fn check(email: &str, name: &str, role: &str) -> AppResult<InviteForm> {
        let mut errors = FieldErrors::default();
        let email = errors.check("email", Email::parse(email));
        let name = if name.trim().is_empty() {
            None
        } else {
            errors.check("name", person_name(name))
        };
        let role = errors.check(
            "role",
            Role::parse(role).ok_or_else(|| "Choose one of the roles.".to_string()),
        );
        match (email, role, errors.is_empty()) {
            (Some(email), Some(role), true) => Ok(InviteForm { email, name, role }),
            _ => Err(AppError::Validation(errors)),
        }
    }
}

/// The account with the invited address (and whether it has a password), made if new.
/// A new account gets the name the admin gave, or the address's local part.
async fn find_or_create_user(tx: &mut Tx, form: &InviteForm, now: i64) -> AppResult<(i64, bool)> {
    let existing: Option<(i64, Option<String>)> =
        sqlx::query_as("SELECT id, password_hash FROM users WHERE email = $1")
            .bind(form.email.as_str())
            .fetch_optional(&mut **tx)
            .await?;
    if let Some((id, hash)) = existing {
        return Ok((id, hash.is_some()));
    }
    let id = crate::server::new_id();
    sqlx::query("INSERT INTO users (id, email, name, created_at) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(form.email.as_str())
        .bind(form.shown_name())
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok((id, false))
}

/// A user's standing with the inviting merchant after the invite.
enum Membership {
    /// Accepted an invitation of this merchant before: the new shop is theirs at once.
    Accepted,
    /// Invited (now or before) and not yet accepted.
    Pending,
}

/// Makes the user a pending member of the merchant, with the name the admin gave; one the
/// merchant deactivated is reactivated in the list, not invited again.
async fn join_merchant(
    tx: &mut Tx,
    merchant_id: i64,
    user_id: i64,
    form: &InviteForm,
    now: i64,
) -> AppResult<Membership> {
    let membership: Option<(String, Option<i64>)> = sqlx::query_as(
        "SELECT status, accepted_at FROM merchant_members WHERE merchant_id = $1 AND user_id = $2",
    )
    .bind(merchant_id)
    .bind(user_id)
    .fetch_optional(&mut **tx)
    .await?;
    match membership {
        Some((status, _)) if status == "deactivated" => Err(AppError::field(
            "email",
            format!(
                "{} was deactivated. Reactivate them in the list instead.",
                form.email.as_str()
            ),
        )),
        Some((_, Some(_))) => Ok(Membership::Accepted),
        Some((_, None)) => Ok(Membership::Pending),
        None => {
            sqlx::query(
                "INSERT INTO merchant_members (merchant_id, user_id, status, created_at, invited_name) \
                 VALUES ($1, $2, 'active', $3, $4)",
            )
            .bind(merchant_id)
            .bind(user_id)
            .bind(now)
            .bind(form.shown_name())
            .execute(&mut **tx)
            .await?;
            Ok(Membership::Pending)
        }
    }
}

/// What the invitation mail links to.
enum InviteLink<'a> {
    /// Nothing to answer: the shop is theirs already.
    None,
    /// A new account: choose a password, which accepts.
    ChoosePassword(&'a str),
    /// An existing account: sign in, then accept or decline.
    Answer(&'a str),
}

/// The invitation mail. Only the invited person reads it, so it may say whether they
/// already have an account.
fn invite_mail(
    state: &AppState,
    access: &ShopAccess,
    form: &InviteForm,
    link: InviteLink<'_>,
) -> OutgoingMail {
    let invited = |verb: &str| {
        format!(
            "{} ({}) {verb} the shop \"{}\" of {} in Portal, as {}.",
            access.user.name,
            access.user.email,
            access.shop_name,
            access.merchant_name,
            form.role.label()
        )
    };
    let subject = format!("You are invited to {} in Portal", access.shop_name);
    match link {
        InviteLink::None => action_mail(
            form.email.as_str(),
            &format!("You now have access to {}", access.shop_name),
            &[
                "Hello,".into(),
                invited("has given you access to"),
                "Sign in with your existing password.".into(),
            ],
            "Open the shop",
            &state.link(&format!("/shops/{}", access.shop_slug)),
        ),
        InviteLink::ChoosePassword(token) => action_mail(
            form.email.as_str(),
            &subject,
            &[
                "Hello,".into(),
                invited("has invited you to"),
                "Choose your password with the link below to accept. It works once and for 7 days.".into(),
                "If you do not want this access, open the link and decline.".into(),
            ],
            "Accept the invitation",
            &state.link(&format!("/invite/{token}")),
        ),
        InviteLink::Answer(token) => action_mail(
            form.email.as_str(),
            &subject,
            &[
                "Hello,".into(),
                invited("has invited you to"),
                "You already have a Portal account with this address. Nothing changes until you accept: open the link below, sign in as this account, and accept or decline. It works once and for 7 days.".into(),
                "If you do not know this merchant, decline, or ignore this mail: they get no access to your account either way.".into(),
            ],
            "Answer the invitation",
            &state.link(&format!("/invite/{token}")),
        ),
    }
}

pub async fn change_role(
    state: &AppState,
    access: &ShopAccess,
    user_id: i64,
    role: &str,
) -> AppResult<()> {
    let role =
        Role::parse(role).ok_or_else(|| AppError::field("role", "Choose one of the roles."))?;
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    lock_merchant(&mut tx, access.merchant_id).await?;
    let t = target(&mut tx, access, user_id).await?;
    if t.role == role {
        return Ok(());
    }
    if t.role == Role::Admin
        && other_active_admins(&mut tx, access.shop_id, access.merchant_id, user_id).await? == 0
    {
        return Err(last_admin(&t.email));
    }
    sqlx::query("UPDATE shop_roles SET role = $1 WHERE shop_id = $2 AND user_id = $3")
        .bind(role.as_str())
        .bind(access.shop_id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    let mut ev = event(access, now, "role_changed", user_id, &t.email);
    ev.before = Some(t.role.as_str().into());
    ev.after = Some(role.as_str().into());
    audit::record(&mut *tx, ev).await?;
    tx.commit().await?;
    Ok(())
}

/// Deactivates or reactivates a user for the whole merchant. A deactivated user's sessions
/// stop working on their next request. No shop of the merchant may lose its last admin.
pub async fn set_active(
    state: &AppState,
    access: &ShopAccess,
    user_id: i64,
    active: bool,
) -> AppResult<()> {
    if !active && user_id == access.user.id {
        return Err(AppError::Conflict(
            "You cannot deactivate yourself: another admin of the shop can.".into(),
        ));
    }
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    lock_merchant(&mut tx, access.merchant_id).await?;
    let t = target(&mut tx, access, user_id).await?;
    let status: String = sqlx::query_scalar(
        "SELECT status FROM merchant_members WHERE merchant_id = $1 AND user_id = $2",
    )
    .bind(access.merchant_id)
    .bind(user_id)
    .fetch_one(&mut *tx)
    .await?;
    let want = if active { "active" } else { "deactivated" };
    if status == want {
        return Ok(());
    }
    if !active {
        let admin_shops: Vec<i64> = sqlx::query_scalar(
            "SELECT r.shop_id FROM shop_roles r JOIN shops s ON s.id = r.shop_id \
             WHERE s.merchant_id = $1 AND r.user_id = $2 AND r.role = 'admin'",
        )
        .bind(access.merchant_id)
        .bind(user_id)
        .fetch_all(&mut *tx)
        .await?;
        for shop_id in admin_shops {
            if other_active_admins(&mut tx, shop_id, access.merchant_id, user_id).await? == 0 {
                return Err(last_admin(&t.email));
            }
        }
    }
    sqlx::query("UPDATE merchant_members SET status = $1 WHERE merchant_id = $2 AND user_id = $3")
        .bind(want)
        .bind(access.merchant_id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    let mut ev = event(
        access,
        now,
        if active { "reactivated" } else { "deactivated" },
        user_id,
        &t.email,
    );
    ev.before = Some(status);
    ev.after = Some(want.into());
    audit::record(&mut *tx, ev).await?;
    tx.commit().await?;
    Ok(())
}

/// Every shop the user has an active role in (invitations not yet accepted give none), for
/// the switcher and the home page.
/// The shop's active admins as "Name (e-mail)", for pages that send other roles to them.
pub async fn admins_of(state: &AppState, shop_id: i64) -> AppResult<Vec<String>> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT u.name, u.email FROM shop_roles r JOIN users u ON u.id = r.user_id \
         JOIN shops s ON s.id = r.shop_id \
         JOIN merchant_members mm ON mm.merchant_id = s.merchant_id AND mm.user_id = r.user_id \
           AND mm.status = 'active' AND mm.accepted_at IS NOT NULL \
         WHERE r.shop_id = $1 AND r.role = 'admin' ORDER BY u.name, u.email",
    )
    .bind(shop_id)
    .fetch_all(&state.db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(name, email)| format!("{name} ({email})"))
        .collect())
}

pub async fn shops_of(
    state: &AppState,
    user_id: i64,
) -> AppResult<Vec<crate::model::shop::ShopRef>> {
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT s.slug, s.name, m.name, r.role FROM shop_roles r \
         JOIN shops s ON s.id = r.shop_id JOIN merchants m ON m.id = s.merchant_id \
         JOIN merchant_members mm ON mm.merchant_id = s.merchant_id AND mm.user_id = r.user_id AND mm.status = 'active' \
           AND mm.accepted_at IS NOT NULL \
         WHERE r.user_id = $1 ORDER BY m.name, s.created_at, s.name",
    )
    .bind(user_id)
    .fetch_all(&state.db.pool)
    .await?;
    rows.into_iter()
        .map(|(slug, name, merchant, role)| {
            Ok(crate::model::shop::ShopRef {
                slug,
                name,
                merchant,
                role: Role::parse(&role).ok_or_else(|| internal("unknown role"))?,
            })
        })
        .collect()
}

pub async fn update_name(
    state: &AppState,
    user: &crate::server::identity::auth::CurrentUser,
    ip: &str,
    name: &str,
) -> AppResult<()> {
    let name = person_name(name).map_err(|m| AppError::field("name", m))?;
    let mut tx = state.db.begin_write().await?;
    sqlx::query("UPDATE users SET name = $1 WHERE id = $2")
        .bind(&name)
        .bind(user.id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut *tx,
        AuditEvent {
            at: state.clock.now_ms(),
            kind: "profile_changed",
            actor_user_id: Some(user.id),
            actor_email: Some(user.email.clone()),
            ip: Some(ip.to_string()),
            target_user_id: Some(user.id),
            target_email: Some(user.email.clone()),
            before: Some(user.name.clone()),
            after: Some(name),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Remembers the CSV dialect the user chose: their next CSV comes in it unless they choose
/// again. A preference of the person, not of a shop: not audited.
pub async fn set_csv_dialect(
    state: &AppState,
    user_id: i64,
    dialect: crate::domain::CsvDialect,
) -> AppResult<()> {
    sqlx::query("UPDATE users SET csv_dialect = $1 WHERE id = $2")
        .bind(dialect.as_str())
        .bind(user_id)
        .execute(&state.db.pool)
        .await?;
    Ok(())
}

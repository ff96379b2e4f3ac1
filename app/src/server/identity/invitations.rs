//! Answering an invitation to a merchant. An invitation grants nothing until the invited
//! person accepts it: a new account by choosing its password with the link, an existing
//! account by opening the link signed in as that account and choosing Accept. Declining
//! removes the pending membership. Both answers are recorded in the audit log of the shop
//! the invitation came from.

use crate::domain::Role;
use crate::error::{AppError, AppResult};
use crate::model::auth::{InviteDetails, InviteStep, InvitedShop};
use crate::server::identity::audit::{self, AuditEvent};
use crate::server::identity::auth::CurrentUser;
use crate::server::infra::db::Tx;
use crate::server::infra::tokens::{self, Invitation, InviteScope};
use crate::server::{internal, AppState};
use sqlx::AnyConnection;

/// The answer to a link that cannot be used (any more).
pub fn expired() -> AppError {
    AppError::Conflict(
        "This invitation has expired or was already used. Ask the shop's admin to invite you again."
            .into(),
    )
}

/// What the person who opened an invitation link sees; `None` for a link that is unknown,
/// expired, used, or whose invitation was withdrawn.
pub async fn details(
    state: &AppState,
    signed_in: Option<&CurrentUser>,
    token: &str,
) -> AppResult<Option<InviteDetails>> {
    let now = state.clock.now_ms();
    let mut conn = state.db.pool.acquire().await?;
    let Some(invitation) = tokens::peek_invite(&mut *conn, token, now).await? else {
        return Ok(None);
    };
    let account = account(&mut conn, invitation.user_id).await?;
    let Some(scope) = invitation.scope else {
        // A link from before invitations named their merchant only sets a new password.
        return Ok((!account.has_password).then(|| InviteDetails {
            email: account.email,
            name: account.name,
            merchant: None,
            shops: Vec::new(),
            step: InviteStep::ChoosePassword,
        }));
    };
    if !answerable(&mut conn, &account, &invitation, scope).await? {
        return Ok(None);
    }
    let step = match (account.has_password, signed_in) {
        (false, _) => InviteStep::ChoosePassword,
        (true, None) => InviteStep::SignIn,
        (true, Some(u)) if u.id == invitation.user_id => InviteStep::Answer,
        (true, Some(u)) => InviteStep::OtherAccount {
            signed_in_as: u.email.clone(),
        },
    };
    // The account's name and where the invitation leads are shown only to whoever proved to
    // be the invited person (the link of a new account, or signed in as the account).
    let (name, merchant, shops) = match step {
        InviteStep::ChoosePassword | InviteStep::Answer => {
            let (merchant, shops) = offered(&mut conn, invitation.user_id, scope).await?;
            (account.name, Some(merchant), shops)
        }
        _ => (String::new(), None, Vec::new()),
    };
    Ok(Some(InviteDetails {
        email: account.email,
        name,
        merchant,
        shops,
        step,
    }))
}

/// How an answer ended.
pub enum Answered {
    /// Accepted: the shop the invitation came from, to open next.
    Joined {
        shop_slug: String,
    },
    Declined,
}

/// Accepts or declines an invitation. An account with a password answers signed in as itself;
/// a new account may decline with the link alone (accepting it means choosing a password).
pub async fn answer(
    state: &AppState,
    signed_in: Option<&CurrentUser>,
    ip: &str,
    token: &str,
    accept: bool,
) -> AppResult<Answered> {
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let invitation = tokens::peek_invite(&mut *tx, token, now)
        .await?
        .ok_or_else(expired)?;
    let scope = invitation.scope.ok_or_else(expired)?;
    let account = account(&mut tx, invitation.user_id).await?;
    match (account.has_password, signed_in) {
        (true, None) => return Err(AppError::Unauthenticated),
        (true, Some(u)) if u.id != invitation.user_id => return Err(other_account(&account.email)),
        (false, _) if accept => {
            return Err(AppError::Conflict(
                "Choose your password to accept this invitation.".into(),
            ))
        }
        _ => {}
    }
    if !answerable(&mut tx, &account, &invitation, scope).await? {
        return Err(expired());
    }
    tokens::consume_invite(&mut *tx, token, now)
        .await?
        .ok_or_else(expired)?;
    let answered = if accept {
        // Conditional, so an admin deactivating the invitee at the same moment wins.
        let joined = sqlx::query(
            "UPDATE merchant_members SET accepted_at = $3 \
             WHERE merchant_id = $1 AND user_id = $2 AND status = 'active' AND accepted_at IS NULL",
        )
        .bind(scope.merchant_id)
        .bind(invitation.user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if joined != 1 {
            return Err(expired());
        }
        let shop_slug: String = sqlx::query_scalar("SELECT slug FROM shops WHERE id = $1")
            .bind(scope.shop_id)
            .fetch_one(&mut *tx)
            .await?;
        Answered::Joined { shop_slug }
    } else {
        if !withdraw(&mut tx, invitation.user_id, scope.merchant_id).await? {
            return Err(AppError::Conflict(
                "This access is already granted, so there is nothing to decline. Ask the merchant's admin to remove it."
                    .into(),
            ));
        }
        Answered::Declined
    };
    audit::record(
        &mut *tx,
        AuditEvent {
            at: now,
            kind: if accept {
                "invite_accepted"
            } else {
                "invite_declined"
            },
            merchant_id: Some(scope.merchant_id),
            shop_id: Some(scope.shop_id),
            actor_user_id: Some(invitation.user_id),
            actor_email: Some(account.email.clone()),
            // Someone who joins acts in the merchant from here on; someone who declines
            // never did, and the merchant learns only the answer.
            ip: accept.then(|| ip.to_string()),
            target_user_id: Some(invitation.user_id),
            target_email: Some(account.email),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(answered)
}

/// Accepts the invitation of a link with which a new account chose its password, inside
/// that transaction. Also for the accounts the operator made, whose membership is already
/// granted: it is left as it is.
pub async fn accept_with_password(
    tx: &mut Tx,
    user_id: i64,
    scope: InviteScope,
    now: i64,
) -> AppResult<()> {
    let joined = sqlx::query(
        "UPDATE merchant_members SET accepted_at = COALESCE(accepted_at, $3) \
         WHERE merchant_id = $1 AND user_id = $2 AND status = 'active'",
    )
    .bind(scope.merchant_id)
    .bind(user_id)
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if joined == 0 {
        return Err(expired());
    }
    Ok(())
}

/// Removes a pending membership and its shop roles: an invitation declined. Accepted
/// memberships are never removed here; `false` when there was none pending.
async fn withdraw(tx: &mut Tx, user_id: i64, merchant_id: i64) -> AppResult<bool> {
    sqlx::query(
        "DELETE FROM shop_roles WHERE user_id = $1 AND shop_id IN \
           (SELECT s.id FROM shops s WHERE s.merchant_id = $2) \
         AND EXISTS (SELECT 1 FROM merchant_members mm \
           WHERE mm.merchant_id = $2 AND mm.user_id = $1 AND mm.accepted_at IS NULL)",
    )
    .bind(user_id)
    .bind(merchant_id)
    .execute(&mut **tx)
    .await?;
    let removed = sqlx::query(
        "DELETE FROM merchant_members WHERE merchant_id = $1 AND user_id = $2 AND accepted_at IS NULL",
    )
    .bind(merchant_id)
    .bind(user_id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(removed == 1)
}

fn other_account(invited: &str) -> AppError {
    AppError::Conflict(format!(
        "This invitation is for {invited}. Sign out, then sign in as {invited} and open the link again."
    ))
}

struct Account {
    email: String,
    name: String,
    has_password: bool,
}

async fn account(conn: &mut AnyConnection, user_id: i64) -> AppResult<Account> {
    let (email, name, hash): (String, String, Option<String>) =
        sqlx::query_as("SELECT email, name, password_hash FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(conn)
            .await?;
    Ok(Account {
        email,
        name,
        has_password: hash.is_some(),
    })
}

/// Whether the invitation still waits for an answer: the membership is there and not
/// deactivated, and (for an account that can sign in) not yet accepted. A new account's link
/// also stands when the operator granted the membership already: it sets the password.
async fn answerable(
    conn: &mut AnyConnection,
    account: &Account,
    invitation: &Invitation,
    scope: InviteScope,
) -> AppResult<bool> {
    let membership: Option<(String, Option<i64>)> = sqlx::query_as(
        "SELECT status, accepted_at FROM merchant_members WHERE merchant_id = $1 AND user_id = $2",
    )
    .bind(scope.merchant_id)
    .bind(invitation.user_id)
    .fetch_optional(conn)
    .await?;
    Ok(match membership {
        Some((status, accepted_at)) if status == "active" => {
            !account.has_password || accepted_at.is_none()
        }
        _ => false,
    })
}

/// The inviting merchant's name and the shops of it the invitation gives, with the roles.
async fn offered(
    conn: &mut AnyConnection,
    user_id: i64,
    scope: InviteScope,
) -> AppResult<(String, Vec<InvitedShop>)> {
    let merchant: String = sqlx::query_scalar("SELECT name FROM merchants WHERE id = $1")
        .bind(scope.merchant_id)
        .fetch_one(&mut *conn)
        .await?;
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT s.name, r.role FROM shop_roles r JOIN shops s ON s.id = r.shop_id \
         WHERE r.user_id = $1 AND s.merchant_id = $2 ORDER BY s.created_at, s.name",
    )
    .bind(user_id)
    .bind(scope.merchant_id)
    .fetch_all(&mut *conn)
    .await?;
    let shops = rows
        .into_iter()
        .map(|(name, role)| {
            Ok(InvitedShop {
                name,
                role: Role::parse(&role).ok_or_else(|| internal("unknown role"))?,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok((merchant, shops))
}

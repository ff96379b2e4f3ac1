//! One code path for SQLite and PostgreSQL: sqlx's `Any` driver with portable SQL
//! (`$n` placeholders, BIGINT cents and milliseconds, `RETURNING`, `ON CONFLICT`).

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Executor, Transaction};
use std::str::FromStr;
use std::time::Duration;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DbKind {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub kind: DbKind,
    pub url: String,
}

pub type Tx = Transaction<'static, Any>;

impl DbKind {
    pub fn of_url(url: &str) -> Option<DbKind> {
        if url.starts_with("sqlite:") {
            Some(DbKind::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Some(DbKind::Postgres)
        } else {
            None
        }
    }
}

impl Db {
    /// Connects, creating the SQLite file if needed. SQLite runs in WAL mode with foreign keys
    /// on and a busy timeout, so readers never block the writer and writers queue.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Db, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let kind = DbKind::of_url(url)
            .ok_or_else(|| sqlx::Error::Configuration("unsupported database URL scheme".into()))?;
        let mut url_s = url.to_string();
        if kind == DbKind::Sqlite && !url_s.contains("mode=") {
            url_s.push_str(if url_s.contains('?') {
                "&mode=rwc"
            } else {
                "?mode=rwc"
            });
        }
        let opts = AnyConnectOptions::from_str(&url_s)?;
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if kind == DbKind::Sqlite {
                        conn.execute(
                            "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                             PRAGMA synchronous = NORMAL;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(opts)
            .await?;
        if kind == DbKind::Sqlite {
            pool.execute("PRAGMA journal_mode = WAL;").await?;
        }
        Ok(Db {
            pool,
            kind,
            url: url.to_string(),
        })
    }

    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        MIGRATOR.run(&self.pool).await
    }

    /// Starts a transaction that may read and then write. On SQLite it takes the write lock
    /// at once (`BEGIN IMMEDIATE`), so a concurrent writer makes it wait instead of failing
    /// with "database is locked"; PostgreSQL code uses conditional updates or row locks.
    pub async fn begin_write(&self) -> Result<Tx, sqlx::Error> {
        match self.kind {
            DbKind::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            DbKind::Postgres => self.pool.begin().await,
        }
    }

    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
    }
}

/// Whether an error is the violation of the named unique or check constraint. Matches by
/// constraint name where the driver reports it (PostgreSQL) and by table.column otherwise.
pub fn is_unique_violation(err: &sqlx::Error, constraint: &str, sqlite_columns: &str) -> bool {
    let sqlx::Error::Database(db) = err else {
        return false;
    };
    if !matches!(db.kind(), sqlx::error::ErrorKind::UniqueViolation) {
        return false;
    }
    match db.constraint() {
        Some(c) => c == constraint,
        None => db.message().contains(sqlite_columns),
    }
}

/// The file of a `sqlite:` URL.
pub fn sqlite_path(url: &str) -> &str {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    rest.split('?').next().unwrap_or(rest)
}

/// Runs a read on a read-only SQLite connection of its own, on a blocking thread: for long
/// reads (large aggregates, exports) that would otherwise pass every row through the
/// pool's worker threads.
pub async fn sqlite_read<T, F>(url: &str, f: F) -> Result<T, crate::error::AppError>
where
    T: Send + 'static,
    F: FnOnce(&rusqlite::Connection) -> Result<T, rusqlite::Error> + Send + 'static,
{
    let path = sqlite_path(url).to_string();
    tokio::task::spawn_blocking(move || {
        let conn = rusqlite::Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(Duration::from_secs(10))?;
        f(&conn)
    })
    .await
    .map_err(crate::server::internal)?
    .map_err(crate::server::internal)
}

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

    /// The database a pool connects to.
    pub fn of_pool(pool: &AnyPool) -> DbKind {
        let url = &pool.connect_options().database_url;
        DbKind::of_url(url.as_str()).unwrap_or(DbKind::Postgres)
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

    /// Applies the migrations (each with only its statements for this database, see
    /// [`for_dialect`]). The application's start uses `crate::server::migrate`, which
    /// also fills in what a migration left to the application.
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        let migrator = sqlx::migrate::Migrator {
            migrations: MIGRATOR
                .migrations
                .iter()
                .map(|m| sqlx::migrate::Migration {
                    sql: for_dialect(&m.sql, self.kind).into(),
                    ..m.clone()
                })
                .collect(),
            ..sqlx::migrate::Migrator::DEFAULT
        };
        migrator.run(&self.pool).await
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

/// A migration's statements for one database: lines after `-- @sqlite` are SQLite's, after
/// `-- @postgres` PostgreSQL's, after `-- @both` (and before any marker) both's. The other
/// database's lines become empty, so line numbers in errors stay those of the file; the
/// checksum stays the file's, so a changed file is still caught.
pub fn for_dialect(sql: &str, kind: DbKind) -> String {
    let mut keep = true;
    sql.lines()
        .map(|line| {
            match line.trim() {
                "-- @sqlite" => keep = kind == DbKind::Sqlite,
                "-- @postgres" => keep = kind == DbKind::Postgres,
                "-- @both" => keep = true,
                _ => {}
            }
            if keep {
                line
            } else {
                ""
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_database_gets_the_shared_lines_and_its_own() {
        let sql = "A;\n-- @sqlite\nS;\n-- @postgres\nP;\n-- @both\nB;";
        assert_eq!(
            for_dialect(sql, DbKind::Sqlite),
            "A;\n-- @sqlite\nS;\n\n\n-- @both\nB;"
        );
        assert_eq!(
            for_dialect(sql, DbKind::Postgres),
            "A;\n\n\n-- @postgres\nP;\n-- @both\nB;"
        );
        // Every landed migration but 0009, 0013 and 0017 (search, dashboard and statement
        // triggers) is shared as it is.
        for m in MIGRATOR
            .migrations
            .iter()
            .filter(|m| ![9, 13, 17].contains(&m.version))
        {
            assert_eq!(
                for_dialect(&m.sql, DbKind::Sqlite),
                m.sql.trim_end_matches('\n')
            );
        }
    }
}

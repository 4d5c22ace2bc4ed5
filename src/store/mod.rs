//! Storage: the only module with SQL. SQLite through sqlx, schema in `migrations/`.

/// The storage port the engine uses.
pub trait Store: Send + Sync {}

/// Why storage failed: an internal fault, never a user mistake.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error")]
    Database(#[from] sqlx::Error),
}

/// The SQLite store. Cheap to clone (a connection pool).
#[derive(Clone, Debug)]
pub struct SqliteStore {
    pool: sqlx::SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if missing) and migrates the database at `url`.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let pool = sqlx::SqlitePool::connect(url).await?;
        Ok(Self { pool })
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

impl Store for SqliteStore {}

//! The team database's schema: numbered migrations in `team-migrations/`, applied by an owner
//! role (`kefu team migrate`) in one transaction each and tracked in `kefu.schema_version`;
//! desktops refuse a schema older or newer than they know. Agents are added as LOGIN roles in
//! the group role `kefu_agents` (`kefu team add-agent`).

use super::TeamError;
use tokio_postgres::Client;

/// Numbered migrations; never edit a shipped one, append a new one.
const MIGRATIONS: &[&str] = &[
    include_str!("../../team-migrations/001_team.sql"),
    include_str!("../../team-migrations/002_report.sql"),
    include_str!("../../team-migrations/003_canned.sql"),
    include_str!("../../team-migrations/004_survey_answer.sql"),
];

/// The schema version this binary needs.
pub const SUPPORTED_VERSION: i32 = MIGRATIONS.len() as i32;

async fn admin(url: &str) -> Result<Client, TeamError> {
    let target = super::tls::parse(url, "admin database")?;
    let (client, connection) = target.config.connect(target.tls).await?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!(error = %super::redact(&e.to_string()), "admin connection ended");
        }
    });
    Ok(client)
}

/// Applies the migrations this database lacks, as the role in `admin_url` (it owns the schema).
/// Returns the version now in place.
pub async fn migrate(admin_url: &str) -> Result<i32, TeamError> {
    let mut client = admin(admin_url).await?;
    let tx = client.transaction().await?;
    // Two desktops migrating at once: the second waits, then finds nothing to do.
    tx.batch_execute(
        "SELECT pg_advisory_xact_lock(1801807477, 1);
         CREATE SCHEMA IF NOT EXISTS kefu;
         CREATE TABLE IF NOT EXISTS kefu.schema_version (version integer NOT NULL);",
    )
    .await?;
    let found: i32 = tx
        .query_one(
            "SELECT COALESCE(max(version), 0) FROM kefu.schema_version",
            &[],
        )
        .await?
        .get(0);
    if found > SUPPORTED_VERSION {
        return Err(TeamError::Schema {
            found,
            supported: SUPPORTED_VERSION,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        tx.batch_execute(sql).await?;
        tx.execute(
            "INSERT INTO kefu.schema_version VALUES ($1)",
            &[&(i as i32 + 1)],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(SUPPORTED_VERSION)
}

/// Whether `name` can be an agent: a plain PostgreSQL role name (it is an identifier in SQL).
fn valid_agent_name(name: &str) -> bool {
    (1..=63).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && !name.starts_with("pg_")
}

/// Adds (or updates the password of) an agent: a LOGIN role in `kefu_agents` and its row.
pub async fn add_agent(
    admin_url: &str,
    name: &str,
    password: &kefu_wechat::Secret,
    capacity: i32,
) -> Result<(), TeamError> {
    if !valid_agent_name(name) {
        return Err(TeamError::Config(
            "an agent name is 1–63 of a-z, 0-9 and _, not starting with a digit or pg_".into(),
        ));
    }
    let client = admin(admin_url).await?;
    let exists = client
        .query_opt("SELECT 1 FROM pg_roles WHERE rolname = $1", &[&name])
        .await?
        .is_some();
    // Role names cannot be parameters; the name was checked above and the password is quoted
    // by the server's own quote_literal.
    let quoted: String = client
        .query_one("SELECT quote_literal($1::text)", &[&password.expose()])
        .await?
        .get(0);
    let verb = if exists { "ALTER" } else { "CREATE" };
    client
        .batch_execute(&format!(
            "{verb} ROLE {name} LOGIN PASSWORD {quoted}; GRANT kefu_agents TO {name};"
        ))
        .await?;
    client
        .execute(
            "INSERT INTO kefu.agent (name, capacity) VALUES ($1, $2)
             ON CONFLICT (name) DO UPDATE SET capacity = excluded.capacity",
            &[&name, &capacity],
        )
        .await?;
    Ok(())
}

/// Turns round-robin assignment of waiting customers on or off for the team.
pub async fn set_auto_assign(admin_url: &str, on: bool) -> Result<(), TeamError> {
    let client = admin(admin_url).await?;
    client
        .execute(
            "UPDATE kefu.setting SET value = $1 WHERE key = 'auto_assign'",
            &[&if on { "on" } else { "off" }],
        )
        .await?;
    Ok(())
}

/// Refuses a database whose schema this binary does not match.
pub(super) async fn check(client: &Client) -> Result<(), TeamError> {
    let found: i32 = match client
        .query_one(
            "SELECT COALESCE(max(version), 0) FROM kefu.schema_version",
            &[],
        )
        .await
    {
        Ok(row) => row.get(0),
        Err(e) if e.as_db_error().is_some() => 0,
        Err(e) => return Err(e.into()),
    };
    if found != SUPPORTED_VERSION {
        return Err(TeamError::Schema {
            found,
            supported: SUPPORTED_VERSION,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::valid_agent_name;

    #[test]
    fn agent_names_are_plain_identifiers() {
        for ok in ["ann", "bob_2", "a"] {
            assert!(valid_agent_name(ok), "{ok}");
        }
        for bad in [
            "",
            "Ann",
            "1ann",
            "ann;drop",
            "ann bob",
            "pg_x",
            "\"x\"",
            &"a".repeat(64),
        ] {
            assert!(!valid_agent_name(bad), "{bad:?} must be refused");
        }
    }
}

//! A throw-away PostgreSQL cluster for tests and trials: Debian's `initdb` and `pg_ctl` in a
//! temporary directory, on a free loopback port, password authentication, stopped (and its
//! files removed) on drop. Run as root, the server runs as the `postgres` user (it refuses root).

use std::path::PathBuf;
use std::process::Command;

/// The cluster's superuser (owner of the team schema).
pub const ADMIN: &str = "kefu_admin";
/// Its password.
pub const ADMIN_PASSWORD: &str = "kefu-admin-password";

/// A running cluster.
pub struct Cluster {
    dir: tempfile_dir::Dir,
    bin: PathBuf,
    /// Its port on 127.0.0.1.
    pub port: u16,
}

mod tempfile_dir {
    //! A directory removed on drop (std has none).
    use std::path::{Path, PathBuf};

    pub struct Dir(pub PathBuf);

    impl Dir {
        pub fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// Where Debian keeps the server binaries (the newest version installed).
pub fn server_bin() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop()
}

fn is_root() -> bool {
    std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
        .unwrap_or(false)
}

fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

impl Cluster {
    /// initdb + start; an error says what is missing.
    pub fn start() -> Result<Self, String> {
        Self::start_with(None)
    }

    /// Like [`Cluster::start`], serving TLS only (plain connections are rejected) with this
    /// certificate and key (PEM files).
    pub fn start_tls(cert: &std::path::Path, key: &std::path::Path) -> Result<Self, String> {
        Self::start_with(Some((cert, key)))
    }

    fn start_with(tls: Option<(&std::path::Path, &std::path::Path)>) -> Result<Self, String> {
        let bin = server_bin().ok_or("PostgreSQL server binaries not found under /usr/lib/postgresql (apt install postgresql)")?;
        let base = std::env::temp_dir().join(format!(
            "kefu-pg-{}-{}",
            std::process::id(),
            free_port().map_err(|e| e.to_string())?
        ));
        std::fs::create_dir_all(&base).map_err(|e| e.to_string())?;
        let dir = tempfile_dir::Dir(base);
        let data = dir.path().join("data");
        let pwfile = dir.path().join("pw");
        std::fs::write(&pwfile, ADMIN_PASSWORD).map_err(|e| e.to_string())?;
        if is_root() {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status()
                .map_err(|e| e.to_string())?;
            if !status.success() {
                return Err("chown to the postgres user failed".into());
            }
        }
        let port = free_port().map_err(|e| e.to_string())?;
        let cluster = Self { dir, bin, port };
        cluster.run(
            "initdb",
            &[
                "-D",
                &data.to_string_lossy(),
                "-U",
                ADMIN,
                "--pwfile",
                &pwfile.to_string_lossy(),
                "--auth=scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
        )?;
        if let Some((cert, key)) = tls {
            cluster.serve_tls(cert, key)?;
        }
        cluster.pg_ctl("start")?;
        Ok(cluster)
    }

    fn serve_tls(&self, cert: &std::path::Path, key: &std::path::Path) -> Result<(), String> {
        use std::os::unix::fs::PermissionsExt;
        let data = self.data();
        let e = |e: std::io::Error| e.to_string();
        std::fs::copy(cert, data.join("server.crt")).map_err(e)?;
        std::fs::copy(key, data.join("server.key")).map_err(e)?;
        std::fs::set_permissions(
            data.join("server.key"),
            std::fs::Permissions::from_mode(0o600),
        )
        .map_err(e)?;
        let conf = data.join("postgresql.conf");
        let mut text = std::fs::read_to_string(&conf).map_err(e)?;
        text.push_str("\nssl = on\n");
        std::fs::write(&conf, text).map_err(e)?;
        let hba = data.join("pg_hba.conf");
        let text = std::fs::read_to_string(&hba).map_err(e)?;
        std::fs::write(&hba, format!("hostnossl all all all reject\n{text}")).map_err(e)?;
        if is_root() {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&data)
                .status()
                .map_err(e)?;
            if !status.success() {
                return Err("chown to the postgres user failed".into());
            }
        }
        Ok(())
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn run(&self, tool: &str, args: &[&str]) -> Result<(), String> {
        let program = self.bin.join(tool);
        let output = if is_root() {
            Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(&program)
                .args(args)
                .output()
        } else {
            Command::new(&program).args(args).output()
        }
        .map_err(|e| format!("{tool}: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "{tool} failed: {}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        Ok(())
    }

    fn pg_ctl(&self, verb: &str) -> Result<(), String> {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -c fsync=off -c max_connections=300",
            self.port,
            self.dir.path().display()
        );
        let data = self.data();
        let log = self.dir.path().join("log");
        let mut args = vec![
            "-D",
            data.to_str().unwrap_or_default(),
            "-l",
            log.to_str().unwrap_or_default(),
            "-w",
            "-t",
            "30",
            "-m",
            "fast",
        ];
        if verb != "stop" {
            args.extend(["-o", &options]);
        }
        args.push(verb);
        self.run("pg_ctl", &args)
    }

    /// Stops the server (fast shutdown: connections are cut).
    pub fn stop(&self) -> Result<(), String> {
        self.pg_ctl("stop")
    }

    /// Starts it again after [`Cluster::stop`], on the same port.
    pub fn restart(&self) -> Result<(), String> {
        self.pg_ctl("start")
    }

    /// The URL of `user` with `password` on database `db`.
    pub fn url(&self, user: &str, password: &str, db: &str) -> String {
        format!("postgres://{user}:{password}@127.0.0.1:{}/{db}", self.port)
    }

    /// The superuser's URL on database `db`.
    pub fn admin_url(&self, db: &str) -> String {
        self.url(ADMIN, ADMIN_PASSWORD, db)
    }

    /// Creates database `db` with the team schema and these agents (name, password) on a plain
    /// (not TLS-only) cluster; returns
    /// the owner's URL of it.
    pub async fn team_database(
        &self,
        db: &str,
        agents: &[(&str, &str)],
    ) -> Result<String, super::TeamError> {
        let (client, connection) =
            tokio_postgres::connect(&self.admin_url("postgres"), tokio_postgres::NoTls).await?;
        let task = tokio::spawn(connection);
        client
            .batch_execute(&format!("CREATE DATABASE \"{}\"", db.replace('"', "")))
            .await?;
        drop(client);
        let _ = task.await;
        let admin = self.admin_url(db);
        super::migrate(&admin).await?;
        for (name, password) in agents {
            super::add_agent(&admin, name, &kefu_wechat::Secret::new(*password), 10).await?;
        }
        Ok(admin)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.run(
            "pg_ctl",
            &[
                "-D",
                self.data().to_str().unwrap_or_default(),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
        );
    }
}

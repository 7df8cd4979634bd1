//! TLS to the team database. The URL's `sslmode` decides: `disable` never, `prefer` (the
//! default) when the server offers it, `require` (and libpq's `verify-ca` / `verify-full`)
//! always. With TLS the server's certificate is always verified, name included, against the
//! Mozilla roots and the CA named by the URL's `sslrootcert` (a PEM file, as libpq spells it).

use super::TeamError;
use std::path::PathBuf;
use std::sync::Arc;
use tokio_postgres::Config;
use tokio_postgres_rustls::MakeRustlsConnect;

/// A parsed team database URL and the TLS connector it asks for.
pub struct Target {
    pub config: Config,
    pub tls: MakeRustlsConnect,
}

/// Parses `url` (URL or key=value form); `what` names it in errors (never its text: it may
/// hold a password).
pub fn parse(url: &str, what: &str) -> Result<Target, TeamError> {
    let (url, root) = take_root_cert(url);
    let config: Config = url
        .parse()
        .map_err(|_| TeamError::Config(format!("the {what} URL is not valid")))?;
    Ok(Target {
        config,
        tls: connector(root)?,
    })
}

/// Removes `sslrootcert` (tokio-postgres does not know it) and maps libpq's verifying modes to
/// `require` (this connector always verifies).
fn take_root_cert(url: &str) -> (String, Option<PathBuf>) {
    let mut root = None;
    let mut keep = |key: &str, value: &str| -> Option<String> {
        match key {
            "sslrootcert" => {
                root = Some(PathBuf::from(percent_decode(value)));
                None
            }
            "sslmode" if value == "verify-ca" || value == "verify-full" => {
                Some(format!("{key}=require"))
            }
            _ => Some(format!("{key}={value}")),
        }
    };
    let rewritten = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        match url.split_once('?') {
            Some((base, query)) => {
                let params: Vec<String> = query
                    .split('&')
                    .filter(|p| !p.is_empty())
                    .filter_map(|p| {
                        let (k, v) = p.split_once('=').unwrap_or((p, ""));
                        keep(k, v)
                    })
                    .collect();
                if params.is_empty() {
                    base.to_owned()
                } else {
                    format!("{base}?{}", params.join("&"))
                }
            }
            None => url.to_owned(),
        }
    } else {
        url.split_whitespace()
            .filter_map(|p| match p.split_once('=') {
                Some((k, v)) => keep(k, v),
                None => Some(p.to_owned()),
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    (rewritten, root)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn connector(root: Option<PathBuf>) -> Result<MakeRustlsConnect, TeamError> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = root {
        let certs = CertificateDer::pem_file_iter(&path)
            .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
            .map_err(|e| {
                TeamError::Config(format!("sslrootcert {} not read: {e}", path.display()))
            })?;
        for cert in certs {
            roots
                .add(cert)
                .map_err(|e| TeamError::Config(format!("sslrootcert {}: {e}", path.display())))?;
        }
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| TeamError::Config(format!("TLS: {e}")))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

#[cfg(test)]
mod tests {
    use super::take_root_cert;
    use std::path::PathBuf;

    #[test]
    fn sslrootcert_is_taken_out_and_verifying_modes_become_require() {
        assert_eq!(
            take_root_cert(
                "postgres://a:p@h/db?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem&application_name=x"
            ),
            (
                "postgres://a:p@h/db?sslmode=require&application_name=x".into(),
                Some(PathBuf::from("/etc/ca.pem"))
            )
        );
        assert_eq!(
            take_root_cert("host=h user=a sslrootcert=/ca.pem sslmode=verify-ca"),
            (
                "host=h user=a sslmode=require".into(),
                Some(PathBuf::from("/ca.pem"))
            )
        );
        assert_eq!(
            take_root_cert("postgres://a@h/db?sslrootcert=/ca.pem"),
            ("postgres://a@h/db".into(), Some(PathBuf::from("/ca.pem")))
        );
        assert_eq!(
            take_root_cert("postgres://a@h/db"),
            ("postgres://a@h/db".into(), None)
        );
    }
}

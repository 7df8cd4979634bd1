//! Received files leaving the app: opened with the system application, or saved into the
//! downloads folder.
//!
//! A stored file is named by the app (`media/<sha256>.<ext>`); the name the customer sent is only
//! a hint. [`outside_name`] makes the name a copy gets: the last part of the sent name with
//! anything a file system or a shell could read as structure replaced, the extension kept, never
//! empty, never hidden, never a path. [`save_copy`] never overwrites (`name (2).ext`, …).
//! [`open_copy`] puts the copy under `<data>/open/<hash>/` and hands it to the opener as one
//! argument, never through a shell; a file that looks like a program ([`looks_executable`]) is
//! not opened, only saved. The opener does not inherit what the desktop set in its own
//! environment at start ([`STARTUP_ENV_VAR`]): those tune this app's WebKit, not the user's
//! applications.

use std::fs::OpenOptions;
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};

/// Longest name a copy gets, in characters (extension included).
const MAX_NAME: usize = 80;

/// Extensions that run code when the desktop "opens" them.
const PROGRAM_EXTENSIONS: &[&str] = &[
    "app", "appimage", "apk", "bash", "bat", "bin", "cmd", "com", "command", "cpl", "csh", "deb",
    "desktop", "dmg", "exe", "hta", "jar", "js", "jse", "ksh", "lnk", "msi", "msp", "pkg", "pl",
    "ps1", "py", "pyw", "rb", "reg", "rpm", "run", "scr", "sh", "vbe", "vbs", "ws", "wsf", "zsh",
];

/// Why a file could not leave the app.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// Reading the stored file or writing the copy failed.
    #[error("could not copy the file: {0}")]
    Io(#[from] std::io::Error),
    /// The file looks like a program; it may be saved but is not opened.
    #[error("this file looks like a program ({0}); save it and check it before running it")]
    Program(String),
    /// The opener could not be started.
    #[error("could not start {program}: {error}")]
    Opener {
        /// The opener.
        program: String,
        /// What went wrong.
        error: std::io::Error,
    },
}

/// The desktop's opener: `KEFU_DESK_OPENER` when set, else `xdg-open` (`open` on macOS).
pub fn opener_program() -> PathBuf {
    std::env::var_os("KEFU_DESK_OPENER")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(if cfg!(target_os = "macos") {
                "open"
            } else {
                "xdg-open"
            })
        })
}

/// Names, comma-separated, of the variables the desktop added to its own environment when it
/// started (and only those: a variable the user had set is not listed). Listed variables, and
/// this one, are removed from the opener's environment.
pub const STARTUP_ENV_VAR: &str = "KEFU_STARTUP_ENV";

/// The opener's command: `program arg`, without the variables `startup_env` lists (the value
/// of [`STARTUP_ENV_VAR`]) and without that variable.
fn opener_command(
    program: &Path,
    arg: &std::ffi::OsStr,
    startup_env: Option<&std::ffi::OsStr>,
) -> std::process::Command {
    let mut command = std::process::Command::new(program);
    command.arg(arg).env_remove(STARTUP_ENV_VAR);
    if let Some(names) = startup_env.and_then(|names| names.to_str()) {
        for name in names.split(',').filter(|name| !name.is_empty()) {
            command.env_remove(name);
        }
    }
    command
}

/// Hands one argument (a checked URL or a path the app made) to the opener; the opener is
/// reaped when it exits.
pub fn run_opener(program: &Path, arg: &std::ffi::OsStr) -> Result<(), FileError> {
    let startup_env = std::env::var_os(STARTUP_ENV_VAR);
    let mut child = opener_command(program, arg, startup_env.as_deref())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|error| FileError::Opener {
            program: program.display().to_string(),
            error,
        })?;
    std::thread::spawn(move || child.wait());
    Ok(())
}

/// Zero-width and bidirectional-control characters: invisible, and able to make `exe.txt` read
/// as `txt.exe`. Dropped from names.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

/// Characters a file system or a shell reads as structure. Replaced in names.
fn is_unsafe_char(c: char) -> bool {
    c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|')
}

/// The extension of a name: ASCII letters and digits, at most 10, lowercased.
fn extension_of(name: &str) -> Option<String> {
    let (stem, ext) = name.rsplit_once('.')?;
    (!stem.is_empty()
        && (1..=10).contains(&ext.len())
        && ext.bytes().all(|b| b.is_ascii_alphanumeric()))
    .then(|| ext.to_ascii_lowercase())
}

/// The name a copy of a stored file gets. `sent` is the name the customer sent (a hint only);
/// `stored` is the app's relative path, whose extension is used when the sent name has none.
pub fn outside_name(sent: Option<&str>, stored: &str) -> String {
    let sent = sent.unwrap_or_default();
    // Only the last part of anything that looks like a path.
    let last = sent.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|&c| !is_invisible(c))
        .map(|c| if is_unsafe_char(c) { '_' } else { c })
        .collect();
    let cleaned = cleaned.trim_matches(|c: char| c.is_whitespace() || c == '.' || c == '-');
    let stored_name = stored.rsplit('/').next().unwrap_or_default();
    let stored_ext = extension_of(stored_name).filter(|e| e != "bin");
    let (stem, ext) = match extension_of(cleaned) {
        Some(ext) => (
            cleaned[..cleaned.len() - ext.len() - 1].trim_end_matches(['.', ' ']),
            Some(ext),
        ),
        None => (cleaned, stored_ext),
    };
    let stem = if stem.is_empty() {
        let hash: String = stored_name.chars().take(8).collect();
        format!("kefu-{hash}")
    } else {
        stem.to_owned()
    };
    let room = MAX_NAME - ext.as_ref().map_or(0, |e| e.len() + 1);
    let stem: String = stem.chars().take(room).collect();
    match ext {
        Some(ext) => format!("{stem}.{ext}"),
        None => stem,
    }
}

/// Why a file would run code if opened: its extension, or its first bytes (an ELF or Windows
/// program, a script with `#!`, a desktop entry). `None` for an ordinary document.
pub fn looks_executable(name: &str, head: &[u8]) -> Option<String> {
    if let Some(ext) = extension_of(name)
        && PROGRAM_EXTENSIONS.contains(&ext.as_str())
    {
        return Some(format!(".{ext}"));
    }
    let magic: &[(&[u8], &str)] = &[
        (b"\x7fELF", "ELF"),
        (b"MZ", "Windows program"),
        (b"#!", "script"),
        (b"[Desktop Entry]", "desktop entry"),
    ];
    magic
        .iter()
        .find(|(m, _)| head.starts_with(m))
        .map(|(_, what)| (*what).to_owned())
}

fn head_of(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut head = vec![0u8; 64];
    let n = std::fs::File::open(path)?.read(&mut head)?;
    head.truncate(n);
    Ok(head)
}

/// Copies `source` to a new file in `dir` named `name`, or `name (2)`, `name (3)`, … when taken;
/// never overwrites. Returns the path written.
pub fn save_copy(source: &Path, dir: &Path, name: &str) -> Result<PathBuf, FileError> {
    std::fs::create_dir_all(dir)?;
    let bytes = std::fs::read(source)?;
    let (stem, ext) = match extension_of(name) {
        Some(ext) => (&name[..name.len() - ext.len() - 1], format!(".{ext}")),
        None => (name, String::new()),
    };
    for n in 1..10_000 {
        let candidate = if n == 1 {
            dir.join(name)
        } else {
            dir.join(format!("{stem} ({n}){ext}"))
        };
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(mut f) => {
                f.write_all(&bytes)?;
                f.sync_all()?;
                return Ok(candidate);
            }
            Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(std::io::Error::new(ErrorKind::AlreadyExists, "too many files with this name").into())
}

/// Makes the copy the system application opens: `<data>/open/<hash>/<name>`, where `<hash>` is
/// the stored file's name without its extension (one folder per file, so the same file opened
/// twice is the same copy). Refuses files that look like programs.
pub fn open_copy(data_dir: &Path, stored: &str, name: &str) -> Result<PathBuf, FileError> {
    let source = data_dir.join(stored);
    if let Some(why) = looks_executable(name, &head_of(&source)?) {
        return Err(FileError::Program(why));
    }
    let folder: String = stored
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .split('.')
        .next()
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let dir = data_dir.join("open").join(folder);
    std::fs::create_dir_all(&dir)?;
    let target = dir.join(name);
    let fresh = std::fs::metadata(&target)
        .and_then(|t| Ok(t.len() == std::fs::metadata(&source)?.len()))
        .unwrap_or(false);
    if !fresh {
        let tmp = dir.join(".part");
        std::fs::copy(&source, &tmp)?;
        std::fs::rename(&tmp, &target)?;
    }
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_opener_does_not_inherit_what_the_desktop_set_for_itself() {
        let command = opener_command(
            Path::new("xdg-open"),
            std::ffi::OsStr::new("/tmp/a.pdf"),
            Some(std::ffi::OsStr::new("GDK_GL,JSC_useDFGJIT")),
        );
        let mut removed: Vec<_> = command
            .get_envs()
            .filter(|(_, value)| value.is_none())
            .map(|(name, _)| name.to_string_lossy().into_owned())
            .collect();
        removed.sort();
        assert_eq!(removed, ["GDK_GL", "JSC_useDFGJIT", STARTUP_ENV_VAR]);
        assert_eq!(command.get_args().collect::<Vec<_>>(), ["/tmp/a.pdf"]);

        let plain = opener_command(Path::new("xdg-open"), std::ffi::OsStr::new("x"), None);
        let removed: Vec<_> = plain.get_envs().map(|(name, _)| name.to_owned()).collect();
        assert_eq!(removed, [STARTUP_ENV_VAR]);
    }

    const STORED: &str =
        "media/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.pdf";

    #[test]
    fn outside_names_are_never_paths_and_keep_the_extension() {
        assert_eq!(
            outside_name(Some("发票申请表.pdf"), STORED),
            "发票申请表.pdf"
        );
        assert_eq!(outside_name(Some("../../.bashrc"), STORED), "bashrc.pdf");
        assert_eq!(
            outside_name(Some("C:\\Users\\a\\报价.XLSX"), STORED),
            "报价.xlsx"
        );
        assert_eq!(outside_name(Some("a:b*c?.txt"), STORED), "a_b_c_.txt");
        assert_eq!(outside_name(Some("-rf .pdf"), STORED), "rf.pdf");
        // A right-to-left override cannot make "exe.txt" read as "txt.exe".
        assert_eq!(
            outside_name(Some("invoice\u{202e}fdp.exe"), STORED),
            "invoicefdp.exe"
        );
        assert_eq!(outside_name(None, STORED), "kefu-01234567.pdf");
        assert_eq!(outside_name(Some(".."), STORED), "kefu-01234567.pdf");
        let bin = STORED.replace(".pdf", ".bin");
        assert_eq!(outside_name(Some("清单"), &bin), "清单");
        let long = format!("{}.docx", "长".repeat(200));
        let name = outside_name(Some(&long), STORED);
        assert_eq!(name.chars().count(), MAX_NAME);
        assert!(name.ends_with(".docx"));
    }

    #[test]
    fn programs_are_recognised_by_name_or_content() {
        assert_eq!(looks_executable("setup.EXE", b"").as_deref(), Some(".exe"));
        assert_eq!(
            looks_executable("run.desktop", b"").as_deref(),
            Some(".desktop")
        );
        assert_eq!(
            looks_executable("report.pdf", b"#!/bin/sh\n").as_deref(),
            Some("script")
        );
        assert_eq!(
            looks_executable("a.pdf", b"\x7fELF\x02").as_deref(),
            Some("ELF")
        );
        assert_eq!(
            looks_executable("a.txt", b"[Desktop Entry]\nExec=x").as_deref(),
            Some("desktop entry")
        );
        assert_eq!(looks_executable("报价.xlsx", b"PK\x03\x04"), None);
        assert_eq!(looks_executable("a.pdf", b"%PDF-1.4"), None);
    }

    #[test]
    fn saving_never_overwrites() {
        let dir = tempfile::tempdir().expect("tempdir");
        let src = dir.path().join("src.bin");
        std::fs::write(&src, b"one").expect("write");
        let out = dir.path().join("downloads");
        let a = save_copy(&src, &out, "报价.xlsx").expect("save");
        std::fs::write(&src, b"two").expect("write");
        let b = save_copy(&src, &out, "报价.xlsx").expect("save");
        assert_eq!(a, out.join("报价.xlsx"));
        assert_eq!(b, out.join("报价 (2).xlsx"));
        assert_eq!(std::fs::read(&a).expect("read"), b"one");
        assert_eq!(std::fs::read(&b).expect("read"), b"two");
    }

    #[test]
    fn open_copies_live_in_one_folder_per_file_and_programs_stay_closed() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("media")).expect("mkdir");
        std::fs::write(dir.path().join(STORED), b"%PDF-1.4 test").expect("write");
        let copy = open_copy(dir.path(), STORED, "发票.pdf").expect("open");
        assert_eq!(
            copy,
            dir.path().join(
                "open/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef/发票.pdf"
            )
        );
        assert_eq!(std::fs::read(&copy).expect("read"), b"%PDF-1.4 test");
        assert_eq!(
            open_copy(dir.path(), STORED, "发票.pdf").expect("again"),
            copy
        );
        std::fs::write(dir.path().join(STORED), b"#!/bin/sh\nrm -rf ~").expect("write");
        assert!(matches!(
            open_copy(dir.path(), STORED, "x.pdf"),
            Err(FileError::Program(_))
        ));
        assert!(matches!(
            open_copy(dir.path(), STORED, "x.desktop"),
            Err(FileError::Program(_))
        ));
    }
}

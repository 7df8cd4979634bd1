//! Embeds the scenario media files so the emulator binary (and the desktop app that embeds it)
//! needs nothing from the source tree at run time.

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    let dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"))
        .join("scenarios/media");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("scenarios/media exists")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().into_string().expect("media names are UTF-8"))
        .collect();
    names.sort();
    let mut code = String::from(
        "/// Scenario media: (file name, bytes).\npub const MEDIA: &[(&str, &[u8])] = &[\n",
    );
    for name in names {
        let path = dir.join(&name);
        writeln!(
            code,
            "    ({name:?}, include_bytes!({:?})),",
            path.display().to_string()
        )
        .expect("write to string");
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it")).join("media.rs");
    std::fs::write(out, code).expect("write generated media list");
}

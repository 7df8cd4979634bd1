//! The corp secret through the real OS keyring (Secret Service over D-Bus). Needs a session bus
//! with an unlocked Secret Service, so it is run by hand, e.g.:
//!
//! ```sh
//! dbus-run-session -- bash -c 'printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null
//!   cargo test -p kefu-core --test all keyring -- --ignored'
//! ```

use kefu_core::settings::{Keyring, SecretStore};

#[test]
#[ignore = "needs a Secret Service on the session bus (see the module comment)"]
fn the_secret_round_trips_through_the_os_keyring() {
    let k = Keyring::named("com.kefudesk.desktop.test", "round-trip");
    k.set("s3cr3t-for-the-test").expect("stored in the keyring");
    let got = k.get().expect("read back").expect("present");
    assert_eq!(got.expose(), "s3cr3t-for-the-test");
    assert!(
        !format!("{got:?}").contains("s3cr3t"),
        "the secret never prints"
    );
    k.delete().expect("removed");
    assert!(k.get().expect("read").is_none(), "deleted means gone");
    k.delete().expect("deleting nothing is fine");
}

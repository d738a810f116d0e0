//! Without the `adb` program, `AdbServer::start` says what is missing and how
//! to get it. (Its own test binary: it changes the process environment.)

use farmhand::ErrorKind;
use farmhand_sim::adb_server::ADB_ENV;
use farmhand_sim::AdbServer;

#[test]
fn a_missing_adb_is_a_clear_error() {
    // The only test of this binary, so no other thread reads the environment meanwhile.
    std::env::set_var(ADB_ENV, "/nonexistent/adb");
    let err = AdbServer::start().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Device);
    let text = err.to_string();
    assert!(text.contains("/nonexistent/adb"), "{text}");
    assert!(text.contains("apt-get install adb"), "{text}");
    assert!(AdbServer::attach(5037).is_err());
}

//! Quick start: a workspace file, a few accounts, filters, tags, devices and a 2FA code.
//!
//! Run: `cargo run -p farmhand-examples --example quickstart [WORKSPACE_FILE]`
//! (without an argument the workspace is a temporary file, removed at the end).

use farmhand::store::AccountFilter;
use farmhand::{NewAccount, Platform, Workspace};

fn main() -> farmhand::Result<()> {
    let temp = tempfile::tempdir().map_err(|e| farmhand::Error::io(std::env::temp_dir(), e))?;
    let path = std::env::args_os()
        .nth(1)
        .map(Into::into)
        .unwrap_or_else(|| temp.path().join("workspace.db"));
    let ws = Workspace::open(&path)?;
    println!("workspace: {}", path.display());

    // `@Alice`, ` alice ` and `ALICE` are one account; it has a password and a 2FA key.
    let alice = ws.add(
        NewAccount::new(Platform::TikTok, "@Alice")
            .email("alice@example.com")
            .password("hunter2")
            .totp_key("JBSWY3DPEHPK3PXP")
            .device("emulator-5554")
            .tags(["eu"]),
    )?;
    ws.add(NewAccount::new(Platform::TikTok, "bob").password("s3cret"))?;
    let carol = ws.add(NewAccount::new(Platform::Instagram, "carol").device("emulator-5554"))?;
    ws.disable(carol.id)?;
    // Usernames are unique per platform, whatever their case.
    if let Err(e) = ws.add(NewAccount::new(Platform::TikTok, "ALICE")) {
        println!("adding ALICE again: {e}");
    }

    println!("accounts: {}", ws.count(&AccountFilter::default())?);
    for account in ws.list(&AccountFilter::default())? {
        // Debug output redacts the password: printing an account never leaks it.
        println!(
            "  #{} {} {} device={:?} status={} password={:?}",
            account.id,
            account.platform,
            account.username,
            account.device,
            account.status,
            account.password
        );
    }
    let eligible: Vec<String> = ws
        .eligible(&AccountFilter::default())?
        .iter()
        .map(|a| a.username.to_string())
        .collect();
    println!("eligible for automation (disabled ones never are): {eligible:?}");

    ws.add_tags(alice.id, ["warm"])?;
    let on_phone = ws.list(&AccountFilter {
        device: Some(Some("emulator-5554".into())),
        ..AccountFilter::default()
    })?;
    println!("on emulator-5554: {}", on_phone.len());
    for device in ws.devices()? {
        println!("device #{} {}", device.index, device.serial);
    }

    if let Some(credentials) = ws.get(alice.id)?.credentials()? {
        if let Some(totp) = credentials.totp {
            println!(
                "alice logs in as {} with 2FA code {} ({}s left)",
                credentials.login.as_str(),
                totp.code_now(),
                totp.seconds_left()
            );
        }
    }
    Ok(())
}

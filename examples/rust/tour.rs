//! A short tour of the engine: a SQLite workspace file, accounts with 2FA, a
//! filtered listing and live authenticator codes.
//!
//! Run: `cargo run -p farmhand-examples --example tour [PATH]` (PATH: the workspace file
//! to create; a temporary one by default).

use std::path::PathBuf;

use farmhand::store::AccountFilter;
use farmhand::{NewAccount, Platform, Workspace};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let path = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| dir.path().join("tour.farmhand"));
    let ws = Workspace::open(&path)?;
    println!("workspace: {}", path.display());

    for new in [
        NewAccount::new(Platform::TikTok, "@dance.daily")
            .email("dance@example.com")
            .password("s3cret")
            .totp_key("JBSWY3DPEHPK3PXP")
            .device("emulator-5554")
            .tags(["us", "warmup"]),
        NewAccount::new(Platform::TikTok, "cooking_clips")
            .password("hunter2")
            .device("192.168.1.20:5555"),
        NewAccount::new(Platform::Instagram, "travel.snaps")
            .password("pa55")
            .totp_key("GEZD GNBV GY3T QOJQ")
            .device("emulator-5554"),
    ] {
        match ws.find(new.platform, &new.username)? {
            Some(existing) => println!("already there: {} #{}", existing.username, existing.id),
            None => {
                let account = ws.add(new)?;
                println!(
                    "added {} {} (#{})",
                    account.platform, account.username, account.id
                );
            }
        }
    }
    let cooking = ws
        .find(Platform::TikTok, "COOKING_CLIPS")?
        .expect("added above");
    ws.disable(cooking.id)?;

    println!("\neligible for automation:");
    for account in ws.eligible(&AccountFilter::default())? {
        let code = account
            .credentials()?
            .and_then(|c| c.totp)
            .map(|key| format!("2FA {} ({} s left)", key.code_now(), key.seconds_left()))
            .unwrap_or_else(|| "no 2FA".into());
        println!(
            "  #{:<3} {:<9} {:<14} phone {} [{}]  {code}",
            account.id,
            account.platform,
            account.username,
            account.device_index.map_or("-".into(), |i| i.to_string()),
            account.tags.join(","),
        );
    }
    println!("\nphones:");
    for device in ws.devices()? {
        println!("  {:>2}: {}", device.index, device.serial);
    }
    println!(
        "\n{} accounts, {} disabled; passwords print as {:?}",
        ws.count(&AccountFilter::default())?,
        ws.count(&AccountFilter {
            status: Some(farmhand::Status::Disabled),
            ..AccountFilter::default()
        })?,
        cooking.password.expect("set above"),
    );
    Ok(())
}

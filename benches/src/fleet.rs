//! The sample fleet of the xlsx bench and peer comparison: deterministic
//! accounts with every sheet column filled, so each tool sees the same data.

use farmhand::store::BatchOp;
use farmhand::{NewAccount, Platform, ProfileStats, Result, Status, Workspace};

/// The `i`-th sample account: every column filled on most rows, as a busy farm's sheet.
pub fn sample_account(platform: Platform, i: usize) -> NewAccount {
    let mut account = NewAccount::new(platform, format!("user{i:07}"))
        .email(format!("user{i}@example.com"))
        .tags(["warm".to_string(), format!("batch{}", i % 10)])
        .logged_in(i.is_multiple_of(3))
        .status(if i.is_multiple_of(17) {
            Status::Disabled
        } else {
            Status::Enabled
        });
    account = if i.is_multiple_of(2) {
        account
            .password(format!("pass{i}"))
            .totp_key("JBSWY3DPEHPK3PXP")
    } else {
        account.password(format!("{}", 100_000 + i))
    };
    if i % 4 != 3 {
        account = account.device(format!("10.0.{}.{}:5555", (i / 200) % 250, i % 200));
    }
    account.stats = ProfileStats {
        nickname: Some(format!("Nick {i}")),
        country: Some(["US", "FR", "BR", "ID"][i % 4].to_string()),
        followers: Some((i * 37 % 100_000) as u64),
        following: Some((i % 500) as u64),
        hearts: Some((i * 1013) as u64),
        videos: Some((i % 90) as u64),
        friends: Some((i % 40) as u64),
        synced_at: None,
    };
    account
}

/// Adds `count` sample accounts to `ws` in batches of 10,000 (bounded memory).
pub fn fill(ws: &Workspace, platform: Platform, count: usize) -> Result<()> {
    let mut start = 0;
    while start < count {
        let end = (start + 10_000).min(count);
        let ops = (start..end)
            .map(|i| BatchOp::Create(sample_account(platform, i)))
            .collect();
        ws.store().apply_batch(ops)?;
        start = end;
    }
    Ok(())
}

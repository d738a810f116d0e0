//! `match_accounts`: find the sessions logged in on the phones and record them.

use std::collections::BTreeSet;

use crate::account::{Account, AccountPatch, NewAccount, Platform};
use crate::apps::AppDriver;
use crate::device::{DeviceDriver, DeviceExt};
use crate::error::{ErrorKind, Result};
use crate::ops::outcome::{AccountResult, Outcome, Report, Workflow};
use crate::ops::runner::{self, PhoneJob, Run, RunOptions};
use crate::store::AccountFilter;
use crate::workspace::Workspace;

impl Workspace {
    /// For the chosen phones (default: every connected phone), lists the
    /// accounts logged in in each installed TikTok / Instagram app and clone
    /// package, then creates each missing account bound to that phone and
    /// logged in, and links known accounts to the phone and marks them logged
    /// in. Disabled accounts found are reported as skipped and left unchanged.
    /// Running it twice creates nothing new.
    pub fn match_accounts(
        &self,
        driver: &dyn DeviceDriver,
        options: &RunOptions,
    ) -> Result<Report> {
        let online = runner::online_phones(driver)?;
        let phones: Vec<String> = match &options.phones {
            Some(chosen) => chosen
                .iter()
                .cloned()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
            None => online
                .iter()
                .cloned()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
        };
        let clones = self.clone_packages()?;
        let run = Run::start(Workflow::MatchAccounts, options, driver, 0, phones.len())
            .with_leases(self.store().clone());
        let jobs: Vec<PhoneJob> = phones
            .iter()
            .map(|serial| PhoneJob {
                serial: serial.clone(),
                accounts: Vec::new(),
                blocked: None,
            })
            .collect();
        runner::run_phones(&run, jobs, |run, job| {
            if !online.contains(&job.serial) {
                run.phone_failed(
                    &job.serial,
                    Outcome::DeviceOffline,
                    format!("device {} is not connected", job.serial),
                );
                return;
            }
            if let Err(e) = self.match_phone(run, &job.serial, &clones) {
                let outcome = runner::classify(run, &job.serial, &e);
                run.phone_failed(&job.serial, outcome, e.to_string());
            }
        });
        run.finish_into(self.store().as_ref(), &phones)
    }

    /// Clone packages named by accounts of the roster, per platform.
    fn clone_packages(&self) -> Result<Vec<(Platform, String)>> {
        let mut found = BTreeSet::new();
        self.for_each(&AccountFilter::default(), &mut |account: Account| {
            if let Some(package) = &account.package_name {
                found.insert((account.platform, package.clone()));
            }
            Ok(())
        })?;
        Ok(found.into_iter().collect())
    }

    /// Scans one phone's apps and records every session found.
    fn match_phone(
        &self,
        run: &Run<'_>,
        serial: &str,
        clones: &[(Platform, String)],
    ) -> Result<()> {
        let mut device = run.open(serial)?;
        run.step(serial, None, "list apps");
        let installed = device.installed_packages()?;
        for (platform, package) in apps_on_phone(&installed, clones) {
            if run.cancelled() {
                return Ok(());
            }
            run.step(serial, None, "read sessions");
            let app = AppDriver::new(run.options.packs.get(platform).clone(), Some(&package))
                .with_screen_timeout(run.options.screen_timeout);
            let names = match app.accounts(device.as_mut()) {
                Ok(names) => names,
                Err(e)
                    if e.kind() == ErrorKind::ScreenNotRecognised
                        || e.kind() == ErrorKind::Timeout =>
                {
                    run.phone_failed(serial, runner::classify(run, serial, &e), e.to_string());
                    continue;
                }
                Err(e) => return Err(e),
            };
            run.expect_more(names.len());
            for name in names {
                run.record(self.record_session(platform, &package, serial, &name));
            }
        }
        Ok(())
    }

    /// Creates or links the account of one session found on a phone.
    fn record_session(
        &self,
        platform: Platform,
        package: &str,
        serial: &str,
        name: &str,
    ) -> AccountResult {
        let clone = (package != platform.default_package()).then(|| package.to_string());
        let found =
            |outcome: Outcome, account: Option<&Account>, reason: Option<String>| AccountResult {
                account: account.map(|a| a.id),
                platform,
                username: account.map_or_else(|| name.to_string(), |a| a.username.to_string()),
                device: Some(serial.to_string()),
                outcome,
                reason,
            };
        let link = |existing: Account| -> AccountResult {
            if !existing.is_enabled() {
                return found(Outcome::SkippedDisabled, Some(&existing), None);
            }
            let patch = AccountPatch {
                device: Some(Some(serial.to_string())),
                logged_in: Some(true),
                package_name: clone.clone().map(Some),
                last_error: Some(None),
                ..AccountPatch::default()
            };
            match self.update(existing.id, patch) {
                Ok(account) => found(Outcome::Linked, Some(&account), None),
                Err(e) => found(Outcome::Error, Some(&existing), Some(e.to_string())),
            }
        };
        match self.find(platform, name) {
            Ok(Some(existing)) => link(existing),
            Ok(None) => {
                let mut new = NewAccount::new(platform, name)
                    .device(serial)
                    .logged_in(true);
                new.package_name = clone.clone();
                match self.add(new) {
                    Ok(account) => found(Outcome::Created, Some(&account), None),
                    // Another phone found the same account a moment ago: link it instead.
                    Err(e) if e.kind() == ErrorKind::Duplicate => match self.find(platform, name) {
                        Ok(Some(existing)) => link(existing),
                        _ => found(Outcome::Error, None, Some(e.to_string())),
                    },
                    Err(e) => found(Outcome::Error, None, Some(e.to_string())),
                }
            }
            Err(e) => found(Outcome::Error, None, Some(e.to_string())),
        }
    }
}

/// The TikTok and Instagram apps installed on a phone: the official packages,
/// TikTok's other official package, and clone packages (named in the roster or
/// named after the official package).
fn apps_on_phone(installed: &[String], clones: &[(Platform, String)]) -> Vec<(Platform, String)> {
    let mut apps = Vec::new();
    for package in installed {
        let platform = clones
            .iter()
            .find(|(_, p)| p == package)
            .map(|(platform, _)| *platform)
            .or_else(|| {
                let tiktok = ["com.zhiliaoapp.musically", "com.ss.android.ugc.trill"];
                if tiktok
                    .iter()
                    .any(|p| package == p || package.starts_with(&format!("{p}.")))
                {
                    Some(Platform::TikTok)
                } else if package == "com.instagram.android"
                    || package.starts_with("com.instagram.android.")
                {
                    Some(Platform::Instagram)
                } else {
                    None
                }
            });
        if let Some(platform) = platform {
            apps.push((platform, package.clone()));
        }
    }
    apps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn official_apps_and_clones_are_found_among_installed_packages() {
        let installed: Vec<String> = [
            "com.android.settings",
            "com.instagram.android",
            "com.instagram.android.clone1",
            "com.instagram.lite",
            "com.zhiliaoapp.musically",
            "com.zhiliaoapp.musically.go",
            "com.zhiliaoapp.musicallyx",
            "org.example.tt2",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let clones = vec![(Platform::TikTok, "org.example.tt2".to_string())];
        let apps = apps_on_phone(&installed, &clones);
        let names: Vec<(Platform, &str)> = apps.iter().map(|(p, s)| (*p, s.as_str())).collect();
        assert_eq!(
            names,
            [
                (Platform::Instagram, "com.instagram.android"),
                (Platform::Instagram, "com.instagram.android.clone1"),
                (Platform::TikTok, "com.zhiliaoapp.musically"),
                (Platform::TikTok, "com.zhiliaoapp.musically.go"),
                (Platform::TikTok, "org.example.tt2"),
            ]
        );
    }
}

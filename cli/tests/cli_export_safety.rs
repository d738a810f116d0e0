//! `farmhand export` never destroys the workspace it reads, and each
//! platform's default file is its own.

mod support;

use support::Env;

#[test]
fn exporting_onto_the_workspace_is_refused_and_the_workspace_survives() {
    let env = Env::new();
    env.run(&["accounts", "add", "ann", "--password", "topsecret"])
        .expect(0);
    let workspace = env.workspace();
    let bytes = std::fs::read(&workspace).unwrap();
    let run = env.run(&["export", workspace.to_str().unwrap()]).expect(2);
    assert!(
        run.all().contains("an export never replaces one"),
        "{}",
        run.all()
    );
    assert_eq!(std::fs::read(&workspace).unwrap(), bytes);
    let listed = env.run(&["--json", "accounts", "list"]).expect(0).all();
    assert!(listed.contains("ann"), "{listed}");
}

#[test]
fn each_platform_exports_to_its_own_default_file() {
    let env = Env::new();
    env.run(&["accounts", "add", "tt_ann"]).expect(0);
    env.run(&["accounts", "add", "ig_ann", "-p", "instagram"])
        .expect(0);
    let tiktok = env.run(&["--json", "export"]).expect(0).json();
    let instagram = env
        .run(&["--json", "export", "-p", "instagram"])
        .expect(0)
        .json();
    assert_eq!(
        tiktok["path"],
        env.path("downloads/accounts.xlsx").to_str().unwrap()
    );
    assert_eq!(
        instagram["path"],
        env.path("downloads/accounts-instagram.xlsx")
            .to_str()
            .unwrap()
    );
    // The TikTok file is still the TikTok export.
    let report = env
        .run(&[
            "--json",
            "import",
            env.path("downloads/accounts.xlsx").to_str().unwrap(),
            "--dry-run",
        ])
        .expect(0)
        .json();
    assert_eq!(report["unchanged"], 1, "{report}");
}

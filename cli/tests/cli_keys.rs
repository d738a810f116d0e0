//! `farmhand key new`, `encrypt` / `decrypt` / `rekey`, `--key-file`, and a
//! kill -9 in the middle of `encrypt`.

mod support;

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use farmhand::secret::SecretKey;
use farmhand::store::{AccountFilter, BatchOp, Encryption};
use farmhand::{NewAccount, Platform, Workspace};
use support::Env;

const KEY_PATTERN_CHARS: usize = 64;

fn key_file(env: &Env, name: &str) -> String {
    let path = env.path(name);
    env.run(&["key", "new", path.to_str().unwrap()]).expect(0);
    path.to_str().unwrap().to_string()
}

#[test]
fn key_new_writes_a_private_key_file_and_never_replaces_one() {
    let env = Env::new();
    let path = env.path("farm.key");
    let run = env.run(&["key", "new", path.to_str().unwrap()]).expect(0);
    let text = std::fs::read_to_string(&path).unwrap();
    let key = text.trim();
    assert_eq!(key.len(), KEY_PATTERN_CHARS);
    assert!(key.chars().all(|c| c.is_ascii_hexdigit()));
    assert!(!run.all().contains(key), "the key is never printed");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    env.run(&["key", "new", path.to_str().unwrap()]).expect(1);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    // Two keys are never the same.
    let other = key_file(&env, "other.key");
    assert_ne!(std::fs::read_to_string(other).unwrap(), text);
}

#[test]
fn an_encrypted_workspace_works_without_its_key_except_for_secrets() {
    let env = Env::new();
    env.run(&[
        "accounts",
        "add",
        "alice",
        "--password",
        "hunter2-long-password:JBSWY3DPEHPK3PXP",
    ])
    .expect(0);
    let key = key_file(&env, "farm.key");
    let run = env.run(&["--key-file", &key, "encrypt"]).expect(0);
    assert!(run.all().contains("encrypted 2 secrets"), "{}", run.all());
    let bytes = std::fs::read(env.workspace()).unwrap();
    let needle = b"hunter2-long-password";
    assert!(!bytes.windows(needle.len()).any(|w| w == needle));

    // No key: listing and exporting without passwords work.
    let listed = env.run(&["--json", "accounts", "list"]).expect(0).all();
    assert!(listed.contains("alice"), "{listed}");
    let export = env.run(&["export", env.path("out.xlsx").to_str().unwrap()]);
    let export = export.expect(0);
    assert!(
        export.all().contains("passwords left out"),
        "{}",
        export.all()
    );
    // What needs a secret fails with the key error and a hint.
    for args in [
        vec!["totp", "alice"],
        vec![
            "export",
            "--with-secrets",
            env.path("s.xlsx").to_str().unwrap(),
        ],
    ] {
        let run = env.run(&args).expect(1);
        assert!(run.stderr.contains("error: key:"), "{}", run.stderr);
        assert!(run.stderr.contains("--key-file"), "{}", run.stderr);
    }
    let json = env
        .run(&["--json", "totp", "alice", "--at", "1700000000"])
        .expect(1);
    assert_eq!(json.json()["error"]["kind"], "key");

    // With the key (flag or environment) they work.
    let code = env
        .cmd(&["totp", "alice", "--at", "1700000000"])
        .env("FARMHAND_KEY_FILE", &key)
        .output()
        .unwrap();
    assert!(code.status.success());
    assert!(String::from_utf8_lossy(&code.stdout).contains("324550"));
    env.run(&[
        "--key-file",
        &key,
        "export",
        "--with-secrets",
        env.path("s.xlsx").to_str().unwrap(),
    ])
    .expect(0);

    // A wrong key is refused, and so are key files that are not keys.
    let wrong = key_file(&env, "wrong.key");
    let run = env
        .run(&["--key-file", &wrong, "accounts", "list"])
        .expect(1);
    assert!(run.stderr.contains("wrong key"), "{}", run.stderr);
    std::fs::write(env.path("bad.key"), "not a key at all").unwrap();
    let run = env
        .run(&[
            "--key-file",
            env.path("bad.key").to_str().unwrap(),
            "accounts",
            "list",
        ])
        .expect(2);
    assert!(!run.all().contains("not a key at all"), "{}", run.all());

    // rekey, then decrypt with the new key: plain again, secrets intact.
    let new = key_file(&env, "new.key");
    env.run(&["--key-file", &key, "rekey", "--new-key-file", &new])
        .expect(0);
    env.run(&["--key-file", &key, "accounts", "list"]).expect(1);
    env.run(&["--key-file", &new, "decrypt"]).expect(0);
    let run = env.run(&["totp", "alice", "--at", "1700000000"]).expect(0);
    assert!(run.stdout.contains("324550"), "{}", run.all());
    // Encrypting needs a key; off a terminal there is no prompt.
    let run = env.run(&["encrypt"]).expect(2);
    assert!(run.stderr.contains("--key-file"), "{}", run.stderr);
}

/// Runs farmhand with `args` on a pseudo-terminal (`script`, as an operator's
/// shell would), types `typed` and Enter once the key prompt shows, and
/// returns the exit code and everything the terminal showed.
fn on_terminal(env: &Env, args: &[&str], typed: &str) -> (i32, String) {
    use std::io::{Read, Write};
    let command = format!("{} {}", env!("CARGO_BIN_EXE_farmhand"), args.join(" "));
    let mut script = std::process::Command::new("script");
    script
        .args(["-qec", &command, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in env.cmd(&[]).get_envs() {
        match value {
            Some(value) => script.env(key, value),
            None => script.env_remove(key),
        };
    }
    script.env_remove("FARMHAND_KEY_FILE");
    let mut child = script.spawn().expect("script (util-linux) runs");
    let mut stdout = child.stdout.take().unwrap();
    let (chunks, screen_feed) = std::sync::mpsc::channel::<Vec<u8>>();
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 || chunks.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut screen = Vec::new();
    while !String::from_utf8_lossy(&screen).contains("not shown): ") {
        match screen_feed.recv_timeout(Duration::from_secs(60)) {
            Ok(chunk) => screen.extend(chunk),
            Err(_) => {
                let _ = child.kill();
                panic!("no key prompt: {}", String::from_utf8_lossy(&screen));
            }
        }
    }
    // The prompt is written before echo is turned off (with a flush of what
    // was typed): type only once the terminal reads without echo.
    wait_for_echo_off(child.id());
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(format!("{typed}\n").as_bytes()).unwrap();
    drop(stdin);
    let status = child.wait().unwrap();
    reader.join().unwrap();
    screen.extend(screen_feed.try_iter().flatten());
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&screen).into_owned(),
    )
}

/// The pseudo-terminal `script` (process `pid`) runs its command on: the
/// kernel names the master's index in `/proc/PID/fdinfo` (`tty-index`).
fn pty_of(pid: u32) -> Option<String> {
    let entries = std::fs::read_dir(format!("/proc/{pid}/fdinfo")).ok()?;
    entries.flatten().find_map(|entry| {
        let info = std::fs::read_to_string(entry.path()).ok()?;
        let line = info.lines().find(|l| l.starts_with("tty-index:"))?;
        Some(format!("/dev/pts/{}", line.split_whitespace().nth(1)?))
    })
}

/// Waits until the terminal of `script` (process `pid`) has echo off, as
/// `stty` reports it. A kernel that does not name the terminal gets a
/// second instead, said on stderr.
fn wait_for_echo_off(pid: u32) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let Some(pty) = pty_of(pid) else {
        eprintln!("no tty-index in /proc/{pid}/fdinfo: typing after a second instead");
        std::thread::sleep(Duration::from_secs(1));
        return;
    };
    loop {
        let stty = std::process::Command::new("stty")
            .args(["-F", &pty, "-a"])
            .output()
            .expect("stty runs");
        let settings = String::from_utf8_lossy(&stty.stdout);
        if settings.split_whitespace().any(|flag| flag == "-echo") {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{pty} never had echo off: {settings}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn on_a_terminal_the_key_is_asked_for_without_echo() {
    let env = Env::new();
    env.run(&[
        "accounts",
        "add",
        "alice",
        "--password",
        "pw:JBSWY3DPEHPK3PXP",
    ])
    .expect(0);
    let key = key_file(&env, "farm.key");
    env.run(&["--key-file", &key, "encrypt"]).expect(0);
    let key_text = std::fs::read_to_string(&key).unwrap().trim().to_string();

    let (code, screen) = on_terminal(&env, &["totp", "alice", "--at", "1700000000"], &key_text);
    assert_eq!(code, 0, "{screen}");
    assert!(
        screen.contains("Key for the encrypted workspace"),
        "{screen}"
    );
    assert!(
        screen.contains("324550"),
        "the code, read with the typed key: {screen}"
    );
    assert!(
        !screen.contains(&key_text),
        "the typed key was echoed: {screen}"
    );

    let wrong = "0".repeat(KEY_PATTERN_CHARS);
    let (code, screen) = on_terminal(&env, &["totp", "alice", "--at", "1700000000"], &wrong);
    assert_eq!(code, 1, "{screen}");
    assert!(screen.contains("wrong key"), "{screen}");
    assert!(
        !screen.contains(&wrong),
        "the typed key was echoed: {screen}"
    );
}

/// A random number in `0..bound` (std's per-process random hash keys).
fn random_below(bound: u64) -> u64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(bound);
    hasher.finish() % bound.max(1)
}

/// The secrets of every account, in id order, as plain strings.
fn secrets(ws: &Workspace) -> Vec<(String, String)> {
    ws.list(&AccountFilter::default())
        .unwrap()
        .into_iter()
        .map(|a| {
            (
                a.password.unwrap().expose().to_string(),
                a.totp_key.unwrap().expose().to_string(),
            )
        })
        .collect()
}

fn encrypt_child(env: &Env, workspace: &Path, key: &str) -> std::process::Child {
    env.cmd(&[
        "--workspace",
        workspace.to_str().unwrap(),
        "--key-file",
        key,
        "encrypt",
    ])
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap()
}

#[test]
fn a_kill_during_encrypt_leaves_the_old_or_the_new_workspace_never_a_mix() {
    let env = Env::new();
    let original = env.path("original.db");
    {
        let ws = Workspace::open(&original).unwrap();
        let ops = (0..2000)
            .map(|i| {
                BatchOp::Create(
                    NewAccount::new(Platform::TikTok, format!("user{i}"))
                        .password(format!("password-{i}"))
                        .totp_key("JBSWY3DPEHPK3PXP"),
                )
            })
            .collect();
        ws.apply_batch(ops).unwrap();
    }
    let expected = secrets(&Workspace::open(&original).unwrap());
    let key_path = key_file(&env, "farm.key");
    let key = SecretKey::from_text(&std::fs::read_to_string(&key_path).unwrap()).unwrap();

    // How long a whole run takes here, so the kills fall across all of it.
    let timed = env.path("timed.db");
    std::fs::copy(&original, &timed).unwrap();
    let start = Instant::now();
    assert!(encrypt_child(&env, &timed, &key_path)
        .wait()
        .unwrap()
        .success());
    let whole = start.elapsed().as_micros() as u64;

    let (mut old, mut new) = (0, 0);
    for run in 0..24 {
        let copy = env.path(&format!("run{run}.db"));
        std::fs::copy(&original, &copy).unwrap();
        let mut child = encrypt_child(&env, &copy, &key_path);
        std::thread::sleep(Duration::from_micros(random_below(whole + whole / 4)));
        // SIGKILL: no handler, no cleanup.
        let _ = child.kill();
        child.wait().unwrap();
        let ws = Workspace::open(&copy)
            .unwrap_or_else(|e| panic!("run {run}: the workspace does not open: {e}"));
        match ws.encryption() {
            Encryption::Plain => {
                old += 1;
                assert_eq!(secrets(&ws), expected, "run {run}: old form");
            }
            Encryption::Locked => {
                new += 1;
                drop(ws);
                let ws = Workspace::open_with_key(&copy, &key).unwrap();
                assert_eq!(secrets(&ws), expected, "run {run}: new form");
            }
            Encryption::Unlocked => unreachable!("opened without a key"),
        }
    }
    eprintln!("kills during encrypt ({whole} µs a run): {old} left it plain, {new} encrypted");
    assert_eq!(old + new, 24);
}

//! The command line grammar (clap derive): every command, option and help text.

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use farmhand::ops::{HealthState, DEFAULT_PARALLELISM};
use farmhand::xlsx::OnDuplicate;
use farmhand::{Platform, Status};

const EXIT_CODES: &str = "\
Exit codes:
  0    everything asked for was done
  1    could not run or did nothing: an unknown account, a device, adb, file,
       storage or key error (a wrong key, or none for what needs one), a sheet rejected for its invalid rows, a declined
       confirmation
  2    usage: an unknown option, a missing argument, or a value farmhand
       rejects (bad username, bad 2FA secret, bad platform, bad address)
  3    the run went to its end but some accounts failed: a login, match or
       sync with failed accounts or phones, an import that skipped invalid rows
       (--skip-invalid). So `farmhand match; farmhand login; farmhand sync`
       runs every step; stop a chain only on 1, 2 or 130.
  130  interrupted by Ctrl-C (a running workflow stops before its next account)

Times are shown in UTC as ISO 8601 (2026-12-07T05:03:08Z); --json keeps
them as Unix milliseconds (last_login_at, created_at, stats.synced_at...).

Environment:
  FARMHAND_WORKSPACE       workspace file (or postgres:// URL) used when
                           --workspace is not given
  FARMHAND_KEY_FILE        key file used when --key-file is not given
  ANDROID_ADB_SERVER_PORT  port of the local adb server (default 5037)";

/// Manage TikTok and Instagram accounts on Android phone farms: the roster,
/// 2FA codes, accounts.xlsx, and login / match / profile sync over adb.
#[derive(Debug, Parser)]
#[command(name = "farmhand", version, after_help = EXIT_CODES)]
pub struct Cli {
    /// Workspace file (SQLite), or a postgres://user:password@host/db URL
    /// for a roster shared by several PCs. Default: $FARMHAND_WORKSPACE,
    /// else farmhand/workspace.db in the user's data directory
    /// ($XDG_DATA_HOME or ~/.local/share on Linux).
    #[arg(long, global = true, value_name = "PATH|URL")]
    pub workspace: Option<PathBuf>,

    /// File holding the key of an encrypted workspace (`farmhand key new`
    /// writes one). Without it, commands that need passwords or 2FA keys ask
    /// for the key on a terminal; others work without it.
    #[arg(long, global = true, value_name = "PATH", env = "FARMHAND_KEY_FILE")]
    pub key_file: Option<PathBuf>,

    /// Print machine-readable JSON on stdout instead of tables.
    #[arg(long, global = true)]
    pub json: bool,

    /// No progress output on stderr.
    #[arg(long, short, global = true)]
    pub quiet: bool,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List, add, edit, remove, enable, disable, bind and tag accounts.
    #[command(subcommand)]
    Accounts(AccountsCommand),
    /// Import accounts from an accounts.xlsx sheet (or a legacy .txt file).
    Import(ImportArgs),
    /// Export accounts to an accounts.xlsx sheet.
    Export(ExportArgs),
    /// Print the current 2FA code of a secret or of an account.
    Totp(TotpArgs),
    /// List the phones: the workspace's registry and what the adb server sees
    /// (without a workspace, only what adb sees; none is created).
    Devices(DevicesArgs),
    /// Log accounts in on their phones (email or username + password, 2FA).
    Login(WorkflowArgs),
    /// Find sessions already logged in on the phones and record their accounts.
    Match(MatchArgs),
    /// Read profile numbers (followers, likes...) from the phones, or TikTok's
    /// public profile pages (--source web|both), into the roster.
    Sync(SyncArgs),
    /// Start simulated phones and register them with an adb server until Ctrl-C.
    Sim(SimArgs),
    /// Run the whole tour on simulated phones: import, match, login with 2FA,
    /// profile sync, export. Needs no phones and no adb.
    Demo(DemoArgs),
    /// Check your own phones' screens against the selector packs.
    #[command(subcommand)]
    Screens(ScreensCommand),
    /// Make keys that encrypt workspaces' passwords and 2FA keys.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Encrypt the workspace's passwords and 2FA keys with the key (--key-file),
    /// in place: interrupted at any moment, it is left whole, plain or encrypted.
    Encrypt,
    /// Decrypt the workspace's passwords and 2FA keys back to plain text, in place.
    Decrypt,
    /// Re-encrypt the workspace's secrets from its key (--key-file) to a new one.
    Rekey(RekeyArgs),
}

/// `farmhand key ...`
#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Write a fresh random key to a new file, readable by you only (0600).
    New(KeyNewArgs),
}

/// `key new`
#[derive(Debug, Args)]
pub struct KeyNewArgs {
    /// The key file to create (an existing file is never replaced).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// `rekey`
#[derive(Debug, Args)]
pub struct RekeyArgs {
    /// File holding the new key (`farmhand key new` writes one).
    #[arg(long, value_name = "PATH")]
    pub new_key_file: PathBuf,
}

/// `farmhand screens ...`
#[derive(Debug, Subcommand)]
pub enum ScreensCommand {
    /// Say which screen each uiautomator dump is, and what the pack finds on it.
    Check(CheckArgs),
    /// Save what a phone shows now: the uiautomator dump, a screenshot, the
    /// app in front with its version, and the screen size.
    Capture(CaptureArgs),
}

/// `screens capture`
#[derive(Debug, Args)]
pub struct CaptureArgs {
    /// The phone (USB serial or ip:port, as `farmhand devices` lists it).
    #[arg(long, value_name = "SERIAL")]
    pub device: String,
    /// Folder to save into (created if missing). Default: the current folder.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub out: PathBuf,
    #[command(flatten)]
    pub adb: AdbArgs,
}

/// `screens check`
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Dump files (XML), or folders whose *.xml files are checked.
    #[arg(value_name = "FILE_OR_DIR", required = true)]
    pub paths: Vec<PathBuf>,
    /// Only this app's pack (default: both).
    #[arg(long, value_parser = parse_platform)]
    pub app: Option<Platform>,
    /// A selector pack file (JSON) replacing the built-in one of its app.
    #[arg(long, value_name = "FILE")]
    pub pack: Option<PathBuf>,
}

/// `farmhand accounts ...`
#[derive(Debug, Subcommand)]
pub enum AccountsCommand {
    /// List accounts (passwords and 2FA secrets are never shown, only whether set).
    List(ListArgs),
    /// Show one account in full (without its password).
    Show(AccountRef),
    /// Add an account.
    Add(AddArgs),
    /// Change fields of an account.
    Edit(EditArgs),
    /// Remove accounts.
    Rm(AccountRefs),
    /// Let automation touch accounts again.
    Enable(AccountRefs),
    /// Keep every automation away from accounts.
    Disable(AccountRefs),
    /// Bind an account to a phone serial (or unbind it).
    #[command(
        override_usage = "farmhand accounts bind [OPTIONS] <ACCOUNT> <SERIAL>\n       \
                                farmhand accounts bind [OPTIONS] <ACCOUNT> --unbind"
    )]
    Bind(BindArgs),
    /// Add, remove or replace an account's tags.
    Tag(TagArgs),
    /// An account's health and its workflow history, newest first.
    History(HistoryArgs),
}

/// `accounts history`
#[derive(Debug, Args)]
pub struct HistoryArgs {
    #[command(flatten)]
    pub target: AccountRef,
    /// Show at most this many entries (the workspace keeps the newest 100).
    #[arg(long, value_name = "N", default_value_t = 20, value_parser = clap::value_parser!(u16).range(1..=100))]
    pub limit: u16,
}

/// How an account is named on the command line.
#[derive(Debug, Args)]
pub struct AccountRef {
    /// The account: its id or its username. A bare number is tried as both; when
    /// it is one account's id and another's username farmhand refuses and names
    /// both: `#123` (or `id:123`) is only the id, `@123` only the username.
    #[arg(value_name = "ACCOUNT")]
    pub account: String,

    /// Platform to look the username up in (needed when both have it).
    #[arg(long, short, value_parser = parse_platform)]
    pub platform: Option<Platform>,
}

/// Several accounts: named, or every account matching a filter.
#[derive(Debug, Args)]
pub struct AccountRefs {
    /// The accounts: ids or usernames (`#123` only an id, `@123` only a
    /// username). All are checked before any is changed. Leave them out to
    /// change every account matching --tag, --platform or --device.
    #[arg(value_name = "ACCOUNT")]
    pub accounts: Vec<String>,
    #[command(flatten)]
    pub filter: BulkFilter,
}

/// The filter of a bulk change (`rm`, `enable`, `disable`, `tag` without named
/// accounts): the count is printed and confirmed, then all change or none.
#[derive(Debug, Args)]
pub struct BulkFilter {
    /// Platform the usernames are looked up in; without named accounts, every
    /// account of this platform.
    #[arg(long, short, value_parser = parse_platform)]
    pub platform: Option<Platform>,
    /// Without named accounts: every account carrying this tag.
    #[arg(long = "tag", value_name = "TAG")]
    pub with_tag: Option<String>,
    /// Without named accounts: every account bound to this phone serial.
    #[arg(long, value_name = "SERIAL")]
    pub device: Option<String>,
    /// Change the matching accounts without asking. Needed when standard input
    /// is not a terminal; on a terminal farmhand asks first.
    #[arg(long, short)]
    pub yes: bool,
}

/// Profile fields set by hand (the profile columns of accounts.xlsx).
#[derive(Debug, Args, Default, PartialEq, Eq)]
pub struct ProfileArgs {
    /// Display name (`""` clears it).
    #[arg(long, value_name = "TEXT")]
    pub nickname: Option<String>,
    /// Country (`""` clears it).
    #[arg(long, value_name = "TEXT")]
    pub country: Option<String>,
    /// Followers count.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub followers: Option<u64>,
    /// Following count.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub following: Option<u64>,
    /// Likes received (TikTok "Likes").
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub hearts: Option<u64>,
    /// Videos or posts.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub videos: Option<u64>,
    /// Friends (TikTok).
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub friends: Option<u64>,
}

/// `accounts list`
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only this platform (tiktok, instagram).
    #[arg(long, short, value_parser = parse_platform)]
    pub platform: Option<Platform>,
    /// Only enabled or disabled accounts.
    #[arg(long, value_parser = parse_status)]
    pub status: Option<Status>,
    /// Only accounts carrying this tag.
    #[arg(long)]
    pub tag: Option<String>,
    /// Only accounts bound to this phone serial.
    #[arg(long, value_name = "SERIAL", conflicts_with = "unbound")]
    pub device: Option<String>,
    /// Only accounts bound to no phone.
    #[arg(long)]
    pub unbound: bool,
    /// Only accounts whose logged-in flag is this.
    #[arg(long, value_name = "BOOL")]
    pub logged_in: Option<bool>,
    /// Only accounts whose username, email or device contains this text.
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// Only accounts whose health is this (ok, wrong_password,
    /// challenge_required, rate_limited, suspended, banned, app_update_required).
    #[arg(long, value_name = "STATE", value_parser = parse_health)]
    pub health: Option<HealthState>,
}

fn parse_health(s: &str) -> Result<HealthState, String> {
    HealthState::parse(s).ok_or_else(|| {
        let names: Vec<&str> = HealthState::ALL.iter().map(|h| h.as_str()).collect();
        format!("'{s}' is not a health state ({})", names.join(", "))
    })
}

/// Where a password and a 2FA key come from.
#[derive(Debug, Args)]
pub struct PasswordArgs {
    /// Password, optionally `password:SECRET` with a base32 2FA key (split by
    /// the rule of the `farmhand::secret::pwd` docs, and said so). Visible in
    /// the shell history and process list: prefer --password-stdin.
    #[arg(long, value_name = "PASSWORD")]
    pub password: Option<String>,
    /// Read the password (first line of standard input), read like --password.
    #[arg(long, conflicts_with = "password")]
    pub password_stdin: bool,
    /// Read the 2FA key (base32, any case, spaces allowed) from standard input:
    /// its first line, or the line after the password with --password-stdin.
    #[arg(long)]
    pub totp_key_stdin: bool,
}

/// `accounts add`
#[derive(Debug, Args)]
pub struct AddArgs {
    /// Username (`@alice`, `alice` and `ALICE` are the same account).
    pub username: String,
    /// Platform of the account.
    #[arg(long, short, default_value = "tiktok", value_parser = parse_platform)]
    pub platform: Platform,
    /// Login email.
    #[arg(long)]
    pub email: Option<String>,
    #[command(flatten)]
    pub password: PasswordArgs,
    /// Phone serial to bind the account to.
    #[arg(long, value_name = "SERIAL")]
    pub device: Option<String>,
    /// Clone-app package to drive instead of the platform's app.
    #[arg(long, value_name = "PACKAGE")]
    pub package: Option<String>,
    /// Tag (repeatable, or comma separated).
    #[arg(long = "tag", value_delimiter = ',')]
    pub tags: Vec<String>,
    /// Create the account disabled.
    #[arg(long)]
    pub disabled: bool,
    #[command(flatten)]
    pub profile: ProfileArgs,
}

/// `accounts edit`
#[derive(Debug, Args)]
pub struct EditArgs {
    #[command(flatten)]
    pub target: AccountRef,
    /// New username.
    #[arg(long)]
    pub username: Option<String>,
    /// New email.
    #[arg(long, conflicts_with = "clear_email")]
    pub email: Option<String>,
    /// Remove the email.
    #[arg(long)]
    pub clear_email: bool,
    #[command(flatten)]
    pub password: PasswordArgs,
    /// Remove the password.
    #[arg(long, conflicts_with_all = ["password", "password_stdin"])]
    pub clear_password: bool,
    /// Remove the 2FA key.
    #[arg(long, conflicts_with = "totp_key_stdin")]
    pub clear_totp_key: bool,
    /// New clone-app package.
    #[arg(long, value_name = "PACKAGE", conflicts_with = "clear_package")]
    pub package: Option<String>,
    /// Drive the platform's own app again.
    #[arg(long)]
    pub clear_package: bool,
    /// Set the logged-in flag.
    #[arg(long, value_name = "BOOL")]
    pub logged_in: Option<bool>,
    #[command(flatten)]
    pub profile: ProfileArgs,
}

/// `accounts bind`
#[derive(Debug, Args)]
#[group(id = "binding", required = true, multiple = false, args = ["serial", "index", "unbind"])]
pub struct BindArgs {
    #[command(flatten)]
    pub target: AccountRef,
    /// Phone serial (USB serial or ip:port).
    pub serial: Option<String>,
    /// The registered phone with this device_index (see `farmhand devices`).
    #[arg(long, value_name = "N")]
    pub index: Option<u32>,
    /// Leave the account unassigned instead.
    #[arg(long)]
    pub unbind: bool,
}

/// `accounts tag`
#[derive(Debug, Args)]
pub struct TagArgs {
    /// The account (id or username). Left out when --tag or --device selects the
    /// accounts (--platform then narrows them): every word is then a tag.
    #[arg(value_name = "ACCOUNT")]
    pub account: Option<String>,
    /// Tags to add (or with --remove, to remove; with --set, the new list).
    #[arg(value_name = "TAG")]
    pub tags: Vec<String>,
    #[command(flatten)]
    pub filter: BulkFilter,
    /// Remove the tags instead of adding them.
    #[arg(long, conflicts_with = "set")]
    pub remove: bool,
    /// Replace all tags with these (none: clear them).
    #[arg(long)]
    pub set: bool,
}

/// `import`
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The sheet (.xlsx), or a legacy TikMatrix text file (.txt, `email##pwd##username##device_index`).
    pub file: PathBuf,
    /// Platform the rows belong to.
    #[arg(long, short, default_value = "tiktok", value_parser = parse_platform)]
    pub platform: Platform,
    /// Check and report what would change without writing anything.
    #[arg(long)]
    pub dry_run: bool,
    /// Write the valid rows and skip invalid ones (by default one invalid row writes nothing).
    #[arg(long)]
    pub skip_invalid: bool,
    /// A row without id whose username exists: report an error, update the account, or skip the row.
    #[arg(long, value_enum, default_value = "error")]
    pub on_duplicate: DuplicateChoice,
    /// Refuse files with more data rows than this.
    #[arg(long, value_name = "N", default_value_t = farmhand::xlsx::DEFAULT_MAX_ROWS)]
    pub max_rows: usize,
    /// A row whose id no account here has is an error. By default (a sheet
    /// exported by another workspace) it updates the account with its
    /// username, or creates the account.
    #[arg(long)]
    pub strict_ids: bool,
}

/// `--on-duplicate` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DuplicateChoice {
    /// Report the row as invalid.
    Error,
    /// Update the existing account with the row.
    Update,
    /// Leave the existing account alone.
    Skip,
}

impl From<DuplicateChoice> for OnDuplicate {
    fn from(choice: DuplicateChoice) -> Self {
        match choice {
            DuplicateChoice::Error => OnDuplicate::Error,
            DuplicateChoice::Update => OnDuplicate::Update,
            DuplicateChoice::Skip => OnDuplicate::Skip,
        }
    }
}

/// `export`
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Where to write. Default: accounts.xlsx (Instagram:
    /// accounts-instagram.xlsx) in the download folder ($XDG_DOWNLOAD_DIR,
    /// else ~/Downloads). A workspace (SQLite) file is never replaced.
    pub file: Option<PathBuf>,
    /// Platform to export (decides the columns).
    #[arg(long, short, default_value = "tiktok", value_parser = parse_platform)]
    pub platform: Platform,
    /// Leave the pwd column out (re-importing then keeps the stored passwords).
    /// The default for an encrypted workspace.
    #[arg(long, conflicts_with = "with_secrets")]
    pub no_passwords: bool,
    /// Write passwords and 2FA keys (the pwd column). The default for a
    /// workspace that is not encrypted; an encrypted one needs its key.
    #[arg(long)]
    pub with_secrets: bool,
    /// Append a `health` column (ok, banned...) after TikMatrix's; import ignores it.
    #[arg(long)]
    pub health: bool,
    /// Only enabled or disabled accounts.
    #[arg(long, value_parser = parse_status)]
    pub status: Option<Status>,
    /// Only accounts carrying this tag.
    #[arg(long)]
    pub tag: Option<String>,
}

/// `totp`
#[derive(Debug, Args)]
pub struct TotpArgs {
    /// A base32 2FA key (as authenticator apps show it, spaces allowed), or the
    /// username or id of an account that has one. The key is never printed.
    #[arg(value_name = "SECRET|ACCOUNT")]
    pub target: String,
    /// Time to compute the code for, in Unix seconds (default: now).
    #[arg(long, value_name = "UNIX")]
    pub at: Option<u64>,
    /// Platform to look the username up in.
    #[arg(long, short, value_parser = parse_platform)]
    pub platform: Option<Platform>,
}

/// Which adb servers to talk to.
#[derive(Debug, Args, Clone)]
pub struct AdbArgs {
    /// An adb server, HOST:PORT; repeat it to drive the phones of several
    /// servers (PCs) at once (`devices`, `login`, `match`, `sync`).
    /// Default: 127.0.0.1 and ANDROID_ADB_SERVER_PORT or 5037.
    #[arg(long, value_name = "HOST:PORT", value_parser = parse_addr)]
    pub adb: Vec<SocketAddr>,
}

impl AdbArgs {
    /// The one server of a command that talks to one (`screens`, `sim`):
    /// `None` for the default; several are a `Validation` error.
    pub fn one(&self) -> farmhand::Result<Option<SocketAddr>> {
        match self.adb.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(*one)),
            _ => Err(farmhand::Error::validation(
                "--adb",
                "this command talks to one adb server; give --adb once",
            )),
        }
    }
}

/// `devices`
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct DevicesArgs {
    #[command(subcommand)]
    pub action: Option<DevicesCommand>,
    #[command(flatten)]
    pub adb: AdbArgs,
    /// Only the workspace's registry; do not ask the adb server.
    #[arg(long)]
    pub offline: bool,
}

/// `devices` subcommands (without one, `devices` lists the phones).
#[derive(Debug, Subcommand)]
pub enum DevicesCommand {
    /// Give a registered phone a label (an empty TEXT removes it).
    Label(LabelArgs),
}

/// `devices label`
#[derive(Debug, Args)]
pub struct LabelArgs {
    /// The phone's serial (USB serial or ip:port), as `farmhand devices` lists it.
    pub serial: String,
    /// The label, e.g. "rack 2, slot 5".
    pub text: String,
}

/// Options shared by login and sync.
#[derive(Debug, Args)]
pub struct WorkflowArgs {
    /// Only these accounts (ids or usernames); default: every eligible account.
    #[arg(value_name = "ACCOUNT")]
    pub accounts: Vec<String>,
    /// Only this platform.
    #[arg(long, short, value_parser = parse_platform)]
    pub platform: Option<Platform>,
    /// Only accounts carrying this tag.
    #[arg(long)]
    pub tag: Option<String>,
    /// Disable (status 1) every account the app shows as banned.
    #[arg(long)]
    pub disable_on_ban: bool,
    #[command(flatten)]
    pub run: RunArgs,
}

/// `sync`
#[derive(Debug, Args)]
pub struct SyncArgs {
    #[command(flatten)]
    pub target: WorkflowArgs,
    #[command(flatten)]
    pub web: WebArgs,
}

/// Where `sync` reads profile numbers from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SourceChoice {
    /// The app's profile screen on each account's phone.
    App,
    /// TikTok's public profile page (all seven TikTok columns, exact; no phone needed).
    Web,
    /// The phone, completed (and rounded counts made exact) from the web page.
    Both,
}

impl From<SourceChoice> for farmhand::ops::SourceKind {
    fn from(choice: SourceChoice) -> Self {
        match choice {
            SourceChoice::App => farmhand::ops::SourceKind::App,
            SourceChoice::Web => farmhand::ops::SourceKind::Web,
            SourceChoice::Both => farmhand::ops::SourceKind::Both,
        }
    }
}

/// The web source of `sync`.
#[derive(Debug, Args)]
pub struct WebArgs {
    /// Where profile numbers come from; Instagram syncs from the app only.
    #[arg(long, value_enum, default_value = "app")]
    pub source: SourceChoice,
    /// Base URL of the profile pages (BASE/@USERNAME): a mirror, or a test server.
    #[arg(long, value_name = "URL", env = farmhand::web::WEB_URL_ENV, default_value = farmhand::web::TIKTOK_WEB_URL)]
    pub web_url: String,
    /// At most this many page requests per second (one at a time).
    #[arg(long, value_name = "N", default_value_t = 1.0)]
    pub web_rate: f64,
    /// Longest wait for one page, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..))]
    pub web_timeout: u64,
    /// Further attempts after a 429, a 5xx or a dropped connection.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub web_retries: u32,
    /// HTTP(S) proxy for the page requests: http://[user:pass@]host:port.
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,
}

impl WebArgs {
    /// The library's web options from these flags.
    pub fn options(&self) -> farmhand::web::WebOptions {
        farmhand::web::WebOptions {
            base_url: self.web_url.clone(),
            requests_per_second: self.web_rate,
            timeout: std::time::Duration::from_secs(self.web_timeout),
            retries: self.web_retries,
            proxy: self.proxy.clone(),
            ..farmhand::web::WebOptions::default()
        }
    }
}

/// `match`
#[derive(Debug, Args)]
pub struct MatchArgs {
    #[command(flatten)]
    pub run: RunArgs,
}

/// How a workflow runs.
#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub adb: AdbArgs,
    /// Only these phones (repeatable, or comma separated serials).
    #[arg(long = "device", value_name = "SERIAL", value_delimiter = ',')]
    pub devices: Vec<String>,
    /// Work at most this many phones at once (default: every phone, up to 256).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_PARALLELISM as u16, value_parser = clap::value_parser!(u16).range(1..))]
    pub parallelism: u16,
    /// Longest wait for one command on a phone, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..))]
    pub command_timeout: u64,
    /// Longest wait for an app screen, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..))]
    pub screen_timeout: u64,
    /// A selector pack file (JSON) replacing the built-in one of its app
    /// (repeat for both apps): follow an app update without a release.
    #[arg(long = "pack", value_name = "FILE")]
    pub packs: Vec<PathBuf>,
}

/// `sim`
#[derive(Debug, Args)]
pub struct SimArgs {
    /// Number of phones (TikTok and Instagram installed, nobody logged in), each
    /// with a made-up TikTok and Instagram test account to log in with; their
    /// fake usernames and passwords are printed.
    #[arg(
        long,
        value_name = "N",
        required_unless_present_any = ["scenario", "demo"],
        conflicts_with_all = ["scenario", "demo"],
        value_parser = clap::value_parser!(u16).range(1..=1000)
    )]
    pub phones: Option<u16>,
    /// Scenario file (JSON): accounts, phones, apps, sessions, latencies, faults
    /// (see "Scenario files" in the README; examples/scenarios/farm.json).
    #[arg(long, value_name = "FILE", conflicts_with = "demo")]
    pub scenario: Option<PathBuf>,
    /// The demo's built-in scenario.
    #[arg(long)]
    pub demo: bool,
    #[command(flatten)]
    pub adb: AdbArgs,
    /// Start a private adb server (needs `adb`) instead of using a running one.
    #[arg(long, conflicts_with = "adb")]
    pub start_adb: bool,
}

/// `demo`
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Keep the demo's files (workspace.db, sample and exported sheets) in this
    /// new or empty directory; by default a temporary one, removed at the end.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Phones through the real adb server, in-process simulated phones, or
    /// adb when it is installed.
    #[arg(long, value_enum, default_value = "auto")]
    pub driver: DriverChoice,
}

/// `demo --driver` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DriverChoice {
    /// adb when `adb` is on PATH, in-process otherwise.
    Auto,
    /// A private real adb server.
    Adb,
    /// In-process simulated phones (no adb).
    Local,
}

fn parse_platform(text: &str) -> Result<Platform, String> {
    text.parse().map_err(|e: farmhand::Error| e.to_string())
}

fn parse_status(text: &str) -> Result<Status, String> {
    text.parse().map_err(|e: farmhand::Error| e.to_string())
}

/// `HOST:PORT` (names resolve; the first address wins).
fn parse_addr(text: &str) -> Result<SocketAddr, String> {
    text.to_socket_addrs()
        .map_err(|e| format!("'{text}' is not a HOST:PORT address ({e})"))?
        .next()
        .ok_or_else(|| format!("'{text}' resolves to no address"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn grammar_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn addresses_parse_or_say_what_is_wrong() {
        assert_eq!(
            parse_addr("127.0.0.1:5037").unwrap(),
            "127.0.0.1:5037".parse().unwrap()
        );
        assert!(parse_addr("nonsense").unwrap_err().contains("'nonsense'"));
        assert!(parse_platform("myspace")
            .unwrap_err()
            .contains("not a platform"));
    }
}

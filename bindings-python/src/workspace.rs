//! `farmhand.Workspace`: the engine's front door, shareable across Python threads.
//!
//! The pyclass is frozen: it holds the engine's `Workspace` (an `Arc` over the
//! store) behind a lock that only `close()` writes. Each call clones the
//! workspace out of the lock and runs with the GIL released.

use std::path::PathBuf;
use std::sync::RwLock;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};

use farmhand::ops::{AccountSelection, SourceKind};
use farmhand::secret::SecretKey;
use farmhand::store::{AccountFilter, DeviceRecord, Encryption};
use farmhand::web::WebOptions;
use farmhand::xlsx::{ExportOptions, ImportOptions, ImportReport};
use farmhand::{AccountId, AccountPatch, NewAccount, ProfileStats, Secret, Status, Workspace};

use crate::account::{quote, quote_opt, PyAccount};
use crate::apps::{PyHealth, PyHistoryEntry, PyPack};
use crate::device::PyDriver;
use crate::enums::{PlatformArg, StatusArg};
use crate::errors::{self, Error};
use crate::ops::{self, PyReport};
use crate::profile::{self, ProfileChanges};
use crate::xlsx::{checked, import_options, PyExportSummary, PyImportReport};

/// An import entry point of the engine: `Workspace::import_xlsx` or `import_legacy_text`.
type ImportFn = fn(&Workspace, PathBuf, &ImportOptions) -> farmhand::Result<ImportReport>;

/// A roster of accounts and phones backed by one store.
///
/// Open one with :meth:`Workspace.open` (a SQLite file or a ``postgres://`` URL) or
/// :meth:`Workspace.in_memory`; use it as a context manager to close it. One
/// workspace may be shared by many threads.
#[pyclass(frozen, module = "farmhand", name = "Workspace")]
pub struct PyWorkspace {
    inner: RwLock<Option<Workspace>>,
    path: Option<PathBuf>,
    /// A PostgreSQL workspace's URL without its password, for `repr`.
    url: Option<String>,
}

impl PyWorkspace {
    /// Wraps an engine workspace.
    pub fn new(ws: Workspace, path: Option<PathBuf>) -> Self {
        PyWorkspace {
            inner: RwLock::new(Some(ws)),
            path,
            url: None,
        }
    }

    /// The engine workspace, or `ClosedError`.
    pub fn engine(&self, py: Python<'_>) -> PyResult<Workspace> {
        let guard = self.inner.read().unwrap_or_else(|e| e.into_inner());
        guard.clone().ok_or_else(|| errors::closed(py))
    }

    /// Runs `f` on the engine workspace with the GIL released.
    fn run<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&Workspace) -> farmhand::Result<T> + Send,
    ) -> PyResult<T> {
        let ws = self.engine(py)?;
        Ok(py.detach(move || f(&ws)).map_err(Error)?)
    }

    /// Imports the file at `path` with `read` (the engine's xlsx or text
    /// import) with the GIL released; a rejected file raises `SheetImportError`.
    fn import(
        &self,
        py: Python<'_>,
        path: PathBuf,
        options: ImportOptions,
        read: ImportFn,
    ) -> PyResult<PyImportReport> {
        let source = path.display().to_string();
        let dry_run = options.dry_run;
        let report = self.run(py, move |ws| read(ws, path, &options))?;
        checked(py, report, source, dry_run)
    }
}

#[pymethods]
impl PyWorkspace {
    /// Opens (creating if needed) the workspace in the SQLite file at ``path``,
    /// or, given a ``postgres://user:password@host/db`` URL, the roster in that
    /// PostgreSQL database that several PCs share.
    ///
    /// A file or schema that is not a farmhand workspace, or one written by a
    /// newer farmhand, raises ``StorageError``; nothing in it is changed. A
    /// URL's password never shows in an error or in ``repr``.
    ///
    /// ``key`` (32 bytes, or the 64 hex digits of a key file) encrypts the
    /// passwords and 2FA keys of a workspace file: a new or empty workspace
    /// becomes encrypted with it; a key that is not the workspace's raises
    /// ``EncryptionKeyError`` and writes nothing. Without a key an encrypted
    /// workspace works for everything but its secrets.
    #[staticmethod]
    #[pyo3(signature = (path, *, key = None))]
    fn open(py: Python<'_>, path: PathBuf, key: Option<KeyArg>) -> PyResult<Self> {
        let at = path.clone();
        let ws = py
            .detach(move || match key {
                Some(key) => Workspace::open_with_key(&at, &key.0),
                None => Workspace::open(&at),
            })
            .map_err(Error)?;
        match path.to_str().and_then(farmhand::store::Location::of_url) {
            Some(location) => Ok(PyWorkspace {
                url: Some(location.to_string()),
                ..PyWorkspace::new(ws, None)
            }),
            None => Ok(PyWorkspace::new(ws, Some(path))),
        }
    }

    /// Encrypts the passwords and 2FA keys of the plain workspace file at
    /// ``path`` with ``key``, in place and atomically; returns how many
    /// secrets were converted. Copies made before (backups) keep them plain.
    #[staticmethod]
    fn encrypt_file(py: Python<'_>, path: PathBuf, key: KeyArg) -> PyResult<usize> {
        converted(py.detach(move || Workspace::encrypt_file(&path, &key.0)))
    }

    /// Decrypts the workspace file at ``path`` encrypted with ``key``, in
    /// place and atomically; returns how many secrets were converted.
    #[staticmethod]
    fn decrypt_file(py: Python<'_>, path: PathBuf, key: KeyArg) -> PyResult<usize> {
        converted(py.detach(move || Workspace::decrypt_file(&path, &key.0)))
    }

    /// Re-encrypts the workspace file at ``path`` from key ``old`` to key
    /// ``new``, in place and atomically; returns how many secrets were converted.
    #[staticmethod]
    fn rekey_file(py: Python<'_>, path: PathBuf, old: KeyArg, new: KeyArg) -> PyResult<usize> {
        converted(py.detach(move || Workspace::rekey_file(&path, &old.0, &new.0)))
    }

    /// How passwords and 2FA keys are kept: ``"plain"``, ``"unlocked"``
    /// (encrypted, key given) or ``"locked"`` (encrypted, opened without it).
    #[getter]
    fn encryption(&self, py: Python<'_>) -> PyResult<&'static str> {
        Ok(match self.engine(py)?.encryption() {
            Encryption::Plain => "plain",
            Encryption::Locked => "locked",
            Encryption::Unlocked => "unlocked",
        })
    }

    /// A fresh workspace held in memory, gone when closed or dropped.
    #[staticmethod]
    fn in_memory() -> Self {
        PyWorkspace::new(Workspace::in_memory(), None)
    }

    /// The file this workspace lives in; ``None`` for an in-memory or PostgreSQL one.
    #[getter]
    fn path(&self) -> Option<PathBuf> {
        self.path.clone()
    }

    /// True once :meth:`close` was called.
    #[getter]
    fn closed(&self) -> bool {
        self.inner
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .is_none()
    }

    /// Closes the workspace; later calls raise :class:`farmhand.ClosedError`.
    /// Closing twice is harmless.
    fn close(&self, py: Python<'_>) {
        let ws = self.inner.write().unwrap_or_else(|e| e.into_inner()).take();
        // Dropping the last handle may flush and close a database file.
        py.detach(move || drop(ws));
    }

    fn __enter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    fn __exit__(
        &self,
        py: Python<'_>,
        _exc_type: &Bound<'_, PyAny>,
        _exc: &Bound<'_, PyAny>,
        _traceback: &Bound<'_, PyAny>,
    ) -> bool {
        self.close(py);
        false
    }

    fn __repr__(&self) -> String {
        let state = if self.closed() { ", closed" } else { "" };
        match (&self.path, &self.url) {
            (Some(path), _) => format!(
                "Workspace.open({}{state})",
                quote(&path.display().to_string())
            ),
            (None, Some(url)) => format!("Workspace.open({}{state})", quote(url)),
            (None, None) => format!("Workspace.in_memory({state})").replace("(, ", "("),
        }
    }

    /// Creates an account and returns it. ``password`` is kept verbatim (a
    /// ``"password:SECRET"`` string is not split); the 2FA key is ``totp_key``.
    ///
    /// Profile fields (``nickname``, ``country``, ``followers``, ``following``,
    /// ``hearts``, ``videos``, ``friends``) may be given too. Raises
    /// ``ValidationError`` for a bad field, ``DuplicateError`` when the
    /// username (any spelling) exists on that platform.
    #[pyo3(signature = (
        username, *, platform, email = None, password = None, totp_key = None, device = None,
        package_name = None, tags = Tags::default(), logged_in = false, status = None,
        nickname = None, country = None, followers = None, following = None,
        hearts = None, videos = None, friends = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn add(
        &self,
        py: Python<'_>,
        username: String,
        platform: PlatformArg,
        email: Option<String>,
        password: Option<String>,
        totp_key: Option<String>,
        device: Option<String>,
        package_name: Option<String>,
        tags: Tags,
        logged_in: bool,
        status: Option<StatusArg>,
        nickname: Option<Bound<'_, PyAny>>,
        country: Option<Bound<'_, PyAny>>,
        followers: Option<Bound<'_, PyAny>>,
        following: Option<Bound<'_, PyAny>>,
        hearts: Option<Bound<'_, PyAny>>,
        videos: Option<Bound<'_, PyAny>>,
        friends: Option<Bound<'_, PyAny>>,
    ) -> PyResult<PyAccount> {
        let mut profile = ProfileChanges::default();
        let given = [
            nickname, country, followers, following, hearts, videos, friends,
        ];
        for (field, value) in profile::FIELDS.iter().zip(given) {
            if let Some(value) = value {
                profile.set(field, &value)?;
            }
        }
        let mut new = NewAccount::new(platform.0, username);
        new.stats = profile.apply(ProfileStats::default());
        new.email = email;
        new.password = password.map(Secret::new);
        new.totp_key = totp_key.map(Secret::new);
        new.device = device;
        new.package_name = package_name;
        new.tags = tags.0;
        new.logged_in = logged_in;
        new.status = status.map_or(Status::Enabled, |s| s.0);
        self.run(py, move |ws| ws.add(new)).map(PyAccount)
    }

    /// The account with this id (or the same account object, re-read); ``NotFoundError`` if none.
    fn get(&self, py: Python<'_>, id: IdArg) -> PyResult<PyAccount> {
        self.run(py, move |ws| ws.get(id.0)).map(PyAccount)
    }

    /// The account's workflow history, newest first, at most ``limit``
    /// entries (the workspace keeps the newest 100 per account).
    #[pyo3(signature = (id, *, limit = 20))]
    fn history(&self, py: Python<'_>, id: IdArg, limit: usize) -> PyResult<Vec<PyHistoryEntry>> {
        self.run(py, move |ws| ws.history(id.0, limit))
            .map(|entries| entries.into_iter().map(PyHistoryEntry).collect())
    }

    /// The roster's change feed from now on: iterate the :class:`Changes` to
    /// block until each change (whoever made it), then re-read the roster.
    fn watch(&self, py: Python<'_>) -> PyResult<crate::changes::PyChanges> {
        self.run(py, |ws| ws.watch())
            .map(crate::changes::PyChanges::new)
    }

    /// The account's :class:`Health` from its history; ``None`` until a
    /// workflow has learnt something about it.
    fn health(&self, py: Python<'_>, id: IdArg) -> PyResult<Option<PyHealth>> {
        self.run(py, move |ws| ws.health(id.0))
            .map(|health| health.map(PyHealth))
    }

    /// The account named ``username`` (``@Bob``, `` bob``, ``BOB`` alike) on ``platform``, or ``None``.
    #[pyo3(signature = (username, *, platform))]
    fn find(
        &self,
        py: Python<'_>,
        username: String,
        platform: PlatformArg,
    ) -> PyResult<Option<PyAccount>> {
        self.run(py, move |ws| ws.find(platform.0, &username))
            .map(|found| found.map(PyAccount))
    }

    /// Changes the given fields and returns the updated account.
    ///
    /// Fields: ``username``, ``email``, ``password``, ``totp_key``, ``device``,
    /// ``package_name`` (each of the last five cleared by ``None``),
    /// ``logged_in``, ``status``, ``tags``, and the profile fields
    /// ``nickname``, ``country``, ``followers``, ``following``, ``hearts``,
    /// ``videos``, ``friends`` (each cleared by ``None``; the others are kept).
    #[pyo3(signature = (id, **fields))]
    fn update(
        &self,
        py: Python<'_>,
        id: IdArg,
        fields: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyAccount> {
        let (patch, profile) = match fields {
            Some(fields) => patch_from(fields)?,
            None => (AccountPatch::default(), ProfileChanges::default()),
        };
        // Read-modify-write in one transaction: profile fields not given keep
        // their current values even against concurrent writers.
        self.run(py, move |ws| {
            ws.store().update_with(id.0, &mut |account| {
                Ok(AccountPatch {
                    stats: (!profile.is_empty()).then(|| profile.apply(account.stats.clone())),
                    ..patch.clone()
                })
            })
        })
        .map(PyAccount)
    }

    /// Deletes the account; ``NotFoundError`` if it does not exist.
    fn delete(&self, py: Python<'_>, id: IdArg) -> PyResult<()> {
        self.run(py, move |ws| ws.delete(id.0))
    }

    /// Accounts matching every given filter, by id.
    ///
    /// ``enabled=True`` keeps enabled accounts, ``device=`` those bound to that
    /// serial, ``tag=`` those carrying the tag, ``search=`` a case-insensitive
    /// substring of username, email or device.
    #[pyo3(signature = (
        *, platform = None, enabled = None, device = None, tag = None, logged_in = None, search = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn list<'py>(
        &self,
        py: Python<'py>,
        platform: Option<PlatformArg>,
        enabled: Option<bool>,
        device: Option<String>,
        tag: Option<String>,
        logged_in: Option<bool>,
        search: Option<String>,
    ) -> PyResult<Bound<'py, PyList>> {
        let filter = filter(platform, enabled, device, tag, logged_in, search);
        let accounts = self.run(py, move |ws| ws.list(&filter))?;
        PyList::new(py, accounts.into_iter().map(PyAccount))
    }

    /// How many accounts match the filters (same keywords as :meth:`list`).
    #[pyo3(signature = (
        *, platform = None, enabled = None, device = None, tag = None, logged_in = None, search = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn count(
        &self,
        py: Python<'_>,
        platform: Option<PlatformArg>,
        enabled: Option<bool>,
        device: Option<String>,
        tag: Option<String>,
        logged_in: Option<bool>,
        search: Option<String>,
    ) -> PyResult<usize> {
        let filter = filter(platform, enabled, device, tag, logged_in, search);
        self.run(py, move |ws| ws.count(&filter))
    }

    /// Accounts automation may touch: those matching the filters that are
    /// enabled. Disabled accounts are never returned.
    #[pyo3(signature = (
        *, platform = None, device = None, tag = None, logged_in = None, search = None
    ))]
    fn eligible<'py>(
        &self,
        py: Python<'py>,
        platform: Option<PlatformArg>,
        device: Option<String>,
        tag: Option<String>,
        logged_in: Option<bool>,
        search: Option<String>,
    ) -> PyResult<Bound<'py, PyList>> {
        let filter = filter(platform, None, device, tag, logged_in, search);
        let accounts = self.run(py, move |ws| ws.eligible(&filter))?;
        PyList::new(py, accounts.into_iter().map(PyAccount))
    }

    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        self.run(py, |ws| ws.count(&AccountFilter::default()))
    }

    /// Lets automation touch the account again; returns it.
    fn enable(&self, py: Python<'_>, id: IdArg) -> PyResult<PyAccount> {
        self.run(py, move |ws| ws.enable(id.0)).map(PyAccount)
    }

    /// Keeps every automation and bulk action away from the account; returns it.
    fn disable(&self, py: Python<'_>, id: IdArg) -> PyResult<PyAccount> {
        self.run(py, move |ws| ws.disable(id.0)).map(PyAccount)
    }

    /// Binds the account to the phone ``serial`` (registering the phone); returns it.
    fn bind(&self, py: Python<'_>, id: IdArg, serial: String) -> PyResult<PyAccount> {
        self.run(py, move |ws| ws.bind_device(id.0, &serial))
            .map(PyAccount)
    }

    /// Unbinds the account from its phone; returns it.
    fn unbind(&self, py: Python<'_>, id: IdArg) -> PyResult<PyAccount> {
        self.run(py, move |ws| ws.unbind_device(id.0))
            .map(PyAccount)
    }

    /// Replaces the account's tags; returns it.
    fn set_tags(&self, py: Python<'_>, id: IdArg, tags: Tags) -> PyResult<PyAccount> {
        self.run(py, move |ws| ws.set_tags(id.0, tags.0))
            .map(PyAccount)
    }

    /// Adds the tags the account does not carry yet; returns it.
    fn add_tags(&self, py: Python<'_>, id: IdArg, tags: Tags) -> PyResult<PyAccount> {
        self.run(py, move |ws| ws.add_tags(id.0, tags.0))
            .map(PyAccount)
    }

    /// Removes the given tags from the account; returns it.
    fn remove_tags(&self, py: Python<'_>, id: IdArg, tags: Tags) -> PyResult<PyAccount> {
        self.run(py, move |ws| ws.remove_tags(id.0, tags.0))
            .map(PyAccount)
    }

    /// Every phone the workspace has seen, by its stable index.
    fn devices(&self, py: Python<'_>) -> PyResult<Vec<PyDeviceRecord>> {
        let devices = self.run(py, |ws| ws.devices())?;
        Ok(devices.into_iter().map(PyDeviceRecord).collect())
    }

    /// Registers a phone (idempotent) and returns its record with its stable index.
    fn register_device(&self, py: Python<'_>, serial: String) -> PyResult<PyDeviceRecord> {
        self.run(py, move |ws| ws.register_device(&serial))
            .map(PyDeviceRecord)
    }

    /// Sets (or with ``None`` clears) a phone's label; ``NotFoundError`` for an unknown serial.
    fn label_device(
        &self,
        py: Python<'_>,
        serial: String,
        label: Option<String>,
    ) -> PyResult<PyDeviceRecord> {
        self.run(py, move |ws| ws.label_device(&serial, label.as_deref()))
            .map(PyDeviceRecord)
    }

    /// Imports the accounts sheet of an xlsx file into ``platform``, all or nothing.
    ///
    /// ``on_duplicate`` says what a row without ``id`` naming an existing
    /// username does: ``"error"`` (default), ``"update"`` or ``"skip"``. A row
    /// whose ``id`` no account here has (a sheet exported by another workspace)
    /// updates the account with its username, or creates it; ``strict_ids``
    /// makes such ids row errors instead.
    /// Invalid rows make the import write nothing and raise
    /// ``SheetImportError`` (its ``errors`` list them, its ``report`` has the
    /// counts) unless ``skip_invalid`` is true or this is a ``dry_run``, which
    /// return the report with the errors in it.
    #[pyo3(signature = (
        path, *, platform, dry_run = false, on_duplicate = "error", skip_invalid = false,
        max_rows = None, strict_ids = false
    ))]
    #[allow(clippy::too_many_arguments)]
    fn import_xlsx(
        &self,
        py: Python<'_>,
        path: PathBuf,
        platform: PlatformArg,
        dry_run: bool,
        on_duplicate: &str,
        skip_invalid: bool,
        max_rows: Option<usize>,
        strict_ids: bool,
    ) -> PyResult<PyImportReport> {
        let options = import_options(platform, dry_run, on_duplicate, skip_invalid, max_rows)?
            .strict_ids(strict_ids);
        self.import(py, path, options, Workspace::import_xlsx)
    }

    /// Imports a legacy TikMatrix text file (``email##pwd##username##device_index``
    /// per line) with the same options and rules as :meth:`import_xlsx`.
    #[pyo3(signature = (
        path, *, platform, dry_run = false, on_duplicate = "error", skip_invalid = false,
        max_rows = None, strict_ids = false
    ))]
    #[allow(clippy::too_many_arguments)]
    fn import_text(
        &self,
        py: Python<'_>,
        path: PathBuf,
        platform: PlatformArg,
        dry_run: bool,
        on_duplicate: &str,
        skip_invalid: bool,
        max_rows: Option<usize>,
        strict_ids: bool,
    ) -> PyResult<PyImportReport> {
        let options = import_options(platform, dry_run, on_duplicate, skip_invalid, max_rows)?
            .strict_ids(strict_ids);
        self.import(py, path, options, Workspace::import_legacy_text)
    }

    /// Writes the ``platform`` accounts matching the filters to an xlsx file
    /// (sheet ``accounts``), replacing it atomically. Without
    /// ``include_passwords`` the ``pwd`` column is left out; it defaults to
    /// true for a workspace that is not encrypted and false for an encrypted
    /// one (which needs its key to write them). ``include_health``
    /// appends a ``health`` column after TikMatrix's (import ignores it).
    #[pyo3(signature = (
        path, *, platform, include_passwords = None, enabled = None, device = None, tag = None,
        logged_in = None, search = None, include_health = false
    ))]
    #[allow(clippy::too_many_arguments)]
    fn export_xlsx(
        &self,
        py: Python<'_>,
        path: PathBuf,
        platform: PlatformArg,
        include_passwords: Option<bool>,
        enabled: Option<bool>,
        device: Option<String>,
        tag: Option<String>,
        logged_in: Option<bool>,
        search: Option<String>,
        include_health: bool,
    ) -> PyResult<PyExportSummary> {
        let include_passwords = match include_passwords {
            Some(include) => include,
            None => self.engine(py)?.encryption() == Encryption::Plain,
        };
        let options = ExportOptions::new(platform.0)
            .include_passwords(include_passwords)
            .include_health(include_health)
            .filter(filter(None, enabled, device, tag, logged_in, search));
        self.run(py, move |ws| ws.export_xlsx(&path, &options))
            .map(PyExportSummary)
    }

    /// Logs accounts in on their phones; returns a :class:`Report`.
    ///
    /// Default: every account that is not logged in. ``accounts=`` (ids or
    /// Accounts) or the filters (``platform=``, ``tag=``, ``device=``,
    /// ``search=``) choose others; disabled accounts are reported as skipped and
    /// never touched. ``progress`` is called with each :class:`Event` (from
    /// worker threads); if it raises, the run stops cleanly and the exception
    /// surfaces with the partial report as ``.report``. Ctrl-C does the same
    /// with ``KeyboardInterrupt``.
    ///
    /// ``packs=`` replace the built-in :class:`Pack` of their apps;
    /// ``disable_on_ban=True`` disables every account the app shows as banned.
    #[pyo3(signature = (
        driver, *, accounts = None, platform = None, tag = None, device = None, search = None,
        phones = None, parallelism = 256, command_timeout = 20.0, screen_timeout = 20.0,
        progress = None, packs = None, disable_on_ban = false
    ))]
    #[allow(clippy::too_many_arguments)]
    fn login(
        &self,
        py: Python<'_>,
        driver: &Bound<'_, PyDriver>,
        accounts: Option<Vec<IdArg>>,
        platform: Option<PlatformArg>,
        tag: Option<String>,
        device: Option<String>,
        search: Option<String>,
        phones: Option<Vec<String>>,
        parallelism: usize,
        command_timeout: f64,
        screen_timeout: f64,
        progress: Option<Py<PyAny>>,
        packs: Option<Vec<Py<PyPack>>>,
        disable_on_ban: bool,
    ) -> PyResult<PyReport> {
        let accounts = ops::selection(accounts, account_filter(platform, tag, device, search))?;
        let call = ops::Call {
            accounts,
            phones,
            parallelism,
            command_timeout,
            screen_timeout,
            progress,
            packs: packs_of(packs),
            disable_on_ban,
        };
        ops::run(
            py,
            self,
            Some(driver),
            ops::on_phones(Workspace::login),
            call,
        )
    }

    /// Reads each account's profile numbers and stores them; returns a
    /// :class:`Report`. Options as for :meth:`login`; an app that opens on its
    /// banned screen for the account's session ends it ``banned`` (disabled
    /// with ``disable_on_ban=True``).
    ///
    /// ``source="app"`` (default) reads the app's profile on each account's
    /// phone (default: every logged-in account). ``source="web"`` reads
    /// TikTok's public profile page instead: all seven TikTok columns, exact,
    /// no phone or ``driver`` needed (default: every TikTok account; Instagram
    /// syncs from the app only). ``source="both"`` reads the phone and
    /// completes it from the page. The web source takes ``web_url`` (default
    /// ``$FARMHAND_TIKTOK_WEB_URL``, else https://www.tiktok.com),
    /// ``web_rate`` (requests per second, one at a time), ``web_timeout``
    /// (seconds per page), ``web_retries`` (after a 429, 5xx or dropped
    /// connection) and ``proxy`` (``http://[user:pass@]host:port``).
    #[pyo3(signature = (
        driver = None, *, accounts = None, platform = None, tag = None, device = None,
        search = None, phones = None, parallelism = 256, command_timeout = 20.0,
        screen_timeout = 20.0, progress = None, packs = None, source = "app", web_url = None,
        web_rate = 1.0, web_timeout = 15.0, web_retries = 3, proxy = None,
        disable_on_ban = false
    ))]
    #[allow(clippy::too_many_arguments)]
    fn sync_profiles(
        &self,
        py: Python<'_>,
        driver: Option<&Bound<'_, PyDriver>>,
        accounts: Option<Vec<IdArg>>,
        platform: Option<PlatformArg>,
        tag: Option<String>,
        device: Option<String>,
        search: Option<String>,
        phones: Option<Vec<String>>,
        parallelism: usize,
        command_timeout: f64,
        screen_timeout: f64,
        progress: Option<Py<PyAny>>,
        packs: Option<Vec<Py<PyPack>>>,
        source: &str,
        web_url: Option<String>,
        web_rate: f64,
        web_timeout: f64,
        web_retries: u32,
        proxy: Option<String>,
        disable_on_ban: bool,
    ) -> PyResult<PyReport> {
        let platform_filter = platform.as_ref().map(|p| p.0);
        let accounts = ops::selection(accounts, account_filter(platform, tag, device, search))?;
        let web = WebOptions {
            base_url: web_url
                .or_else(|| std::env::var(farmhand::web::WEB_URL_ENV).ok())
                .unwrap_or_else(|| farmhand::web::TIKTOK_WEB_URL.to_string()),
            requests_per_second: web_rate,
            timeout: crate::device::seconds(web_timeout)?,
            retries: web_retries,
            proxy,
            ..WebOptions::default()
        };
        let kind: SourceKind = source.parse().map_err(Error)?;
        if kind.reads_web() {
            web.check().map_err(Error)?;
            kind.check_platform(platform_filter).map_err(Error)?;
        }
        if driver.is_none() && kind.needs_driver() {
            return Err(PyTypeError::new_err(format!(
                "sync_profiles(source={}) needs a driver (only source='web' reads no phone)",
                quote(source)
            )));
        }
        let work: ops::Work = match kind {
            SourceKind::App => ops::on_phones(Workspace::sync_profiles),
            _ => Box::new(move |ws, driver, options| {
                ws.sync_profiles_from(kind.source(driver, &web)?, options)
            }),
        };
        let call = ops::Call {
            accounts,
            phones,
            parallelism,
            command_timeout,
            screen_timeout,
            progress,
            packs: packs_of(packs),
            disable_on_ban,
        };
        ops::run(py, self, driver, work, call)
    }

    /// Scans the phones (``phones=`` or every connected one) for app sessions
    /// that are logged in, creates the missing accounts and links each to the
    /// phone it was found on, never creating a duplicate; returns a :class:`Report`.
    #[pyo3(signature = (
        driver, *, phones = None, parallelism = 256, command_timeout = 20.0, screen_timeout = 20.0,
        progress = None, packs = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn match_accounts(
        &self,
        py: Python<'_>,
        driver: &Bound<'_, PyDriver>,
        phones: Option<Vec<String>>,
        parallelism: usize,
        command_timeout: f64,
        screen_timeout: f64,
        progress: Option<Py<PyAny>>,
        packs: Option<Vec<Py<PyPack>>>,
    ) -> PyResult<PyReport> {
        let call = ops::Call {
            accounts: AccountSelection::Default,
            phones,
            parallelism,
            command_timeout,
            screen_timeout,
            progress,
            packs: packs_of(packs),
            disable_on_ban: false,
        };
        ops::run(
            py,
            self,
            Some(driver),
            ops::on_phones(Workspace::match_accounts),
            call,
        )
    }
}

/// A phone known to a workspace, with its stable friendly number.
#[pyclass(frozen, eq, module = "farmhand", name = "DeviceRecord")]
#[derive(PartialEq)]
pub struct PyDeviceRecord(pub DeviceRecord);

#[pymethods]
impl PyDeviceRecord {
    /// USB serial or ``ip:port``.
    #[getter]
    fn serial(&self) -> &str {
        &self.0.serial
    }

    /// Stable small number, never reused: the sheet's ``device_index``.
    #[getter]
    fn index(&self) -> u32 {
        self.0.index
    }

    /// Label given by a person, if any.
    #[getter]
    fn label(&self) -> Option<&str> {
        self.0.label.as_deref()
    }

    fn __repr__(&self) -> String {
        format!(
            "DeviceRecord(serial={}, index={}, label={})",
            quote(&self.0.serial),
            self.0.index,
            quote_opt(self.0.label.as_deref())
        )
    }
}

/// The listing filter for the keyword filters shared by `list`, `count`, `export_xlsx`...
pub fn filter(
    platform: Option<PlatformArg>,
    enabled: Option<bool>,
    device: Option<String>,
    tag: Option<String>,
    logged_in: Option<bool>,
    search: Option<String>,
) -> AccountFilter {
    AccountFilter {
        platform: platform.map(|p| p.0),
        status: enabled.map(|on| {
            if on {
                Status::Enabled
            } else {
                Status::Disabled
            }
        }),
        logged_in,
        device: device.map(Some),
        tag,
        text: search,
    }
}

/// An account id argument: an int, or an `Account` (its id is used).
pub struct IdArg(pub AccountId);

impl<'a, 'py> FromPyObject<'a, 'py> for IdArg {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if let Ok(account) = obj.cast::<PyAccount>() {
            return Ok(IdArg(account.get().0.id));
        }
        if obj.is_instance_of::<pyo3::types::PyBool>()
            || !obj.is_instance_of::<pyo3::types::PyInt>()
        {
            return Err(PyTypeError::new_err(format!(
                "expected an account id (int) or an Account, not {}",
                obj.get_type().name()?
            )));
        }
        let id: i64 = obj
            .extract()
            .map_err(|_| PyValueError::new_err("account id out of range"))?;
        Ok(IdArg(AccountId(id)))
    }
}

/// A tags argument: any iterable of str, but not a str itself.
#[derive(Default)]
pub struct Tags(pub Vec<String>);

impl<'a, 'py> FromPyObject<'a, 'py> for Tags {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if obj.is_instance_of::<PyString>() || obj.is_instance_of::<pyo3::types::PyBytes>() {
            return Err(PyTypeError::new_err(
                "tags: expected an iterable of str (e.g. a list), not a single string",
            ));
        }
        let mut tags = Vec::new();
        for item in obj.try_iter()? {
            let item = item?;
            let tag = item.cast::<PyString>().map_err(|_| {
                PyTypeError::new_err(format!(
                    "tags: every tag must be a str, not {}",
                    item.get_type()
                        .name()
                        .map_or_else(|_| "?".into(), |n| n.to_string())
                ))
            })?;
            tags.push(tag.to_str()?.to_owned());
        }
        Ok(Tags(tags))
    }
}

/// The `update(**fields)` keywords as a patch; unknown or mistyped fields are refused.
/// The patch and the profile changes of `update()`'s keyword arguments.
fn patch_from(fields: &Bound<'_, PyDict>) -> PyResult<(AccountPatch, ProfileChanges)> {
    let mut patch = AccountPatch::default();
    let mut profile = ProfileChanges::default();
    for (key, value) in fields.iter() {
        let key: String = key.extract()?;
        if profile.set(&key, &value)? {
            continue;
        }
        let named = |err: PyErr| PyTypeError::new_err(format!("update() argument '{key}': {err}"));
        let text = |value: &Bound<'_, PyAny>| -> PyResult<Option<String>> {
            if value.is_none() {
                Ok(None)
            } else {
                value.extract::<String>().map(Some).map_err(named)
            }
        };
        match key.as_str() {
            "username" => {
                patch.username = Some(value.extract::<String>().map_err(named)?);
            }
            "email" => patch.email = Some(text(&value)?),
            "password" => patch.password = Some(text(&value)?.map(Secret::new)),
            "totp_key" => patch.totp_key = Some(text(&value)?.map(Secret::new)),
            "device" => patch.device = Some(text(&value)?),
            "package_name" => patch.package_name = Some(text(&value)?),
            "logged_in" => patch.logged_in = Some(value.extract::<bool>().map_err(named)?),
            "status" => {
                patch.status = Some(match value.extract::<StatusArg>() {
                    Ok(status) => status.0,
                    Err(err) if err.is_instance_of::<PyTypeError>(value.py()) => {
                        return Err(named(err))
                    }
                    Err(err) => return Err(err),
                })
            }
            "tags" => patch.tags = Some(value.extract::<Tags>().map_err(named)?.0),
            other => {
                return Err(PyTypeError::new_err(format!(
                    "update() got an unexpected keyword argument '{other}' (fields: username, \
                     email, password, totp_key, device, package_name, logged_in, status, tags, {})",
                    profile::FIELDS.join(", ")
                )))
            }
        }
    }
    Ok((patch, profile))
}

/// A filter from the workflow keyword filters, `None` when none is given.
fn account_filter(
    platform: Option<PlatformArg>,
    tag: Option<String>,
    device: Option<String>,
    search: Option<String>,
) -> Option<AccountFilter> {
    if platform.is_none() && tag.is_none() && device.is_none() && search.is_none() {
        return None;
    }
    Some(filter(platform, None, device, tag, None, search))
}

/// The engine packs of a `packs=` argument.
fn packs_of(packs: Option<Vec<Py<PyPack>>>) -> Vec<farmhand::apps::Pack> {
    packs
        .unwrap_or_default()
        .iter()
        .map(|p| p.get().0.clone())
        .collect()
}

/// A workspace key from Python: 32 bytes, or the 64 hexadecimal digits of a key file.
pub struct KeyArg(SecretKey);

impl<'a, 'py> FromPyObject<'a, 'py> for KeyArg {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        if let Ok(bytes) = obj.cast::<pyo3::types::PyBytes>() {
            let raw: [u8; farmhand::secret::seal::KEY_BYTES] =
                bytes.as_bytes().try_into().map_err(|_| {
                    PyValueError::new_err(format!(
                        "key: a key is {} bytes; these are {}",
                        farmhand::secret::seal::KEY_BYTES,
                        bytes.as_bytes().len()
                    ))
                })?;
            return Ok(KeyArg(SecretKey::from_bytes(raw)));
        }
        if let Ok(text) = obj.cast::<PyString>() {
            let text = zeroize::Zeroizing::new(text.to_str()?.to_string());
            return Ok(KeyArg(SecretKey::from_text(&text).map_err(Error)?));
        }
        Err(PyTypeError::new_err(
            "key: expected bytes (32) or str (64 hexadecimal digits)",
        ))
    }
}

/// A conversion's count of secrets for Python.
fn converted(done: farmhand::Result<farmhand::store::Conversion>) -> PyResult<usize> {
    Ok(done.map_err(Error)?.secrets)
}

//! Phones from Python: drivers (`DeviceDriver`, `AdbDriver`), one open phone
//! (`Device`), shell output, and UI dumps as objects (`UiTree`, `UiNode`, `Bounds`).
//!
//! Every call that reaches a phone or the adb server releases the GIL.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use farmhand::device::{
    AdbDriver, Bounds, Device, DeviceDriver, DeviceExt, DeviceInfo, DeviceState, NodeId, Selector,
    ShellOutput, Transport, UiTree,
};

use crate::account::{quote, quote_opt};
use crate::errors::Error;

/// Something that finds and opens phones: an :class:`AdbDriver`, or a
/// simulated fleet's driver (``farmhand.sim``). Workflows take one.
#[pyclass(frozen, subclass, module = "farmhand", name = "DeviceDriver")]
pub struct PyDriver {
    /// The engine driver.
    pub inner: Arc<dyn DeviceDriver>,
}

impl PyDriver {
    /// Runs `f` on the engine driver with the GIL released.
    fn run<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&dyn DeviceDriver) -> farmhand::Result<T> + Send,
    ) -> PyResult<T> {
        Ok(py.detach(|| f(self.inner.as_ref())).map_err(Error)?)
    }
}

#[pymethods]
impl PyDriver {
    /// Every phone the driver can see.
    fn devices(&self, py: Python<'_>) -> PyResult<Vec<PyDeviceInfo>> {
        let devices = self.run(py, |d| d.devices())?;
        Ok(devices.into_iter().map(PyDeviceInfo).collect())
    }

    /// Opens the phone with this serial; ``NotFoundError`` if it is not attached.
    fn open(&self, py: Python<'_>, serial: String) -> PyResult<PyDevice> {
        let device = self.run(py, move |d| d.open(&serial))?;
        Ok(PyDevice(Mutex::new(device)))
    }

    /// Attaches a network phone (``ip:port``).
    fn connect(&self, py: Python<'_>, address: String) -> PyResult<()> {
        self.run(py, move |d| d.connect(&address))
    }

    /// Detaches a network phone (``ip:port``).
    fn disconnect(&self, py: Python<'_>, address: String) -> PyResult<()> {
        self.run(py, move |d| d.disconnect(&address))
    }
}

/// Phones through one adb server: the default local one (port 5037 or
/// ``ANDROID_ADB_SERVER_PORT``), or ``server="host:port"``.
#[pyclass(frozen, extends = PyDriver, module = "farmhand", name = "AdbDriver")]
pub struct PyAdbDriver(AdbDriver);

#[pymethods]
impl PyAdbDriver {
    #[new]
    #[pyo3(signature = (server = None))]
    fn new(server: Option<&str>) -> PyResult<PyClassInitializer<Self>> {
        let driver = match server {
            None => AdbDriver::new().map_err(Error)?,
            Some(text) => AdbDriver::at(text).map_err(Error)?,
        };
        Ok(PyAdbDriver::initializer(driver))
    }

    /// The server's address, ``"host:port"``.
    #[getter]
    fn server(&self) -> String {
        self.0.server().to_string()
    }

    /// The server's protocol version, e.g. 41.
    fn version(&self, py: Python<'_>) -> PyResult<u32> {
        let driver = self.0.clone();
        Ok(py.detach(move || driver.version()).map_err(Error)?)
    }

    fn __repr__(&self) -> String {
        format!("AdbDriver(server='{}')", self.0.server())
    }
}

impl PyAdbDriver {
    /// The Python object for an engine `AdbDriver` (base class included).
    pub fn initializer(driver: AdbDriver) -> PyClassInitializer<Self> {
        PyClassInitializer::from(PyDriver {
            inner: Arc::new(driver.clone()),
        })
        .add_subclass(PyAdbDriver(driver))
    }
}

/// A phone as a driver lists it.
#[pyclass(frozen, eq, module = "farmhand", name = "DeviceInfo")]
#[derive(PartialEq)]
pub struct PyDeviceInfo(pub DeviceInfo);

#[pymethods]
impl PyDeviceInfo {
    /// USB serial or ``ip:port``.
    #[getter]
    fn serial(&self) -> &str {
        &self.0.serial
    }

    /// ``"device"`` (online), ``"offline"``, ``"unauthorized"`` or what the server reports.
    #[getter]
    fn state(&self) -> &str {
        match &self.0.state {
            DeviceState::Device => "device",
            DeviceState::Offline => "offline",
            DeviceState::Unauthorized => "unauthorized",
            DeviceState::Other(other) => other,
        }
    }

    /// True when the phone is online and usable.
    #[getter]
    fn online(&self) -> bool {
        self.0.state == DeviceState::Device
    }

    /// Model name, where known.
    #[getter]
    fn model(&self) -> Option<&str> {
        self.0.model.as_deref()
    }

    /// ``"usb"``, ``"tcp"`` or ``"local"`` (in-process simulated phone).
    #[getter]
    fn transport(&self) -> &'static str {
        match self.0.transport {
            Transport::Usb => "usb",
            Transport::Tcp => "tcp",
            Transport::Local => "local",
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "DeviceInfo(serial={}, state={}, model={}, transport='{}')",
            quote(&self.0.serial),
            quote(self.state()),
            quote_opt(self.0.model.as_deref()),
            self.transport()
        )
    }
}

/// What a shell command printed and how it ended.
#[pyclass(frozen, module = "farmhand", name = "ShellOutput")]
pub struct PyShellOutput(pub ShellOutput);

#[pymethods]
impl PyShellOutput {
    /// Standard output (lossy UTF-8).
    #[getter]
    fn stdout(&self) -> &str {
        &self.0.stdout
    }

    /// Standard error; empty where the transport merges it into ``stdout``.
    #[getter]
    fn stderr(&self) -> &str {
        &self.0.stderr
    }

    /// The command's exit code.
    #[getter]
    fn exit_code(&self) -> i32 {
        self.0.exit_code
    }

    /// True when the command exited with 0.
    #[getter]
    fn ok(&self) -> bool {
        self.0.success()
    }

    fn __repr__(&self) -> String {
        format!(
            "ShellOutput(exit_code={}, stdout={}, stderr={})",
            self.0.exit_code,
            quote(&self.0.stdout),
            quote(&self.0.stderr)
        )
    }
}

/// One open phone. Calls on one ``Device`` run one at a time; open one per thread
/// to drive phones in parallel.
#[pyclass(frozen, module = "farmhand", name = "Device")]
pub struct PyDevice(Mutex<Box<dyn Device>>);

impl PyDevice {
    fn with<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut dyn Device) -> farmhand::Result<T> + Send,
    ) -> PyResult<T> {
        Ok(py
            .detach(|| {
                let mut device = self.0.lock().unwrap_or_else(|e| e.into_inner());
                f(device.as_mut())
            })
            .map_err(Error)?)
    }
}

#[pymethods]
impl PyDevice {
    /// The phone's serial.
    #[getter]
    fn serial(&self) -> String {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .serial()
            .to_owned()
    }

    /// Runs ``command`` in the phone's shell; a phone that does not answer within
    /// ``timeout`` seconds raises ``farmhand.TimeoutError``.
    #[pyo3(signature = (command, *, timeout = 20.0))]
    fn shell(&self, py: Python<'_>, command: String, timeout: f64) -> PyResult<PyShellOutput> {
        let timeout = seconds(timeout)?;
        self.with(py, move |d| d.shell(&command, timeout))
            .map(PyShellOutput)
    }

    /// Reads a file from the phone.
    #[pyo3(signature = (path, *, timeout = 20.0))]
    fn pull<'py>(
        &self,
        py: Python<'py>,
        path: String,
        timeout: f64,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let timeout = seconds(timeout)?;
        let bytes = self.with(py, move |d| d.pull(&path, timeout))?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// Dumps the screen's window hierarchy as a :class:`UiTree`.
    fn dump_ui(&self, py: Python<'_>) -> PyResult<PyUiTree> {
        let tree = self.with(py, |d| d.dump_ui())?;
        Ok(PyUiTree(Arc::new(tree)))
    }

    /// Taps a point.
    fn tap(&self, py: Python<'_>, x: i32, y: i32) -> PyResult<()> {
        self.with(py, move |d| d.tap(x, y))
    }

    /// Taps the centre of a node from a dump.
    fn tap_node(&self, py: Python<'_>, node: PyRef<'_, PyUiNode>) -> PyResult<()> {
        let (tree, id) = (node.tree.clone(), node.id);
        self.with(py, move |d| d.tap_node(tree.node(id)))
    }

    /// Types text into the focused field.
    fn input_text(&self, py: Python<'_>, text: String) -> PyResult<()> {
        self.with(py, move |d| d.input_text(&text))
    }

    /// Presses a key: ``"BACK"``, ``"KEYCODE_BACK"`` or a key code number as text.
    fn key(&self, py: Python<'_>, key: String) -> PyResult<()> {
        self.with(py, move |d| d.key(&key))
    }

    /// Swipes from one point to another over ``duration`` seconds.
    #[pyo3(signature = (start, end, *, duration = 0.3))]
    fn swipe(
        &self,
        py: Python<'_>,
        start: (i32, i32),
        end: (i32, i32),
        duration: f64,
    ) -> PyResult<()> {
        let duration = seconds(duration)?;
        self.with(py, move |d| d.swipe(start, end, duration))
    }

    /// Starts an app: its ``activity`` if given, else its launcher activity.
    #[pyo3(signature = (package, activity = None))]
    fn launch(&self, py: Python<'_>, package: String, activity: Option<String>) -> PyResult<()> {
        self.with(py, move |d| d.launch(&package, activity.as_deref()))
    }

    /// Stops an app.
    fn force_stop(&self, py: Python<'_>, package: String) -> PyResult<()> {
        self.with(py, move |d| d.force_stop(&package))
    }

    /// The package of the focused window; ``None`` when nothing has focus.
    fn foreground_package(&self, py: Python<'_>) -> PyResult<Option<String>> {
        self.with(py, |d| d.foreground_package())
    }

    /// Screen size in pixels ``(width, height)``.
    fn screen_size(&self, py: Python<'_>) -> PyResult<(u32, u32)> {
        self.with(py, |d| d.screen_size())
    }

    /// Installed packages, sorted.
    fn installed_packages(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        self.with(py, |d| d.installed_packages())
    }

    /// Dumps the screen until a node matching the criteria appears (or raises
    /// ``farmhand.TimeoutError`` after ``timeout`` seconds); returns the node.
    /// Criteria as for :meth:`UiTree.find`.
    #[pyo3(signature = (*, timeout = 10.0, id = None, text = None, text_contains = None, desc = None, desc_contains = None, class_name = None, package = None, clickable = None))]
    #[allow(clippy::too_many_arguments)]
    fn wait_for(
        &self,
        py: Python<'_>,
        timeout: f64,
        id: Option<String>,
        text: Option<String>,
        text_contains: Option<String>,
        desc: Option<String>,
        desc_contains: Option<String>,
        class_name: Option<String>,
        package: Option<String>,
        clickable: Option<bool>,
    ) -> PyResult<PyUiNode> {
        let timeout = seconds(timeout)?;
        let selector = selector(
            id,
            text,
            text_contains,
            desc,
            desc_contains,
            class_name,
            package,
            clickable,
        )?;
        let found = self.with(py, move |d| d.wait_for(&selector, timeout))?;
        Ok(PyUiNode {
            tree: Arc::new(found.tree),
            id: found.id,
        })
    }

    fn __repr__(&self) -> String {
        format!("Device(serial={})", quote(&self.serial()))
    }
}

/// A duration in seconds: finite and not negative.
pub fn seconds(value: f64) -> PyResult<Duration> {
    Duration::try_from_secs_f64(value).map_err(|_| {
        PyValueError::new_err(format!(
            "timeout: expected a finite number of seconds >= 0, not {value}"
        ))
    })
}

#[allow(clippy::too_many_arguments)]
fn selector(
    id: Option<String>,
    text: Option<String>,
    text_contains: Option<String>,
    desc: Option<String>,
    desc_contains: Option<String>,
    class_name: Option<String>,
    package: Option<String>,
    clickable: Option<bool>,
) -> PyResult<Selector> {
    let mut s = Selector::new();
    let mut any = false;
    if let Some(v) = id {
        (s, any) = (s.id(v), true);
    }
    if let Some(v) = text {
        (s, any) = (s.text(v), true);
    }
    if let Some(v) = text_contains {
        (s, any) = (s.text_contains(v), true);
    }
    if let Some(v) = desc {
        (s, any) = (s.desc(v), true);
    }
    if let Some(v) = desc_contains {
        (s, any) = (s.desc_contains(v), true);
    }
    if let Some(v) = class_name {
        (s, any) = (s.class(v), true);
    }
    if let Some(v) = package {
        (s, any) = (s.package(v), true);
    }
    if let Some(v) = clickable {
        (s, any) = (s.clickable(v), true);
    }
    if !any {
        return Err(PyTypeError::new_err(
            "give at least one criterion (id=, text=, text_contains=, desc=, desc_contains=, \
             class_name=, package=, clickable=)",
        ));
    }
    Ok(s)
}

/// A dumped screen: every node, in document order.
#[pyclass(frozen, module = "farmhand", name = "UiTree")]
pub struct PyUiTree(pub Arc<UiTree>);

#[pymethods]
impl PyUiTree {
    /// Parses a uiautomator XML dump.
    #[staticmethod]
    fn parse(xml: &str) -> PyResult<Self> {
        Ok(PyUiTree(Arc::new(UiTree::parse(xml).map_err(Error)?)))
    }

    /// Every node in document order.
    #[getter]
    fn nodes(&self) -> Vec<PyUiNode> {
        (0..self.0.len()).map(|i| self.node(NodeId(i))).collect()
    }

    /// The top-level nodes.
    #[getter]
    fn roots(&self) -> Vec<PyUiNode> {
        self.0.roots().map(|n| self.node(n.id)).collect()
    }

    /// The package most nodes belong to (the app on screen), if any.
    #[getter]
    fn main_package(&self) -> Option<&str> {
        self.0.main_package()
    }

    /// Screen rotation (0-3).
    #[getter]
    fn rotation(&self) -> i32 {
        self.0.rotation
    }

    /// The first node matching every given criterion, or ``None``.
    ///
    /// ``id`` matches a full ``pkg:id/name`` exactly or a bare ``name`` in any
    /// package; ``text``/``desc`` match exactly, ``*_contains`` as substrings.
    #[pyo3(signature = (*, id = None, text = None, text_contains = None, desc = None, desc_contains = None, class_name = None, package = None, clickable = None))]
    #[allow(clippy::too_many_arguments)]
    fn find(
        &self,
        id: Option<String>,
        text: Option<String>,
        text_contains: Option<String>,
        desc: Option<String>,
        desc_contains: Option<String>,
        class_name: Option<String>,
        package: Option<String>,
        clickable: Option<bool>,
    ) -> PyResult<Option<PyUiNode>> {
        let s = selector(
            id,
            text,
            text_contains,
            desc,
            desc_contains,
            class_name,
            package,
            clickable,
        )?;
        Ok(s.find(&self.0).map(|n| self.node(n.id)))
    }

    /// Every node matching every given criterion (same keywords as :meth:`find`).
    #[pyo3(signature = (*, id = None, text = None, text_contains = None, desc = None, desc_contains = None, class_name = None, package = None, clickable = None))]
    #[allow(clippy::too_many_arguments)]
    fn find_all(
        &self,
        id: Option<String>,
        text: Option<String>,
        text_contains: Option<String>,
        desc: Option<String>,
        desc_contains: Option<String>,
        class_name: Option<String>,
        package: Option<String>,
        clickable: Option<bool>,
    ) -> PyResult<Vec<PyUiNode>> {
        let s = selector(
            id,
            text,
            text_contains,
            desc,
            desc_contains,
            class_name,
            package,
            clickable,
        )?;
        Ok(s.find_all(&self.0)
            .into_iter()
            .map(|n| self.node(n.id))
            .collect())
    }

    fn __len__(&self) -> usize {
        self.0.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "UiTree(nodes={}, main_package={})",
            self.0.len(),
            quote_opt(self.0.main_package())
        )
    }
}

impl PyUiTree {
    fn node(&self, id: NodeId) -> PyUiNode {
        PyUiNode {
            tree: self.0.clone(),
            id,
        }
    }
}

/// One node of a dumped screen.
#[pyclass(frozen, module = "farmhand", name = "UiNode")]
pub struct PyUiNode {
    tree: Arc<UiTree>,
    id: NodeId,
}

impl PyUiNode {
    fn get(&self) -> &farmhand::device::UiNode {
        self.tree.node(self.id)
    }

    fn at(&self, id: NodeId) -> PyUiNode {
        PyUiNode {
            tree: self.tree.clone(),
            id,
        }
    }
}

#[pymethods]
impl PyUiNode {
    /// Position in the tree's document order.
    #[getter]
    fn index(&self) -> usize {
        self.id.0
    }

    /// Visible text.
    #[getter]
    fn text(&self) -> &str {
        &self.get().text
    }

    /// Resource id, e.g. ``com.instagram.android:id/login_username``.
    #[getter]
    fn resource_id(&self) -> &str {
        &self.get().resource_id
    }

    /// Widget class, e.g. ``android.widget.EditText``.
    #[getter]
    fn class_name(&self) -> &str {
        &self.get().class
    }

    /// The app the node belongs to.
    #[getter]
    fn package(&self) -> &str {
        &self.get().package
    }

    /// Accessibility description.
    #[getter]
    fn content_desc(&self) -> &str {
        &self.get().content_desc
    }

    /// Hint of an empty text field.
    #[getter]
    fn hint(&self) -> &str {
        &self.get().hint
    }

    /// Depth from the root (roots are 0).
    #[getter]
    fn depth(&self) -> u32 {
        self.get().depth
    }

    /// On-screen rectangle, if the dump gave one.
    #[getter]
    fn bounds(&self) -> Option<PyBounds> {
        self.get().bounds.map(PyBounds)
    }

    /// Tap point ``(x, y)``: the centre of the bounds.
    #[getter]
    fn center(&self) -> Option<(i32, i32)> {
        self.get().center()
    }

    /// True when the node reacts to taps.
    #[getter]
    fn clickable(&self) -> bool {
        self.get().flags.clickable
    }

    /// True when the node is enabled.
    #[getter]
    fn enabled(&self) -> bool {
        self.get().flags.enabled
    }

    /// True for a checked checkbox or switch.
    #[getter]
    fn checked(&self) -> bool {
        self.get().flags.checked
    }

    /// True when the node has input focus.
    #[getter]
    fn focused(&self) -> bool {
        self.get().flags.focused
    }

    /// True for a password field.
    #[getter]
    fn password(&self) -> bool {
        self.get().flags.password
    }

    /// True when the node can scroll.
    #[getter]
    fn scrollable(&self) -> bool {
        self.get().flags.scrollable
    }

    /// True when the node is selected.
    #[getter]
    fn selected(&self) -> bool {
        self.get().flags.selected
    }

    /// The parent node, ``None`` for a root.
    #[getter]
    fn parent(&self) -> Option<PyUiNode> {
        self.get().parent.map(|id| self.at(id))
    }

    /// The child nodes, in order.
    #[getter]
    fn children(&self) -> Vec<PyUiNode> {
        self.get().children.iter().map(|&id| self.at(id)).collect()
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyUiNode>().is_ok_and(|o| {
            let o = o.get();
            Arc::ptr_eq(&self.tree, &o.tree) && self.id == o.id
        })
    }

    fn __hash__(&self) -> u64 {
        (Arc::as_ptr(&self.tree) as u64) ^ (self.id.0 as u64)
    }

    fn __repr__(&self) -> String {
        format!("UiNode({})", self.get().describe())
    }
}

/// A node's on-screen rectangle in pixels.
#[pyclass(frozen, eq, module = "farmhand", name = "Bounds")]
#[derive(PartialEq)]
pub struct PyBounds(pub Bounds);

#[pymethods]
impl PyBounds {
    /// Left edge.
    #[getter]
    fn left(&self) -> i32 {
        self.0.left
    }
    /// Top edge.
    #[getter]
    fn top(&self) -> i32 {
        self.0.top
    }
    /// Right edge (exclusive).
    #[getter]
    fn right(&self) -> i32 {
        self.0.right
    }
    /// Bottom edge (exclusive).
    #[getter]
    fn bottom(&self) -> i32 {
        self.0.bottom
    }
    /// Width in pixels.
    #[getter]
    fn width(&self) -> i32 {
        self.0.width()
    }
    /// Height in pixels.
    #[getter]
    fn height(&self) -> i32 {
        self.0.height()
    }
    /// The centre point ``(x, y)``.
    #[getter]
    fn center(&self) -> (i32, i32) {
        self.0.center()
    }
    /// True when the point lies inside.
    fn contains(&self, x: i32, y: i32) -> bool {
        self.0.contains(x, y)
    }
    fn __repr__(&self) -> String {
        format!(
            "Bounds(left={}, top={}, right={}, bottom={})",
            self.0.left, self.0.top, self.0.right, self.0.bottom
        )
    }
}

"""Drivers, UI dumps as objects, and the real adb server (without phones here;
phones come from farmhand.sim in test_fleet.py)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from collections.abc import Iterator

import pytest

import farmhand

DUMP = """<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>
<hierarchy rotation="0">
  <node index="0" text="" resource-id="" class="android.widget.FrameLayout" package="com.instagram.android"
        content-desc="" checkable="false" checked="false" clickable="false" enabled="true" focusable="false"
        focused="false" scrollable="false" long-clickable="false" password="false" selected="false"
        bounds="[0,0][1080,2340]">
    <node index="0" text="" resource-id="com.instagram.android:id/login_username" class="android.widget.EditText"
          package="com.instagram.android" content-desc="Username" checkable="false" checked="false" clickable="true"
          enabled="true" focusable="true" focused="true" scrollable="false" long-clickable="true" password="false"
          selected="false" bounds="[100,800][980,900]" />
    <node index="1" text="" resource-id="com.instagram.android:id/password" class="android.widget.EditText"
          package="com.instagram.android" content-desc="Password" checkable="false" checked="false" clickable="true"
          enabled="true" focusable="true" focused="false" scrollable="false" long-clickable="true" password="true"
          selected="false" bounds="[100,950][980,1050]" />
    <node index="2" text="Log in" resource-id="com.instagram.android:id/button_text" class="android.widget.Button"
          package="com.instagram.android" content-desc="" checkable="false" checked="false" clickable="true"
          enabled="true" focusable="true" focused="false" scrollable="false" long-clickable="false" password="false"
          selected="false" bounds="[100,1100][980,1200]" />
  </node>
</hierarchy>
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def adb_server() -> Iterator[str]:
    """A real adb server on a private port (never 5037), killed afterwards."""
    adb = shutil.which("adb")
    assert adb, "the adb binary is required (Debian package adb; .ci/run installs it)"
    port = free_port()
    env = dict(os.environ, ANDROID_ADB_SERVER_PORT=str(port))
    subprocess.run([adb, "-P", str(port), "start-server"], check=True, env=env, capture_output=True)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        subprocess.run([adb, "-P", str(port), "kill-server"], env=env, capture_output=True)


def test_ui_tree_objects() -> None:
    tree = farmhand.UiTree.parse(DUMP)
    assert len(tree) == 4
    assert tree.main_package == "com.instagram.android"
    assert tree.rotation == 0
    [root] = tree.roots
    assert [c.resource_id for c in root.children] == [
        "com.instagram.android:id/login_username",
        "com.instagram.android:id/password",
        "com.instagram.android:id/button_text",
    ]
    user = tree.find(id="login_username")
    assert user is not None
    assert user.parent == root and user.depth == 1
    assert user.focused and user.clickable and not user.password
    assert user.class_name == "android.widget.EditText" and user.content_desc == "Username"
    assert user.bounds == tree.nodes[1].bounds
    assert user.bounds is not None and user.bounds.width == 880 and user.bounds.contains(500, 850)
    assert user.center == (540, 850)
    password = tree.find(desc="Password")
    assert password is not None and password.password
    button = tree.find(text="Log in", clickable=True)
    assert button is not None and button.text == "Log in"
    assert tree.find(text_contains="nothing like this") is None
    assert len(tree.find_all(class_name="android.widget.EditText")) == 2
    assert len({user, tree.find(id="login_username")}) == 1
    assert "login_username" in repr(user)


def test_ui_tree_bad_input() -> None:
    with pytest.raises(farmhand.FarmhandError):
        farmhand.UiTree.parse("<hierarchy><node")
    tree = farmhand.UiTree.parse(DUMP)
    with pytest.raises(TypeError, match="at least one criterion"):
        tree.find()
    with pytest.raises(TypeError):
        farmhand.UiTree.parse(None)  # type: ignore[arg-type]


def test_adb_driver_bad_server_address() -> None:
    for bad in ("localhost", "127.0.0.1", "127.0.0.1:99999", ""):
        with pytest.raises(ValueError, match="server"):
            farmhand.AdbDriver(server=bad)


def test_adb_driver_with_no_server_listening_is_a_device_error() -> None:
    driver = farmhand.AdbDriver(server=f"127.0.0.1:{free_port()}")
    with pytest.raises(farmhand.DeviceError) as info:
        driver.devices()
    assert info.value.kind == "device"
    assert info.value.serial


def test_adb_driver_on_the_real_server(adb_server: str) -> None:
    driver = farmhand.AdbDriver(server=adb_server)
    assert driver.server == adb_server
    assert isinstance(driver, farmhand.DeviceDriver)
    assert driver.version() > 30
    assert driver.devices() == []
    with pytest.raises(farmhand.NotFoundError):
        driver.open("no-such-phone")


def test_adb_driver_honours_the_environment_port(adb_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANDROID_ADB_SERVER_PORT", adb_server.rsplit(":", 1)[1])
    assert farmhand.AdbDriver().server == adb_server
    monkeypatch.setenv("ANDROID_ADB_SERVER_PORT", "not-a-port")
    with pytest.raises(farmhand.ValidationError):
        farmhand.AdbDriver()

"""The web profile source through the C ABI: ``sync_profiles_web`` against a
profile page server in this process (Python's ``http.server``), no phone."""

from __future__ import annotations

import datetime
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import new

import farmhand_ffi as ffi


def page(detail: dict[str, object]) -> bytes:
    state = {"__DEFAULT_SCOPE__": {"webapp.user-detail": detail}}
    text = json.dumps(state).replace("<", "\\u003c")
    return f'<html><script id="__UNIVERSAL_DATA_FOR_REHYDRATION__">{text}</script></html>'.encode()


class Pages(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if self.path != "/@zoe":
            self.send_error(404)
            return
        body = page(
            {
                "statusCode": 0,
                "userInfo": {
                    "user": {"uniqueId": "zoe", "nickname": "Zoe", "region": "JP"},
                    "stats": {
                        "followerCount": 7_654_321,
                        "followingCount": 3,
                        "heartCount": 111_222_333,
                        "videoCount": 44,
                        "friendCount": 2,
                    },
                },
            }
        )
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def pages() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_sync_profiles_web_fills_all_seven_columns(ws: ffi.Workspace, pages: str) -> None:
    zoe = ws.add(new("zoe"))
    gone = ws.add(new("gone"))
    web = ffi.WebOptions(base_url=pages, requests_per_second=50.0, timeout=datetime.timedelta(seconds=5))
    report = ws.sync_profiles_web(web, ffi.RunOptions())
    outcomes = {r.account: r.outcome for r in report.results}
    assert outcomes == {zoe.id: ffi.Outcome.SYNCED_FROM_WEB, gone.id: ffi.Outcome.UNKNOWN_USER}
    stats = ws.get(zoe.id).stats
    assert (stats.nickname, stats.country) == ("Zoe", "JP")
    assert (stats.followers, stats.following, stats.hearts, stats.videos, stats.friends) == (
        7_654_321,
        3,
        111_222_333,
        44,
        2,
    )


def test_sync_profiles_web_bad_options(ws: ffi.Workspace) -> None:
    with pytest.raises(ffi.FarmhandError.Validation):
        ws.sync_profiles_web(ffi.WebOptions(base_url="ftp://mirror"), ffi.RunOptions())
    with pytest.raises(ffi.FarmhandError.Validation) as info:
        ws.sync_profiles_web(ffi.WebOptions(proxy="socks5://u:hunter2@h:1"), ffi.RunOptions())
    assert "hunter2" not in str(info.value)

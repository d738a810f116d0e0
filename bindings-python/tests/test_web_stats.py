"""``Workspace.sync_profiles(source="web")`` against a profile page server
in this process (Python's own ``http.server``, written from the public facts
of TikTok's page layout, not by farmhand): no phone, no driver."""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import farmhand

TIA = {
    "uniqueId": "tia",
    "nickname": "Tia 🌴",
    "region": "BR",
    "privateAccount": False,
}
TIA_STATS = {
    "followerCount": 2_345_678,
    "followingCount": 12,
    "heartCount": 45_678_901_234,
    "heart": 45_678_901_234,
    "videoCount": 77,
    "friendCount": 5,
}


def page(detail: dict[str, object]) -> bytes:
    state = {"__DEFAULT_SCOPE__": {"webapp.user-detail": detail}}
    text = json.dumps(state).replace("<", "\\u003c")
    return (
        '<html><body><script id="__UNIVERSAL_DATA_FOR_REHYDRATION__" '
        f'type="application/json">{text}</script></body></html>'
    ).encode()


# A page that inflates to 64 MiB from about 64 KiB on the wire.
BOMB = gzip.compress(b"<html>" + b" " * (64 << 20), compresslevel=9)


class Pages(BaseHTTPRequestHandler):
    seen: list[tuple[str, str | None]] = []

    def do_GET(self) -> None:  # noqa: N802 (the handler's name is http.server's)
        Pages.seen.append((self.path, self.headers.get("User-Agent")))
        if self.path == "/@tia":
            body = page({"statusCode": 0, "userInfo": {"user": TIA, "stats": TIA_STATS}})
        elif self.path == "/@ghost":
            body = page({"statusCode": 10202, "userInfo": {}})
        elif self.path == "/@bomb":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(BOMB)))
            self.end_headers()
            self.wfile.write(BOMB)
            return
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def pages() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Pages.seen = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_web_source_fills_all_seven_columns_without_a_driver(ws: farmhand.Workspace, pages: str) -> None:
    tia = ws.add("tia", platform="tiktok")
    ghost = ws.add("ghost", platform="tiktok")
    lost = ws.add("lost", platform="tiktok")
    ana = ws.add("ana", platform="instagram")
    report = ws.sync_profiles(source="web", web_url=pages, web_rate=50)
    assert report.outcome(tia) == "synced_from_web"
    assert report.outcome(ghost) == "unknown_user"
    assert report.outcome(lost) == "unknown_user"
    assert report.outcome(ana) is None, "the default selection is TikTok's accounts"
    stats = ws.get(tia.id).stats
    assert (stats.nickname, stats.country) == ("Tia 🌴", "BR")
    assert (stats.followers, stats.following, stats.hearts, stats.videos, stats.friends) == (
        2_345_678,
        12,
        45_678_901_234,
        77,
        5,
    )
    assert stats.synced_at is not None
    assert all(agent and agent.startswith("Mozilla/5.0") for _, agent in Pages.seen)

    explicit = ws.sync_profiles(source="web", web_url=pages, accounts=[ana])
    result = explicit.results[0]
    assert (result.outcome, "app only" in (result.reason or "")) == ("error", True)


def test_the_web_url_comes_from_the_environment(
    ws: farmhand.Workspace, pages: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    tia = ws.add("tia", platform="tiktok")
    monkeypatch.setenv("FARMHAND_TIKTOK_WEB_URL", pages)
    assert ws.sync_profiles(source="web", web_rate=50).outcome(tia) == "synced_from_web"


def test_web_source_bad_input(ws: farmhand.Workspace, pages: str) -> None:
    ws.add("tia", platform="tiktok")
    with pytest.raises(ValueError, match="source"):
        ws.sync_profiles(source="cloud", web_url=pages)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="driver"):
        ws.sync_profiles(source="app")
    with pytest.raises(farmhand.ValidationError) as info:
        ws.sync_profiles(source="web", web_url="ftp://mirror")
    assert info.value.field == "web_url"
    with pytest.raises(farmhand.ValidationError) as info:
        ws.sync_profiles(source="web", web_url=pages, web_rate=0)
    assert info.value.field == "requests_per_second"
    with pytest.raises(farmhand.ValidationError) as info:
        ws.sync_profiles(source="web", web_url=pages, proxy="socks5://farm:hunter2@10.0.0.1:1080")
    assert info.value.field == "proxy" and "hunter2" not in str(info.value)
    with pytest.raises(ValueError, match="timeout"):
        ws.sync_profiles(source="web", web_url=pages, web_timeout=-1)
    with pytest.raises(farmhand.ValidationError, match="app only") as info:
        ws.sync_profiles(source="web", web_url=pages, platform="instagram")
    assert info.value.field == "source"
    assert Pages.seen == [], "no request before the options are checked"


def test_a_compressed_page_is_capped_after_inflating(ws: farmhand.Workspace, pages: str) -> None:
    bomb = ws.add("bomb", platform="tiktok")
    report = ws.sync_profiles(source="web", web_url=pages, accounts=[bomb])
    result = report.results[0]
    assert result.outcome == "page_not_recognised"
    assert "cap" in (result.reason or "")

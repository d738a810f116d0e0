"""Quick start: a workspace, a few accounts, filters, tags and a 2FA code.

Run: python examples/python/quick_start.py [WORKSPACE_FILE]
(without an argument the workspace lives in memory).
"""

from __future__ import annotations

import sys

import farmhand
from farmhand import Platform


def main() -> None:
    ws = farmhand.Workspace.open(sys.argv[1]) if len(sys.argv) > 1 else farmhand.Workspace.in_memory()
    with ws:
        alice = ws.add("@alice", platform=Platform.TIKTOK, email="alice@example.com",
                       password="hunter2", totp_key="JBSWY3DPEHPK3PXP", device="emulator-5554",
                       tags=["eu"])
        ws.add("bob", platform="tiktok", password="s3cret", tags=["us"])
        carol = ws.add("carol", platform="instagram", device="emulator-5554")
        ws.disable(carol.id)

        print("accounts:", len(ws))
        for account in ws.list(platform="tiktok"):
            print(" ", account)  # the repr never shows a password
        print("eligible for automation:", [a.username for a in ws.eligible()])
        print("on emulator-5554:", [a.username for a in ws.list(device="emulator-5554")])

        ws.add_tags(alice.id, ["warm"])
        print("alice's tags:", ws.get(alice.id).tags)

        creds = alice.credentials()
        assert creds is not None
        code = creds.totp.code() if creds.totp else None
        print(f"alice logs in with her {creds.login_kind} {creds.login}; 2FA code now: {code}")

        try:
            ws.add("ALICE", platform="tiktok")
        except farmhand.DuplicateError as exc:
            print("refused:", exc)


if __name__ == "__main__":
    main()

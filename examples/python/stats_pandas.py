"""Profile stats from a simulated fleet into a pandas DataFrame (plain rows
when pandas is not installed).

Run: python examples/python/stats_pandas.py   (needs the `adb` tool)
"""

from __future__ import annotations

import farmhand
from farmhand import sim

SCENARIO = {
    "accounts": [
        {"platform": "tiktok", "username": f"creator{i}", "password": f"pw{i}", "nickname": f"Creator {i}",
         "followers": 1000 * i, "following": 10 * i, "likes": 5000 * i, "posts": i, "country": "DE"}
        for i in range(1, 7)
    ],
    "phones": [
        {"apps": [{"kind": "tiktok", "logged_in": ["creator1", "creator2", "creator3"]}]},
        {"apps": [{"kind": "tiktok", "logged_in": ["creator4", "creator5", "creator6"]}]},
    ],
}


def main() -> None:
    with sim.SimFleet(sim.Scenario.from_dict(SCENARIO)) as fleet, sim.AdbServer() as adb:
        for serial in fleet.serials:
            adb.connect(serial)
        driver = adb.driver()
        with farmhand.Workspace.in_memory() as ws:
            found = ws.match_accounts(driver)  # creates the accounts found logged in on the phones
            print("match:", found.summary)
            synced = ws.sync_profiles(driver)  # reads their profile numbers
            print("sync:", synced.summary)
            rows = [a.to_dict() for a in ws.list()]

    columns = ["username", "device", "nickname", "followers", "following", "hearts", "videos"]
    try:
        import pandas as pd
    except ImportError:
        for row in rows:
            print(*(row[c] for c in columns))
        return
    df = pd.DataFrame(rows, columns=columns)
    print(df.to_string(index=False))
    print(df.groupby("device")[["followers", "hearts"]].sum())


if __name__ == "__main__":
    main()

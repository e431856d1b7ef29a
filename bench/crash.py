"""Kill `newsgist run` with SIGKILL many times during a big fan-out; count what was lost.

The long version of tests/test_crash.py (same scenario, tests/fixtures/crash/scenario.py):

    .venv/bin/python bench/crash.py --seeds 5 --chats 900 --kills 6

prints, per seed, the kills survived, the rows in flight at each kill, messages lost (must
be 0) and delivered twice (at most the rows Telegram had accepted before a kill), and exits
1 if any seed lost or doubled more than that.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from fixtures.crash.scenario import Plan, run_crash  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=5, help="runs, seeds 1..N (5)")
    parser.add_argument("--chats", type=int, default=900, help="chats owed an alert (900)")
    parser.add_argument("--parted", type=int, default=30, help="chats owed a 3-part digest")
    parser.add_argument("--kills", type=int, default=6, help="kills mid-fan-out per run (6)")
    parser.add_argument("--log-level", default="INFO", help="the bot's NEWSGIST_LOG_LEVEL")
    args = parser.parse_args()
    plan = Plan(
        chats=args.chats, parted_chats=args.parted, kills=args.kills, log_level=args.log_level
    )
    failed = False
    totals = {"kills": 0, "lost": 0, "duplicates": 0, "bound": 0}
    for seed in range(1, args.seeds + 1):
        with tempfile.TemporaryDirectory(prefix="newsgist-crash-") as workdir:
            report = run_crash(Path(workdir), seed, plan, timeout=300)
        print(report.summary(), flush=True)
        for kill in report.kills:
            accepted = len(kill.in_flight_delivered)
            print(
                f"    kill at {kill.at_messages} accepted after {kill.after_seconds:.1f}s: "
                f"{kill.in_flight} rows in flight, {accepted} of them accepted"
            )
        bad = (
            report.lost or report.unexpected or report.out_of_order or report.unsent_rows
            or report.duplicates > report.duplicate_bound
            or not report.duplicated_rows <= report.in_flight_delivered
        )  # fmt: skip
        failed |= bool(bad)
        totals["kills"] += len(report.kills)
        totals["lost"] += len(report.lost)
        totals["duplicates"] += report.duplicates
        totals["bound"] += report.duplicate_bound
    print(
        f"{args.seeds} runs of {plan.messages} messages: {totals['kills']} kills survived, "
        f"{totals['lost']} lost, {totals['duplicates']} duplicates "
        f"(bound: {totals['bound']} accepted while in flight)"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

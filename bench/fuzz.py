"""Random schema fuzzing: the exploration the suite does not do, because the suite must give
the same answer on every run (tests/test_schema_fuzz.py is derandomised).

    .venv/bin/python bench/fuzz.py [--seed N] [--examples 100] [--roles admin,viewer]
                                   [--no-baseline]

Each run draws a fresh seed (or takes ``--seed``) and prints it first, so a failure it finds
can be replayed exactly. It runs schemathesis with every check, the hostile strings and the
on-the-wire rule of ``tests/fuzzing.py`` against a live server on a seeded network, for each
role, and prints a table; the baseline row per role is the suite's own derandomised run with
the same number of examples, in the same process. The full schemathesis report of a failing
run is printed below the table.
"""

from __future__ import annotations

import argparse
import re
import secrets
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.test_schema_fuzz import SEED, config, fuzz_server, run_schemathesis


def _counts(report: str) -> dict[str, int]:
    found = {"generated": 0, "passed": 0, "failed": 0, "errored": 0, "skipped": 0}
    line = next((ln for ln in report.splitlines() if re.match(r"\s*\d+ generated", ln)), "")
    for number, word in re.findall(r"(\d+) (generated|passed|failed|errored|skipped)", line):
        found[word] = int(number)
    unique = re.search(r"(\d+) unique failure", line)  # "N found N unique failures"
    if unique:
        found["failed"] = int(unique.group(1))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=None, help="replay this seed")
    parser.add_argument("--examples", type=int, default=100, help="cases per operation")
    parser.add_argument("--roles", default="admin,viewer")
    parser.add_argument("--no-baseline", action="store_true", help="skip the suite's run")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    print(f"seed: {seed}   (replay: bench/fuzz.py --seed {seed})", flush=True)

    rows: list[tuple[str, str, dict[str, int], float, int]] = []
    failing: list[str] = []
    with tempfile.TemporaryDirectory() as tmp, fuzz_server(Path(tmp)) as server:
        for role in args.roles.split(","):
            runs = [("random", seed)]
            if not args.no_baseline:
                runs.insert(0, ("suite (baseline)", SEED))
            for label, run_seed in runs:
                path = Path(tmp) / f"{role}-{label.split()[0]}.toml"
                suite = label.startswith("suite")
                path.write_text(
                    config(server, seed=run_seed, deterministic=suite, examples=args.examples)
                )
                start = time.perf_counter()
                done = run_schemathesis(server, role, path, timeout=3600)
                seconds = time.perf_counter() - start
                report = done.stdout + done.stderr
                rows.append(
                    (role, f"{label} seed={run_seed}", _counts(report), seconds, done.returncode)
                )
                if done.returncode != 0:
                    failing.append(f"--- {role}, {label}, seed {run_seed} ---\n{report[-20000:]}")

    head = (
        f"{'role':<7} {'run':<34} {'cases':>7} {'passed':>7} {'failed':>7} {'errored':>8} "
        f"{'s':>7}  result"
    )
    print(head)
    print("-" * len(head))
    for role, label, c, seconds, code in rows:
        result = "ok" if code == 0 else "FAILED"
        print(
            f"{role:<7} {label:<34} {c['generated']:>7} {c['passed']:>7} {c['failed']:>7} "
            f"{c['errored']:>8} {seconds:>7.1f}  {result}"
        )
    for block in failing:
        print(block)
    sys.exit(1 if failing else 0)


if __name__ == "__main__":
    main()

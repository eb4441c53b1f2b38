"""What every conformance module shares, with no checker imported: the
binary under test ($IMPALA_K8S, set by scripts/test.sh) and a way to run it.
A module imports only the checkers it uses, so each can be collected alone."""

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("IMPALA_K8S", str(ROOT / "target" / "debug" / "impala-k8s"))


def run(*args, stdin=None):
    """stdout of a successful impala-k8s run."""
    return subprocess.run([BIN, *args], input=stdin, check=True, capture_output=True, text=True).stdout


def sources(analysis, reach):
    """Every endpoint id that reaches a port in `policy --format json`: its
    `from`, and every pod endpoint too when `fromEveryPod` says so."""
    pods = [e["id"] for e in analysis["endpoints"] if e["kind"] not in ("cidr", "anywhere")]
    return (pods if reach["fromEveryPod"] else []) + reach["from"]

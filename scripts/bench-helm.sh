#!/usr/bin/env bash
# Renders the same cluster (the chart's defaults = `impala-k8s gen
# --create-namespace false`) with Helm's engine and with impala-k8s, in-process
# and as whole processes, and prints the figures and their ratios.
# Needs the test virtual environment (.venv, made by scripts/test.sh) and
# hyperfine (Debian's package).
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/lib.sh
need hyperfine hyperfine
venv="${VENV:-.venv}"
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r tests/conformance/requirements.txt

cargo build --release --locked --quiet
bin="$PWD/target/release/impala-k8s"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$bin" values | "$venv/bin/python" -c 'import json,sys,yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)' > "$work/values.json"

echo "## In-process (one render of the default cluster)"
rust=$(cargo bench --quiet --bench render 2>/dev/null | tail -1)
helm=$("$venv/bin/python" scripts/helm_render.py bench "$work/values.json" 500)
echo "$rust"
echo "$helm"
median() { sed -E 's/.*median ([0-9.]+) us.*/\1/'; }
python3 -c "print(f'ratio (helm / impala-k8s): {float(\"$(echo "$helm" | median)\") / float(\"$(echo "$rust" | median)\"):.1f}x')"

echo "## Whole processes (median of 50 runs)"
hyperfine -N --style none --warmup 3 --runs 50 --export-json "$work/p.json" \
  "$bin gen --create-namespace false" \
  "$venv/bin/python scripts/helm_render.py once $work/values.json" \
  "$venv/bin/python -c 'import helm_python'" >/dev/null 2>&1
python3 - "$work/p.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
gen, helm, start = (x["median"] * 1000 for x in r)
print(f"impala-k8s gen process: {gen:.2f} ms")
print(f"helm render process (Python + libhelm + render): {helm:.2f} ms, of which Python start-up and loading libhelm: {start:.2f} ms")
print(f"ratio (helm process / impala-k8s process): {helm / gen:.1f}x; without the Python start-up: {(helm - start) / gen:.1f}x")
PY

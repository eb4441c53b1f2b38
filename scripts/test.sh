#!/usr/bin/env bash
# Installs what the tests need and runs them all: the Rust unit, golden and
# command-line tests, then the conformance suite (kubernetes-validate,
# network-config-analyzer, helm-python-sdk from PyPI in a virtual environment
# at .venv; checkov in .venv-checkov; Graphviz from Debian; mermaid from npm).
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${VENV:-.venv}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r tests/conformance/requirements.txt
# checkov's pins conflict with network-config-analyzer's: it gets its own environment.
if [ ! -x "$venv-checkov/bin/python" ]; then
  python3 -m venv "$venv-checkov"
fi
"$venv-checkov/bin/python" -m pip install --quiet --disable-pip-version-check -r tests/conformance/requirements-checkov.txt

# Graphviz (Debian) renders the DOT pictures; Mermaid's own parser (npm) reads the Mermaid ones.
. scripts/lib.sh
need dot graphviz
(cd tests/conformance/mermaid && npm ci --silent --no-audit --no-fund)

cargo fmt --check
cargo clippy --locked --all-targets -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --locked --no-deps --quiet
cargo build --locked
cargo test --locked

IMPALA_K8S="$PWD/target/debug/impala-k8s" CHECKOV="$PWD/$venv-checkov/bin/checkov" PATH="$PWD/$venv/bin:$PATH" \
  "$venv/bin/python" -m pytest tests/conformance

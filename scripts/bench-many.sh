#!/usr/bin/env bash
# Many clusters and many releases, as whole processes: `gen` to stdout, `gen
# --out-dir` (into a fresh directory, so every file is written and flushed)
# and `diff` against that tree, for 1, 100, 1,000 and 10,000 clusters (one
# spec file each, in a directory), beside `cat` writing the same bytes and
# Helm's engine rendering the same releases in one process (helm-python-sdk;
# up to 1,000), and `gen --out-dir` again over the tree it wrote; then
# `policy` for 10, 100 and 1,000 releases in one namespace each and all in
# one namespace, and for one release whose registry gives the coordinator
# and the executor 250 to 4,000 more ports each. Wall time (median of the runs,
# with the spread) and peak memory (GNU time's maximum resident set size,
# the largest of the runs). Writes the table to stdout, the figures to
# docs/performance.tsv and their plot to docs/performance.svg (matplotlib,
# in .venv-bench).
#
#   ./scripts/bench-many.sh            # 1 to 10,000 clusters (about 10 minutes)
#   SIZES="1 100" ./scripts/bench-many.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
need /usr/bin/time time
sizes="${SIZES:-1 100 1000 10000}"
policy_sizes="${POLICY_SIZES:-10 100 1000}"
port_sizes="${PORT_SIZES:-250 1000 4000}"
cargo build --release --locked --quiet
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# The binary outside target/, whose overlay file system skews start-up.
bin="$work/impala-k8s"
cp target/release/impala-k8s "$bin"
venv="${VENV:-.venv}"
helm=""
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import helm_python' 2>/dev/null; then
  "$bin" values | "$venv/bin/python" -c 'import json,sys,yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)' > "$work/values.json"
  helm="$venv/bin/python scripts/helm_render.py many $work/values.json"
fi

# measure RUNS OUTPUT COMMAND...: "median min max peak_kib" over RUNS runs.
measure() {
  local runs=$1 out=$2; shift 2
  : > "$work/samples"
  for _ in $(seq "$runs"); do
    /usr/bin/time -o "$work/t" -f "%e %M" "$@" > "$out" 2>/dev/null || { echo "failed: $*" >&2; exit 1; }
    cat "$work/t" >> "$work/samples"
  done
  sort -n "$work/samples" | awk '{t[NR]=$1; if ($2>m) m=$2} END {print t[int((NR+1)/2)], t[1], t[NR], m}'
}

specs_for() { # N DIR LAYOUT: N minimal specs
  mkdir -p "$2"
  for i in $(seq "$1"); do
    if [ "$3" = shared ]; then ns=shared; else ns="tenant-$((i % 50))"; fi
    [ "$3" = policy ] && ns="tenant-$i"
    printf 'apiVersion: impala-k8s.dev/v1alpha1\nkind: ImpalaCluster\nmetadata:\n  name: c%d\n  namespace: %s\nspec:\n  createNamespace: false\n  roles:\n    executor:\n      replicas: %d\n' "$i" "$ns" "$((i % 7 + 1))" > "$2/c$i.yaml"
  done
}

tsv=docs/performance.tsv
mkdir -p docs
printf 'command\tclusters\tmedian_s\tmin_s\tmax_s\tpeak_mib\n' > "$tsv"
row() { # COMMAND N "median min max kib"
  set -- "$1" "$2" $3
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$(( $6 / 1024 ))" >> "$tsv"
  printf '| `%s` | %s | %s s (%s to %s) | %s MiB |\n' "$1" "$2" "$3" "$4" "$5" "$(( $6 / 1024 ))"
}

echo "| command | clusters | wall time: median (spread) | peak memory |"
echo "|---|---|---|---|"
for n in $sizes; do
  runs=3; [ "$n" -ge 10000 ] && runs=1
  specs="$work/specs-$n"
  specs_for "$n" "$specs" spread
  row "gen" "$n" "$(measure "$runs" "$work/out.yaml" "$bin" gen -f "$specs")"
  row "cat (the same bytes)" "$n" "$(measure "$runs" "$work/copy.yaml" cat "$work/out.yaml")"
  row "gen --out-dir" "$n" "$(rm -rf "$work/tree"; measure 1 /dev/null "$bin" gen -f "$specs" --out-dir "$work/tree")"
  row "diff" "$n" "$(measure "$runs" /dev/null "$bin" diff -f "$specs" "$work/tree")"
  row "gen --out-dir over its own tree" "$n" "$(measure 1 /dev/null "$bin" gen -f "$specs" --out-dir "$work/tree")"
  if [ -n "$helm" ] && [ "$n" -le 1000 ]; then
    secs=$($helm "$n")
    printf 'helm (in-process renders)\t%s\t%s\t%s\t%s\t\n' "$n" "$secs" "$secs" "$secs" >> "$tsv"
    printf '| Helm engine, %s renders in one process | %s | %s s | |\n' "$n" "$n" "$secs"
  fi
  rm -rf "$work/tree" "$specs"
done

echo
echo "| policy over | releases | wall time: median (spread) | peak memory |"
echo "|---|---|---|---|"
for n in $policy_sizes; do
  for layout in policy shared; do
    specs="$work/policy-$layout-$n"
    specs_for "$n" "$specs" "$layout"
    what="policy, one namespace each"; [ "$layout" = shared ] && what="policy, all in one namespace"
    row "$what" "$n" "$(measure 1 /dev/null "$bin" policy -f "$specs")"
    rm -rf "$specs"
  done
done
echo
echo "| policy over | more ports per role | wall time: median (spread) | peak memory |"
echo "|---|---|---|---|"
for n in $port_sizes; do
  # registries/impala4.yaml ends with its port list: N more internal ports on
  # the executor (reached by the coordinators and executors) and N more
  # external ones on the coordinator.
  registry="$work/registry-$n.yaml"
  cp registries/impala4.yaml "$registry"
  for i in $(seq 0 $((n - 1))); do
    printf '  - role: executor\n    name: x%d\n    number: %d\n    access: internal\n    flag: extra_port_%d\n    application: test\n    service: test\n    description: test\n    peers: [coordinator, executor]\n' "$i" "$((40000 + i))" "$i"
    printf '  - role: coordinator\n    name: y%d\n    number: %d\n    access: external\n    flag: extra_external_port_%d\n    application: test\n    service: test\n    description: test\n' "$i" "$((45000 + i))" "$i"
  done >> "$registry"
  row "policy, ports per role" "$n" "$(measure 3 /dev/null "$bin" policy --registry "$registry")"
done

if [ ! -x .venv-bench/bin/python ]; then python3 -m venv .venv-bench; fi
.venv-bench/bin/python -m pip install --quiet --disable-pip-version-check matplotlib==3.11.2
.venv-bench/bin/python scripts/plot_bench.py "$tsv" docs/performance.svg
echo
echo "plot: docs/performance.svg"

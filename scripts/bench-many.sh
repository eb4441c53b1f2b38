#!/usr/bin/env bash
# Renders 1, 100 and 1,000 clusters (one spec file each, in a directory) into
# --out-dir with one process, and prints its wall time and peak memory (GNU
# time: elapsed seconds and maximum resident set size), best of 3 runs.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
need /usr/bin/time time
cargo build --release --locked --quiet
bin="$PWD/target/release/impala-k8s"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "| clusters | objects | files written | wall time | peak memory (max RSS) |"
echo "|---|---|---|---|---|"
for n in 1 100 1000; do
  specs="$work/specs-$n"
  mkdir -p "$specs"
  for i in $(seq "$n"); do
    printf 'apiVersion: impala-k8s.dev/v1alpha1\nkind: ImpalaCluster\nmetadata:\n  name: c%d\n  namespace: tenant-%d\nspec:\n  createNamespace: false\n  roles:\n    executor:\n      replicas: %d\n' "$i" "$((i % 50))" "$((i % 7 + 1))" > "$specs/c$i.yaml"
  done
  best=""
  for _ in 1 2 3; do
    rm -rf "$work/out"
    /usr/bin/time -o "$work/t" -f "%e %M" "$bin" gen -f "$specs" --out-dir "$work/out" 2>/dev/null
    read -r secs kib < "$work/t"
    if [ -z "$best" ] || awk "BEGIN{exit !($secs < $best)}"; then best=$secs; best_kib=$kib; fi
  done
  files=$(find "$work/out" -type f | wc -l)
  objects=$((files - n - 1))
  echo "| $n | $objects | $files | ${best} s | $((best_kib / 1024)) MiB |"
done

# `policy` over many releases: one namespace each, and all in one namespace.
echo
echo "| releases | namespaces | policy wall time | peak memory (max RSS) |"
echo "|---|---|---|---|"
for n in 10 100 200; do
  for layout in separate shared; do
    specs="$work/policy-$layout-$n"
    mkdir -p "$specs"
    for i in $(seq "$n"); do
      ns="tenant-$i"; [ "$layout" = shared ] && ns=shared
      printf 'apiVersion: impala-k8s.dev/v1alpha1\nkind: ImpalaCluster\nmetadata:\n  name: c%d\n  namespace: %s\nspec:\n  createNamespace: false\n' "$i" "$ns" > "$specs/c$i.yaml"
    done
    /usr/bin/time -o "$work/t" -f "%e %M" "$bin" policy -f "$specs" > /dev/null
    read -r secs kib < "$work/t"
    echo "| $n | $([ "$layout" = shared ] && echo 1 || echo "$n") | ${secs} s | $((kib / 1024)) MiB |"
  done
done

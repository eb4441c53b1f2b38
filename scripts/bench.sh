#!/usr/bin/env bash
# Benchmarks `impala-k8s gen` and `policy` for one cluster as a whole process: median wall
# time (hyperfine, from Debian's packages) and peak memory (GNU time's maximum
# resident set size). Prints a Markdown table for the README.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/lib.sh
need hyperfine hyperfine
need /usr/bin/time time

cargo build --release --locked --quiet
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
# The binary outside target/, whose overlay file system skews start-up.
bin="$out/impala-k8s"
cp target/release/impala-k8s "$bin"

echo "| command | median wall time | peak memory (max RSS) | output |"
echo "|---|---|---|---|"
for args in "gen" "gen --profile cdh5" "gen --enable metastore --shared-volume-class nfs-client" "gen --enable admissiond --service-type LoadBalancer" "gen -f examples/production/cluster.yaml" \
  "policy" "policy -f examples/production/cluster.yaml" "policy -f examples/production/cluster.yaml --format mermaid"; do
  hyperfine -N --output null --style none --warmup 5 --runs 200 --export-json "$out/h.json" "$bin $args" >/dev/null 2>&1
  median_ms=$(python3 -c "import json,sys; print(f\"{json.load(open(sys.argv[1]))['results'][0]['median']*1000:.2f}\")" "$out/h.json")
  # Peak memory: the largest of 20 runs.
  peak_kib=0
  for _ in $(seq 20); do
    /usr/bin/time -o "$out/rss" -f %M "$bin" $args >/dev/null 2>&1
    kib=$(cat "$out/rss")
    [ "$kib" -gt "$peak_kib" ] && peak_kib=$kib
  done
  bytes=$("$bin" $args 2>/dev/null | wc -c)
  case "$args" in
    gen*) what="$("$bin" $args 2>/dev/null | grep -c '^---$') objects" ;;
    *) what="$("$bin" $args 2>/dev/null | wc -l) lines" ;;
  esac
  echo "| \`impala-k8s $args\` | ${median_ms} ms | $((peak_kib / 1024)).$(( (peak_kib % 1024) * 10 / 1024 )) MiB | $what, $bytes bytes |"
done

# The floor: `cat` writing the same bytes as the default `gen` (the target is
# within 2 times of it).
"$bin" gen > "$out/default.yaml"
hyperfine -N --output null --style none --warmup 5 --runs 200 --export-json "$out/h.json" "cat $out/default.yaml" >/dev/null 2>&1
median_ms=$(python3 -c "import json,sys; print(f\"{json.load(open(sys.argv[1]))['results'][0]['median']*1000:.2f}\")" "$out/h.json")
echo "| \`cat\` of the default \`gen\`'s output | ${median_ms} ms | | $(wc -c < "$out/default.yaml") bytes |"

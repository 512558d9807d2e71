#!/usr/bin/env bash
# Load test (SPEC §11): wrk against a release `serve` over HTTPS on loopback, first
# /api/v1/check with a session and a 10-recipient draft, then /healthz as the ceiling, and
# prints the check's share of the ceiling and its p99. Then oha sends the check at a fixed
# rate (RATE, latency-corrected) for its p99 below saturation: at saturation a VM with a CPU
# quota pauses the whole machine for up to 100 ms now and then, which is all a saturated p99
# then shows. Client and server share this machine's cores, so the numbers are a floor.
#   DURATION=15s CONNECTIONS=64 THREADS=2 RATE=10000 scripts/loadtest.sh
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${DURATION:-15s}
connections=${CONNECTIONS:-64}
threads=${THREADS:-2}
fixed_rate=${RATE:-10000}
port=${PORT:-3443}

cargo build --release -q -p addin-api --bin sendsecure --example issue_session
data=$(mktemp -d)
# In the environment, not on the command line, where `ps` would show it.
SENDSECURE_DATA_KEY=$(head -c 32 /dev/urandom | base64)
export SENDSECURE_DATA_KEY
target/release/sendsecure serve --listen "127.0.0.1:$port" --public-url "https://localhost:$port" \
  --data-dir "$data" >"$data/serve.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do
  curl -sfk "https://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.1
done

export DEVICE=loadtest-device-000000000001
TOKEN=$(target/release/examples/issue_session --data-dir "$data" \
  --mailbox a.jansen@huisartsen-oost.nl --device "$DEVICE")
export TOKEN

check=$data/check.txt
ceiling=$data/healthz.txt
echo "== POST /api/v1/check (10 recipients, session) — $threads threads, $connections connections, $duration"
wrk -t"$threads" -c"$connections" -d"$duration" --latency -s scripts/wrk-check.lua \
  "https://127.0.0.1:$port/api/v1/check" | tee "$check"
echo
echo "== GET /healthz (ceiling) — $threads threads, $connections connections, $duration"
wrk -t"$threads" -c"$connections" -d"$duration" --latency "https://127.0.0.1:$port/healthz" | tee "$ceiling"

fixed=$data/fixed.txt
echo
echo "== POST /api/v1/check at $fixed_rate req/s — $connections connections, $duration (oha, latency-corrected)"
oha --no-tui --insecure -z "$duration" -c "$connections" -q "$fixed_rate" --latency-correction -w \
  -m POST -T application/json -D samples/drafts/ten-recipients.json \
  -H "Authorization: Bearer $TOKEN" -H "X-Device-Id: $DEVICE" \
  "https://127.0.0.1:$port/api/v1/check" | tee "$fixed"

if grep -q "Non-2xx" "$check" || grep -Eq '^\s*\[[013-9][0-9]{2}\]|Error distribution' "$fixed"; then
  echo "the check answered with errors: these numbers measure errors, not checks" >&2
  exit 1
fi
rate() { awk '/^Requests\/sec:/ { print $2 }' "$1"; }
p99() { awk '$1 == "99%" { print $2 }' "$1"; }
fixed_p99() { awk '$1 == "99.00%" { print $3 " " $4 }' "$1"; }
echo
awk -v check="$(rate "$check")" -v ceiling="$(rate "$ceiling")" -v p99="$(p99 "$check")" \
  -v rate="$fixed_rate" -v fixed="$(fixed_p99 "$fixed")" 'BEGIN {
  printf "== check %.0f req/s, healthz %.0f req/s: %.0f %% of the ceiling; check p99 %s\n",
    check, ceiling, 100 * check / ceiling, p99
  printf "== check at %d req/s: p99 %s\n", rate, fixed
}'

#!/usr/bin/env bash
# Runs every test of the repository: builds the solution and runs all xunit test projects.
set -euo pipefail
cd "$(dirname "$0")/.."

results="$(mktemp -d)"
# The dashboard's browser tests drive Debian's headless Chromium. Like PostgreSQL for the integration tests, it is
# installed with apt when missing (as root); without it those tests fail and say how to install it.
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "run.sh: installing chromium with apt (for the dashboard's browser tests)" >&2
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; } >&2 \
      || echo "run.sh: apt could not install chromium; the dashboard's browser tests will fail" >&2
  else
    echo "run.sh: /usr/bin/chromium is missing and installing it needs root ('apt-get install -y --no-install-recommends chromium'); the dashboard's browser tests will fail" >&2
  fi
fi
dotnet build Grpo.Orleans.sln -c Release --nologo -v minimal
status=0
dotnet test Grpo.Orleans.sln -c Release --no-build --nologo \
  --logger "trx" --results-directory "$results" || status=$?

# One plain summary line over all test projects, for people and CI alike.
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); passed=$((passed + ${p:-0}))
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters"); failed=$((failed + ${f:-0}))
  n=$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$counters"); skipped=$((skipped + ${n:-0}))
done
# The benchmarks' smoke form: proves they still run; the full figures come from the commands in the README.
bench_status=0
dotnet run --project tests/Grpo.Benchmarks -c Release --no-build -- all --quick --output "$results/bench.json" || bench_status=$?
if [ "$bench_status" -ne 0 ]; then echo "benchmark smoke run failed (exit $bench_status)" >&2; status=1; fi
memory_status=0
dotnet run --project tests/Grpo.Benchmarks -c Release --no-build -- memory --quick --output "$results/memory.json" || memory_status=$?
dotnet run --project tests/Grpo.Benchmarks -c Release --no-build -- logprobs --quick --output "$results/logprobs.json" || memory_status=$?
if [ "$memory_status" -ne 0 ]; then echo "memory benchmark smoke run failed (exit $memory_status)" >&2; status=1; fi

echo "$passed passed, $failed failed, $skipped skipped"
rm -rf "$results"
if [ "$passed" -eq 0 ]; then echo "no test ran" >&2; exit 1; fi
exit "$status"

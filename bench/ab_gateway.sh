#!/bin/sh
# Two `bedrock` binaries side by side through bench_gateway's InvokeModel
# part, alternating, so that the host's drift (which moves these figures
# far more than most changes do) falls on both alike. Prints each run's
# rows; compare the gateway rows' "hop CPU µs" column.
#
#   bench/ab_gateway.sh ROUNDS SECS OLD_BEDROCK NEW_BEDROCK [bench_gateway options]
#
# bench_gateway and tcp_relay are taken from beside this script's build
# (BENCH_DIR, default build-bench).
set -eu
[ $# -ge 4 ] || { echo "usage: $0 ROUNDS SECS OLD NEW [bench_gateway options]" >&2; exit 2; }
rounds=$1 secs=$2 old=$3 new=$4
shift 4
dir=${BENCH_DIR:-build-bench}
i=0
while [ "$i" -lt "$rounds" ]; do
	for b in "$old" "$new"; do
		echo "== $b"
		"$dir/bench_gateway" "$b" --relay "$dir/tcp_relay" --only invoke --reps 1 \
			--secs "$secs" "$@" 2>&1 | grep -E '^1 '
	done
	i=$((i + 1))
done

# Sourced by the benchmark scripts: runs only on a quiet machine.
#
# The machine may be shared: before a run, wait_quiet waits (at most
# QUIET_WAIT s) until other processes use less than a quarter of a core over
# 3 s. busy gives the machine's CPU ticks so far (from /proc/stat); a script
# compares them around a run with its own CPU time to redo a disturbed run.
# Needs log() from the script.

QUIET_WAIT=${QUIET_WAIT:-600}
RETRIES=${RETRIES:-2}

busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }

wait_quiet() {
	local t0=$SECONDS b0 b1
	while :; do
		b0=$(busy); sleep 3; b1=$(busy)
		awk -v a="$b0" -v b="$b1" 'BEGIN { exit !((b - a) / 300 < 0.25) }' && return 0
		if [ $((SECONDS - t0)) -ge "$QUIET_WAIT" ]; then
			log "the machine is still busy after $QUIET_WAIT s; running anyway"
			return 0
		fi
		sleep 7
	done
}

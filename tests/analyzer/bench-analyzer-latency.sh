#!/usr/bin/env bash
# Benchmark: the analyzer's input → OSC latency, and its DSP cost.
#
# Method (osc-latency.c has the details): one client plays 20 tone bursts
# (1 kHz, -20 dBFS, 60 ms every 500 ms, each starting on the first frame of
# a cycle) into channel 1, whose output is the analyzer's Source, and
# records for each burst the start of the cycle that carries its first
# frame on the graph clock (spa_io_position clock.nsec, CLOCK_MONOTONIC).
# The same client receives /audio/lmh on a UDP socket added to the
# analyzer's destinations and stamps each message with CLOCK_MONOTONIC; a
# burst's latency is the receive time of the first message whose mid value
# jumps (>= 0.05 above the last one before the burst) minus that cycle's
# start. The channel (dynamics off) adds no delay: PipeWire runs the
# client, the channel and foh.analyzer in the same cycle.
# Requirement: the first /audio/lmh after a sound starts leaves fohd within
# one cycle + 1 ms of the start of the cycle that captured it.
# Prints BENCH analyzer_input_to_osc_ms p50=<x> p99=<y> quantum=<q>, then the
# analyzer's own diagnostics LmhNsPerBlock (data thread, per cycle) and
# FftNsPerHop (worker, per FFT hop). Asserts nothing but that it measured.
set -u
. "$FOH_TESTS/lib.sh"
. "$FOH_GRAPH/graph.sh"
. "$FOH_ANALYZER/analyzer.sh"

quantum=${FOH_BENCH_QUANTUM:-256}
an_conf "$FOH_SESSION/foh.conf" 9
start_fohd --config "$FOH_SESSION/foh.conf"
wait_for 10 analyzer_running || fail "the analyzer is not running in the graph"
force_quantum "$quantum"

port=$(free_port)
spawn latency "$OSC_LATENCY" --port "$port" --bursts 20
wait_for 5 port_bound "$port" || fail "osc-latency did not bind UDP port $port"
ancall AddDestination s "127.0.0.1:$port"
wait_for 30 bash -c "! kill -0 $(pid_of latency) 2>/dev/null" || fail "osc-latency did not finish"
status=0
stop latency || status=$?
cat "$FOH_SESSION/latency.log"
[ "$status" = 0 ] || fail "osc-latency could not measure (status $status)"
echo "# analyzer: LmhNsPerBlock $(anprop LmhNsPerBlock) ns per ${quantum}-frame cycle, FftNsPerHop $(anprop FftNsPerHop) ns per hop of $(anprop FftHop) (window $(anprop FftWindow)); Blocks $(anprop Blocks), FftHops $(anprop FftHops), RingDrops $(anprop RingDrops), OscSendFailures $(anprop OscSendFailures); Xruns $(prop Xruns)"

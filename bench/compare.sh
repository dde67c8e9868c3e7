#!/usr/bin/env bash
#
# Copyright 2026 the kaio authors.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     https://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.
#
# kaio beside fio --ioengine=libaio (the C ceiling), the JDK (AsynchronousFileChannel, threads doing
# pread) and ActiveMQ Artemis's JNI libaio binding, on the same targets in the same run.
#
#   bench/compare.sh [--quick | --full] [--cpus LIST] [--out DIR]
#
#   --quick   (default) 4 KiB random reads on the loop device at depth 32 (every implementation, then
#             the main ones again) and depth 1, depth-1 latency, kaio bench beside fio, and depth 32
#             on the disk file; fio before and after each JMH run; then one read in flight per thread
#             (OneInFlightBench: kaio join/get/channel get and FileChannel DIRECT, 1 and 4 threads, two
#             runs each, each after fio psync and fio libaio at iodepth 1: the C ceiling), and the same
#             for 1 thread with everything on CPU 0; the write-ahead log of examples/wal on kaio and
#             on FileChannel (8 writers, disk). About 11 minutes.
#   --full    randread/randwrite/randrw x 4 KiB/64 KiB/1 MiB x depth 1/8/32/128 on both targets,
#             vectored and journal benchmarks, one in flight per thread (three runs, and three on
#             CPU 0), the write-ahead log (three runs). About an hour and a half on 2 cores.
#   --cpus    pin fio and the JVM to these CPUs (taskset -c LIST); default: no pinning.
#
# Sets up its targets itself and tears them down: a 1 GiB file on the project's disk (O_DIRECT) and a
# loop device over a 1 GiB file in /dev/shm (memory-backed, so per-I/O CPU cost shows). Needs root
# (losetup). Writes bench/results/<date>-<mode>/ (results.md, chart.png, raw JSON) and copies the
# report to bench/results/latest.md and latest.png.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd -P)"
root="$(dirname "$here")"
mode=quick
cpus=""
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) mode=quick ;;
    --full) mode=full ;;
    --cpus) cpus="$2"; shift ;;
    --out) out="$2"; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "compare.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[ "$(id -u)" = 0 ] || { echo "compare.sh: needs root (losetup for the loop-device target)" >&2; exit 1; }

# ---------------------------------------------------------------- tools
need=()
command -v fio >/dev/null || need+=(fio)
[ -e /usr/lib/x86_64-linux-gnu/libaio.so.1 ] || need+=(libaio1)
command -v gnuplot >/dev/null || need+=(gnuplot-nox)
command -v unzip >/dev/null || need+=(unzip)
if [ ${#need[@]} -gt 0 ]; then
  echo "compare.sh: installing ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
. "$root/scripts/find-jdk.sh"
kaio_find_jdk
java="$KAIO_JAVA_HOME/bin/java"
pin=()
[ -n "$cpus" ] && pin=(taskset -c "$cpus")

echo "compare.sh: building kaio and the benchmarks"
"$root/build" -q -DskipTests install >/dev/null || { echo "compare.sh: building kaio failed" >&2; exit 1; }
"$root/build" -q -f "$root/examples/wal/pom.xml" -DskipTests install >/dev/null \
  || { echo "compare.sh: building the write-ahead log example failed (run: ./build -f examples/wal/pom.xml install)" >&2; exit 1; }
"$root/build" -q -f "$root/bench/pom.xml" package >/dev/null || { echo "compare.sh: building the benchmarks failed (run: ./build -f bench/pom.xml package)" >&2; exit 1; }
jar="$root/bench/target/benchmarks.jar"
native="$root/bench/target/native"
mkdir -p "$native"
unzip -o -q -j "$(ls ~/.m2/repository/org/apache/activemq/activemq-artemis-native/2.0.0/activemq-artemis-native-2.0.0.jar)" \
  lib/linux-x86_64/libartemis-native-64.so -d "$native"

stamp="$(date -u +%Y%m%d-%H%M%S)"
out="${out:-$here/results/$stamp-$mode}"
mkdir -p "$out"
index="$out/index.tsv"
: > "$index"

# ---------------------------------------------------------------- targets
work="$here/work"
mkdir -p "$work"
disk="$work/disk.dat"
shm=/dev/shm/kaio-bench-loop.img
loop=""
cleanup() {
  [ -n "${wq_saved:-}" ] && echo "$wq_saved" > /sys/devices/virtual/workqueue/cpumask 2>/dev/null || true
  [ -n "$loop" ] && losetup -d "$loop" 2>/dev/null || true
  rm -f "$shm" "$disk" "$work"/kaio-walbench-*.log
  rmdir "$work" 2>/dev/null || true
}
trap cleanup EXIT
echo "compare.sh: preparing targets (1 GiB each, filled with random data)"
truncate -s 1G "$shm"
loop="$(losetup -f --show "$shm")"
dd if=/dev/urandom of="$loop" bs=1M count=1024 oflag=direct status=none
dd if=/dev/urandom of="$disk" bs=1M count=1024 oflag=direct status=none
sync
printf 'target\tloop\t%s over %s (tmpfs: memory-backed, 512-byte sectors)\n' "$loop" "$shm" >> "$index"
printf 'target\tdisk\t%s on %s (%s)\n' "$disk" "$(df --output=source "$work" | tail -1)" \
  "$(df --output=fstype "$work" | tail -1)" >> "$index"

{
  echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "command: bench/compare.sh --$mode${cpus:+ --cpus $cpus}"
  echo "kernel:  $(uname -r)"
  echo "cpu:     $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs) x $(nproc)"
  echo "memory:  $(free -g | awk '/Mem:/ {print $2}') GiB"
  echo "jdk:     $("$java" -version 2>&1 | head -2 | tail -1)"
  echo "fio:     $(fio --version)"
  echo "disk:    $(lsblk -dno NAME,ROTA,SIZE "$(df --output=source "$work" | tail -1)" 2>/dev/null || true)"
} > "$out/machine.txt"

if [ "$mode" = quick ]; then
  runtime=5; wi=3; w=1; it=2; r=1
else
  runtime=10; wi=3; w=2; it=5; r=2
fi
jvmargs="--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Xms1g -Xmx1g -Djava.library.path=$native"

fio_run() { # target path rw bs depth
  local name="fio-$1-$3-$4-$5-$RANDOM.json"
  "${pin[@]}" fio --name=kaio-compare --filename="$2" --ioengine=libaio --direct=1 --rw="$3" --rwmixread=70 \
    --bs="$4" --iodepth="$5" --numjobs=1 --time_based --runtime="$runtime" --ramp_time=1 --size=1G \
    --randrepeat=0 --norandommap --group_reporting --lat_percentiles=1 --output-format=json > "$out/$name"
  printf 'fio\t%s\t%s:%s:%s\t%s\n' "$1" "$3" "$4" "$5" "$name" >> "$index"
}

kaio_bench_run() { # target path rw bs depth
  local name="kaiobench-$1-$3-$4-$5-$RANDOM.json"
  "${pin[@]}" "$root/kaio" bench --device "$2" --rw "$3" --bs "$4" --iodepth "$5" --runtime "${runtime}s" \
    --ramp_time 1s --json \
    > "$out/$name"
  printf 'kaio-bench\t%s\t%s:%s:%s\t%s\n' "$1" "$3" "$4" "$5" "$name" >> "$index"
}

jmh_run() { # target name benchmark-regex [jmh options...]
  local target="$1" name="$2" regex="$3"; shift 3
  "${pin[@]}" "$java" --sun-misc-unsafe-memory-access=allow -jar "$jar" "$regex" -wi "$wi" -w "${w}s" -i "$it" \
    -r "${r}s" -f 1 -jvmArgsAppend "$jvmargs" -rf json -rff "$out/$name.json" "$@" > "$out/$name.log" 2>&1 \
    || { echo "compare.sh: JMH run $name failed, see $out/$name.log" >&2; tail -5 "$out/$name.log" >&2; return 0; }
  printf 'jmh\t%s\t%s.json\n' "$target" "$name" >> "$index"
}

impls='kaioQueue|kaioQueueBatched|kaioQueueSyscalls|kaioFile|kaioChannel|jdkAsyncChannel|jdkThreads|artemis'
started=$SECONDS

random_point() { # target path rw bs depth
  local t="$1" p="$2" rw="$3" bs="$4" d="$5"
  echo "compare.sh: [$((SECONDS - started))s] $t $rw bs=$bs depth=$d"
  fio_run "$t" "$p" "$rw" "$bs" "$d"
  jmh_run "$t" "jmh-$t-$rw-$bs-$d-$RANDOM" "RandomIoBench\.($impls)\$" -p path="$p" -p rw="$rw" -p bs="$bs" \
    -p depth="$d" -prof gc -prof dev.kaio.bench.CpuProfiler
  fio_run "$t" "$p" "$rw" "$bs" "$d"
}

# One read in flight per platform thread (issue 11): kaio's futures and channel, each waiting with
# join()/get(), against FileChannel DIRECT (pread). Every run measures all five, one fork each, and is
# repeated, so kaio and FileChannel alternate; the report shows each run's ratio and the mean. Before
# each JMH run, the same pair in C: fio's psync engine (one pread per job) and its libaio engine at
# iodepth 1 (io_submit + io_getevents), as many jobs as threads: the ratio of those two is the ceiling
# that kernel AIO itself allows for this way of waiting, measured at the same moment.
one_in_flight() { # target path runs [thread counts]
  local t="$1" p="$2" runs="$3" counts="${4:-1 4}" run threads engine
  for run in $(seq 1 "$runs"); do
    for threads in $counts; do
      echo "compare.sh: [$((SECONDS - started))s] one read in flight per thread: $t, $threads thread(s), run $run of $runs"
      for engine in psync libaio; do
        local name="fio-oneinflight-$t-$engine-t$threads-run$run.json"
        "${pin[@]}" fio --name=kaio-oneinflight --filename="$p" --ioengine="$engine" --iodepth=1 --direct=1 \
          --rw=randread --bs=4096 --numjobs="$threads" --time_based --runtime="$runtime" --ramp_time=1 --size=1G \
          --randrepeat=0 --norandommap --group_reporting --output-format=json > "$out/$name"
        printf 'fio-oneinflight\t%s\t%s\t%s\t%s\t%s\n' "$t" "$engine" "$threads" "$run" "$name" >> "$index"
      done
      jmh_run "$t" "jmh-oneinflight-$t-t$threads-run$run" \
        'OneInFlightBench\.(kaioJoin|kaioJoinSpin|kaioGet|kaioChannelGet|jdkFileChannel)$' -t "$threads" -p path="$p" -p bs=4096 \
        -prof gc -prof dev.kaio.bench.CpuProfiler
    done
  done
}

# The same with the placement of the wake-up fixed (target "loop-cpu0"): on this kind of machine (a
# VM) a read's latency is bimodal, about 5 us when the loop device's worker runs on the CPU the
# waiting thread just left and 60-70 us when it wakes the other, idle vCPU, and which mode a run falls
# in is luck. Here the JVM, fio and every unbound kernel worker (the loop device's included) run on
# CPU 0, so every read takes the first path and the ratio measures the cost per read. One thread only
# (more threads on one CPU measure the scheduler). Then depth-1 latency (fio, LatencyBench, fio) the same
# way. The workqueue mask is put back afterwards and on exit.
wq_mask=/sys/devices/virtual/workqueue/cpumask
wq_saved=""
one_in_flight_cpu0() { # path runs
  if [ ! -w "$wq_mask" ] || [ "$(nproc)" -lt 2 ]; then
    echo "compare.sh: skipping the CPU-0 one-in-flight runs: needs $wq_mask writable and 2 CPUs" >&2
    return 0
  fi
  wq_saved="$(cat "$wq_mask")"
  echo 1 > "$wq_mask"
  local saved_pin=("${pin[@]}")
  pin=(taskset -c 0)
  one_in_flight loop-cpu0 "$1" "$2" 1
  echo "compare.sh: [$((SECONDS - started))s] latency at depth 1, all on CPU 0"
  fio_run loop-cpu0 "$1" randread 4096 1
  jmh_run loop-cpu0 jmh-latency-loop-cpu0 'LatencyBench\.(kaioQueue|kaioQueueSpin|kaioFile|kaioFileSpin|jdkFileChannel|artemis)$' \
    -p path="$1" -p bs=4096
  fio_run loop-cpu0 "$1" randread 4096 1
  pin=("${saved_pin[@]}")
  echo "$wq_saved" > "$wq_mask"
  wq_saved=""
}

# The write-ahead log of examples/wal (issue 13): 8 writers, durable records/s, kaio (PWRITEV + FDSYNC,
# RWF_DSYNC) against the same log on FileChannel.write + force(false), on the disk (a new preallocated,
# zero-filled log file per iteration, in the setup). Each JMH run measures the three one after the other;
# repeated, so they alternate.
wal_log() { # runs capacity-MiB
  local runs="$1" cap="$2" run
  for run in $(seq 1 "$runs"); do
    echo "compare.sh: [$((SECONDS - started))s] write-ahead log, 8 writers, disk, run $run of $runs"
    jmh_run disk "jmh-wal-disk-run$run" 'WalBench\.append$' -p dir="$work" -p capacityMib="$cap"
  done
}

if [ "$mode" = quick ]; then
  core='kaioQueue|kaioFile|jdkAsyncChannel|artemis'
  random_point loop "$loop" randread 4096 32                  # every implementation
  impls="$core" random_point loop "$loop" randread 4096 1
  impls="$core" random_point loop "$loop" randread 4096 32    # a second round of the headline point
  kaio_bench_run loop "$loop" randread 4096 32
  fio_run loop "$loop" randread 4096 32
  kaio_bench_run loop "$loop" randread 4096 32
  impls="$core" random_point disk "$disk" randread 4096 32
  echo "compare.sh: [$((SECONDS - started))s] latency at depth 1"
  # fio at depth 1 right before and after, so the p50/p99 targets compare with fio at the same moment
  fio_run loop "$loop" randread 4096 1
  jmh_run loop jmh-latency-loop 'LatencyBench\.(kaioQueue|kaioQueueSpin|kaioFile|kaioFileSpin|jdkFileChannel|artemis)$' -p path="$loop" \
    -p bs=4096
  fio_run loop "$loop" randread 4096 1
  one_in_flight loop "$loop" 2
  one_in_flight_cpu0 "$loop" 2
  wal_log 2 512
else
  for t in loop disk; do
    p="$loop"; [ "$t" = disk ] && p="$disk"
    for rw in randread randwrite randrw; do
      for bs in 4096 65536 1048576; do
        for d in 1 8 32 128; do
          random_point "$t" "$p" "$rw" "$bs" "$d"
        done
      done
    done
    kaio_bench_run "$t" "$p" randread 4096 32
    jmh_run "$t" "jmh-latency-$t" 'LatencyBench' -p path="$p" -p bs=4096
    jmh_run "$t" "jmh-vectored-$t" 'VectoredBench' -p path="$p" -prof gc
  done
  jmh_run disk jmh-journal-disk 'JournalBench' -p dir="$work" -prof gc
  one_in_flight loop "$loop" 3
  one_in_flight_cpu0 "$loop" 3
  wal_log 3 1024
fi

"$java" -cp "$jar" dev.kaio.bench.Report "$out"
(cd "$out" && gnuplot chart.gp) || echo "compare.sh: gnuplot failed; chart.dat has the numbers" >&2
cp "$out/results.md" "$here/results/latest.md"
[ -f "$out/chart.png" ] && cp "$out/chart.png" "$here/results/latest.png"
echo "compare.sh: done in $((SECONDS - started))s: $out/results.md"

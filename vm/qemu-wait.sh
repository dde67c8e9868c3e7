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
# Sourced by vm/run-guest.sh and vm/run-guest-arm64.sh: what they do once qemu runs, the same for
# both guests. Not a command of its own.
#
#   guest_cleanup        the EXIT trap: kills qemu ($QPID) and the console tail ($TPID), removes $TMP
#   wait_for_guest       streams the console ($LOG) to stderr unless QUIET=1, waits for qemu, says
#                        why when the guest did not finish properly, and exits with the exit code
#                        run.sh left in $SHARE/exit-code (124: qemu killed at the timeout with no exit
#                        code; 125: no exit code written)
#
# They read TAG (the log prefix), QPID, LOG, SHARE, TIMEOUT, QUIET and START (date +%s.%N before qemu).

guest_cleanup() {
  [[ -n ${QPID:-} ]] && kill "$QPID" 2>/dev/null && sleep 1 && kill -9 "$QPID" 2>/dev/null
  [[ -n ${TPID:-} ]] && kill "$TPID" 2>/dev/null
  rm -rf "$TMP"
}

wait_for_guest() {
  TPID=
  if [[ $QUIET != 1 ]]; then
    tail -n +1 -F --pid="$QPID" "$LOG" >&2 2>/dev/null &
    TPID=$!
  fi
  local qrc rc elapsed guest
  set +e
  wait "$QPID"
  qrc=$?
  set -e
  QPID=
  [[ -n $TPID ]] && { wait "$TPID" 2>/dev/null || true; TPID=; }
  elapsed=$(awk -v s="$START" -v e="$(date +%s.%N)" 'BEGIN{printf "%.1f", e - s}')

  if [[ $qrc == 124 || $qrc == 137 ]]; then
    console_tail
    echo "[$TAG] ERROR: guest did not power off within ${TIMEOUT}s (qemu killed)" >&2
    [[ -f $SHARE/exit-code ]] || exit 124
  elif [[ $qrc != 0 ]]; then
    console_tail
    echo "[$TAG] ERROR: qemu exited with $qrc" >&2
  fi
  if [[ -f $SHARE/guest-error.txt ]]; then
    [[ $qrc != 0 ]] || console_tail
    echo "[$TAG] ERROR: guest setup failed: $(cat "$SHARE/guest-error.txt")" >&2
  fi
  if [[ ! -s $SHARE/exit-code ]]; then
    [[ $qrc != 0 ]] || console_tail
    echo "[$TAG] ERROR: the guest never wrote $SHARE/exit-code (did its boot or setup fail? see above)" >&2
    exit 125
  fi
  rc=$(tr -dc '0-9' <"$SHARE/exit-code")
  rc=${rc:-125}
  [[ ! -f $SHARE/run-timed-out ]] ||
    echo "[$TAG] ERROR: run.sh was killed by the guest after its $(cat "$SHARE/run-timed-out")s timeout (KAIO_VM_TIMEOUT - 60)" >&2
  guest=$(cat "$SHARE/guest-kernel.txt" 2>/dev/null || echo '?')
  [[ ! -f $SHARE/guest-machine.txt ]] || guest="$guest ($(cat "$SHARE/guest-machine.txt"))"
  echo "[$TAG] guest $guest finished in ${elapsed}s, run.sh exit code $rc" >&2
  exit "$rc"
}

console_tail() {
  echo "[$TAG] ---- last 40 lines of $LOG ----" >&2
  tail -n 40 "$LOG" >&2 || true
  echo "[$TAG] ----" >&2
}

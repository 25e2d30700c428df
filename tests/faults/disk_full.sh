#!/bin/bash
# Disk full and unwritable outputs: a write that fails exits with a message naming the file, and
# what was written before stays intact.
#   ulimit -f   `leap train --resume` whose next checkpoint exceeds the file size limit: exit 1
#               naming last.ckpt; best.ckpt and last.ckpt are the bytes they were.
#   full disk   (a small tmpfs; skipped with a message where mounting one is not permitted)
#               `leap generate` that fills it: exit 1 naming the file it was writing; the files
#               finished before are identical to an uninterrupted run's. The same for
#               `leap train` (best.ckpt, last.ckpt unchanged) and the TSTrajectory recorder.
#   unwritable  --out on a read-only file system: refused before anything is written (exit 2).
. "$2/tests/support/e2e_common.sh"
PROG=$BUILD/tests/faults/fault_program
# expect_write_failure PATTERN COMMAND...: exit 1 (not a signal), the message names PATTERN.
expect_write_failure() {
  local pattern=$1; shift
  local out status
  out=$("$@" 2>&1); status=$?
  [[ $status == 1 ]] || fail "expected exit 1, got $status: $*: $(tail -5 <<<"$out")"
  grep -q -- "$pattern" <<<"$out" || fail "the message does not name '$pattern': $(tail -5 <<<"$out")"
  echo "  exit 1: $(grep -m1 -- "$pattern" <<<"$out" | cut -c1-200)"
}
sums() { (cd "$1" && sha256sum "${@:2}"); }
# intact RUN: last.ckpt is the bytes it was; best.ckpt is a complete checkpoint (the one from before,
# or a later epoch's: best.ckpt is written before last.ckpt, so an epoch whose last.ckpt failed may
# have left its best.ckpt, which a resume writes again identically).
intact() {
  [[ $(sums "$1" last.ckpt) == "$last_before" ]] || fail "a failed write changed $1/last.ckpt"
  "${LEAP_PYTHON:-$SRC/.venv/bin/python3}" -c "import torch, sys; m = torch.jit.load(sys.argv[1]); assert m.epoch >= 2, m.epoch" \
    "$1/best.ckpt" || fail "$1/best.ckpt is not a complete checkpoint"
  ! ls "$1" | grep -q '\.tmp' || fail "temporary files left behind: $(ls "$1")"
}

tiny_euler_data "$WORK/data" 1
TRAIN=(train ae --config "$T/ae-tiny.yaml" --data "$WORK/data" --set optim.batch=4 "${Q[@]}")
"$LEAP" "${TRAIN[@]}" --set optim.epochs=2 --out "$WORK/ae" || fail "train ae"
last_before=$(sums "$WORK/ae" last.ckpt)
size_kb=$(( $(stat -c %s "$WORK/ae/last.ckpt") / 1024 ))

# (PMIx's shared-memory store of the MPI start-up is a file too: PMIX_MCA_gds=hash keeps it in memory,
# so that the limit hits LEAP's own writes.)
echo "--- ulimit -f $((size_kb / 2)) KB: leap train --resume"
expect_write_failure "cannot write $WORK/ae/last.ckpt" \
  env PMIX_MCA_gds=hash bash -c "ulimit -f $((size_kb / 2)); exec \"\$@\"" _ "$LEAP" "${TRAIN[@]}" --set optim.epochs=4 --out "$WORK/ae" --resume
intact "$WORK/ae"

MNT=$WORK/small
mkdir -p "$MNT"
if ! mount -t tmpfs -o size=64k tmpfs "$MNT" 2>/dev/null; then
  echo "SKIP the full-disk cases: mounting a tmpfs is not permitted here (the ulimit -f case above ran)"
  exit 0
fi
umount "$MNT"
trap 'umount "$MNT" 2>/dev/null; rm -rf "$WORK"' EXIT
# small_disk KB: a fresh tmpfs of KB kilobytes at $MNT.
small_disk() { umount "$MNT" 2>/dev/null; mount -t tmpfs -o size="$1"k tmpfs "$MNT" || fail "mount"; }

echo "--- full disk: leap train --resume"
small_disk $(( $(du -sk "$WORK/ae" | cut -f1) + size_kb / 2 + 8 ))  # room for half a checkpoint more
cp -r "$WORK/ae" "$MNT/ae" || fail "copy"
expect_write_failure "cannot write $MNT/ae/last.ckpt" "$LEAP" "${TRAIN[@]}" --set optim.epochs=4 --out "$MNT/ae" --resume
intact "$MNT/ae"

echo "--- full disk: leap generate"
# Room for the first dataset's files, not for all of the second's.
"$LEAP" generate --config "$SRC/examples/euler2d/generate-small.yaml" --out "$WORK/gen" "${Q[@]}" \
  --set frames=6 --set trajectories.train=2 --set trajectories.valid=1 --set trajectories.test=1 \
  --set euler2d.nx=32 --set euler2d.ny=32 || fail "generate (reference)"
small_disk $(( $(du -sk "$WORK/gen" | cut -f1) * 6 / 10 ))
expect_write_failure "$MNT/gen" "$LEAP" generate --config "$SRC/examples/euler2d/generate-small.yaml" --out "$MNT/gen" "${Q[@]}" \
  --set frames=6 --set trajectories.train=2 --set trajectories.valid=1 --set trajectories.test=1 \
  --set euler2d.nx=32 --set euler2d.ny=32
n=0
while IFS= read -r f; do
  h5diff -q "$WORK/gen/$f" "$MNT/gen/$f" >/dev/null || fail "$f: a finished file differs after the disk filled"
  n=$((n + 1))
done < <(cd "$MNT/gen" && find . -name '*.hdf5')
[[ $n -ge 1 ]] || fail "no file was finished before the disk filled (make the tmpfs larger)"
echo "  $n finished files intact"

echo "--- read-only --out (a read-only tmpfs)"
umount "$MNT"; mount -t tmpfs -o ro,size=64k tmpfs "$MNT" || fail "mount ro"
out=$("$LEAP" "${TRAIN[@]}" --out "$MNT/run" 2>&1); status=$?
[[ $status == 2 ]] && grep -q -- "--out '$MNT/run'" <<<"$out" || fail "read-only --out: exit $status: $out"
echo "  exit 2: $out"

echo "--- full disk: the TSTrajectory recorder"
"$MPIEXEC" -n 2 --oversubscribe "$PROG" oracle "$WORK" >/dev/null || fail "fault_program oracle"
small_disk 16
out=$("$MPIEXEC" -n 2 --oversubscribe "$PROG" record "$MNT" 2>&1); status=$?
[[ $status != 0 && $status -lt 124 ]] || fail "recorder on a full disk: exit $status"
grep -q "LEAP: .*$MNT/rec" <<<"$out" || fail "the recorder's message does not name the file: $(grep -m3 ERROR <<<"$out")"
echo "  exit $status: $(grep -m1 "LEAP: " <<<"$out" | cut -c1-200)"
umount "$MNT"
echo "disk full and unwritable outputs: every failure named its file; earlier outputs intact"

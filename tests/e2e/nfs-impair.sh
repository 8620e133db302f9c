#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# nfs-impair.sh: NFSv3 and NFSv2 over UDP on a lossy, duplicating, reordering link (--impair): copies md5-identical, a small-file tree exact, the DRC replays.
#
# indynetd --impair loss=5%,dup=1%,reorder=1% (seeded) between the guest and the
# in-core NFS server; one guest boot.  For v3 and then v2 (UDP, mounted as one
# mounts over a lossy link: timeo=1, so a lost LOOKUP, CREATE or RENAME costs 0.1 s
# rather than the UDP default of 1.1 s (READ and WRITE time out on the client's own
# round-trip estimate, which loss backs off), and rsize=wsize=8192, v2's size, so a datagram is 6
# fragments and not 23: losing any fragment loses the whole call), the guest:
#   - copies IMPAIR_KB KiB of random data in and back out (caches dropped between):
#     md5 identical in the guest, and the host's copy too;
#   - unpacks a tar of NFILES small files in 40 folders onto the mount, renames every
#     tenth file, hard-links every 25th, and does the same in its own tmpfs; the
#     listing (names, sizes, link counts) and contents on the mount equal the tmpfs
#     reference, and the host's export equals the guest's listing exactly (no file
#     created twice, no rename applied twice); every tar/mv/ln/rm succeeds (a
#     retransmitted non-idempotent call answered EEXIST/ENOENT would fail it);
#   - removes the tree: gone on the host too.
# Afterwards `stats` must show the impairment at work (drops, duplicates, reorders)
# and the duplicate-request cache answering retransmissions (nfs_drc_replays > 0).
# IMPAIR_KB (default 256; or IMPAIR_MB) and NFILES (default 100) size it for CI; the
# acceptance run is IMPAIR_MB=64 NFILES=3000, which takes hours under TCG (each lost
# fragment costs a retransmission timeout: docs/PERFORMANCE.md, "Impaired links").
set -uo pipefail
. "$(dirname "$0")/lib-nfs.sh"
nfs_init "$0" "$@"

[ -n "${IMPAIR_MB:-}" ] && IMPAIR_KB=$((IMPAIR_MB * 1024))
IMPAIR_KB=${IMPAIR_KB:-256}
NFILES=${NFILES:-100}
IMPAIR=${IMPAIR:-loss=5%,dup=1%,reorder=1%,seed=12}
G=$NFS_W/guest.sh
CON=$NFS_W/console.log
CTL=$NFS_W/ctl.sock
T0=$SECONDS

# the tree: NFILES files of 0-2999 bytes in 40 folders, as a tar added to the guest's root
mkdir -p "$NFS_W/extra" "$NFS_W/tree"
(
	cd "$NFS_W/tree" || exit 1
	for i in $(seq 0 $((NFILES - 1))); do
		[ $((i % 50)) = 0 ] && mkdir -p "d$((i / 50))"
		head -c $(((i * 7919) % 3000)) /dev/urandom >"d$((i / 50))/f$i"
	done
	tar cf "$NFS_W/extra/tree.tar" .
) || nfs_die "cannot build the tree"
NFS_VM_EXTRA=$NFS_W/extra

{
	nfs_guest_prelude "$NFS_EXPORT"
	cat <<EOF
KB=$IMPAIR_KB NFILES=$NFILES OPTS=timeo=1,retrans=10,rsize=8192,wsize=8192
EOF
	cat <<'EOF'
chk() { _c=$1; shift; if "$@"; then gok "$_c"; else gfail "$_c"; fi; }
eq() { if [ "$2" = "$3" ]; then gok "$1 ($2)"; else gfail "$1: got '$2', want '$3'"; fi; }
md5() { md5sum "$1" | cut -d' ' -f1; }
# listing DIR: names, sizes, link counts of the files; names of the folders; sorted
listing() { (cd "$1" && { find . -type f | xargs stat -c '%n %s %h'; find . -type d; } | sort); }
contents() { (cd "$1" && find . -type f | sort | xargs cat | md5sum | cut -d' ' -f1); }
# churn DIR: rename every tenth file, hard-link every 25th; fails on the first error
churn() {
	i=0
	while [ $i -lt $NFILES ]; do
		f=$1/d$((i / 50))/f$i
		if [ $((i % 10)) = 3 ]; then mv "$f" "$f.renamed" || return 1; fi
		if [ $((i % 25)) = 7 ]; then ln "$f" "$1/d$((i / 50))/link$i" || return 1; fi
		i=$((i + 1))
	done
}
head -c $((KB * 1024)) /dev/urandom >/tmp/src.bin
SRC=$(md5 /tmp/src.bin)
echo "SRC-MD5=$SRC"
mkdir /tmp/ref && tar xf /tree.tar -C /tmp/ref && churn /tmp/ref || gfail "reference tree in tmpfs"
REF_LIST=$(listing /tmp/ref | md5sum | cut -d' ' -f1)
REF_DATA=$(contents /tmp/ref)

for c in "v3 vers=3,port=2049,mountport=1234,$OPTS" "v2 vers=2,$OPTS"; do
	set -- $c
	v=$1
	gmount "$v" "$2" || { gfail "$v: mount -o $2"; continue; }
	d=/mnt/$v
	t0=$(up)
	chk "$v: copy $KB KiB in" cp /tmp/src.bin $d/big.$v
	t1=$(up)
	echo 3 >/proc/sys/vm/drop_caches
	chk "$v: copy $KB KiB out" cp $d/big.$v /tmp/back.bin
	t2=$(up)
	eq "$v: md5 of the copy out" "$(md5 /tmp/back.bin)" "$SRC"
	rm -f /tmp/back.bin
	echo "TIME-$v-write=$(echo "$t1 - $t0" | bc) TIME-$v-read=$(echo "$t2 - $t1" | bc)"
	mkdir $d/tree
	t0=$(up)
	chk "$v: tar xf of $NFILES files" tar xf /tree.tar -C $d/tree
	chk "$v: renames and hard links" churn $d/tree
	t1=$(up)
	echo 3 >/proc/sys/vm/drop_caches
	eq "$v: listing of the tree = tmpfs reference" "$(listing $d/tree | md5sum | cut -d' ' -f1)" "$REF_LIST"
	eq "$v: contents of the tree = tmpfs reference" "$(contents $d/tree)" "$REF_DATA"
	echo "LIST-$v=$(listing $d/tree | md5sum | cut -d' ' -f1)"
	echo "FILES-$v=$(find $d/tree -type f | wc -l)"
	echo "STEP tree-$v-ready"
	# the host looks at the export now (it waits for the line above), then we remove
	# (caches dropped each time: a cached negative lookup would hide the host's file)
	i=0
	while echo 2 >/proc/sys/vm/drop_caches && [ ! -e $d/host-checked-$v ] && [ $i -lt 600 ]; do
		sleep 0.5
		i=$((i + 1))
	done
	t2=$(up)
	chk "$v: rm -rf of the tree" rm -rf $d/tree
	t3=$(up)
	chk "$v: the tree is gone" test ! -e $d/tree
	echo "TIME-$v-tree=$(echo "$t1 - $t0" | bc) TIME-$v-rm=$(echo "$t3 - $t2" | bc)"
	gumount "$v"
done
gend
EOF
} >"$G"

# the CI size fits run-all.sh's 900 s; a bigger one gets hours
VM_TMO=${IMPAIR_VM_TMO:-$((IMPAIR_KB <= 2048 && NFILES <= 500 ? 840 : 6 * 3600))}
NFS_DAEMON_TMO=$((VM_TMO + 120)) nfs_daemon_start stream --export "$NFS_EXPORT" --impair "$IMPAIR" --control "$CTL"
nfs_vm_start "$G" "$CON" "$VM_TMO"
for v in v3 v2; do
	if ! nfs_wait_console "$CON" "STEP tree-$v-ready" "$VM_TMO"; then
		nfs_check "$v: the guest reached the tree check" false
		continue
	fi
	want=$(nfs_console_value "$CON" "LIST-$v")
	got=$(cd "$NFS_EXPORT/tree" && { find . -type f -exec stat -c '%n %s %h' {} + ; find . -type d; } | sort | md5sum | cut -d' ' -f1)
	nfs_expect_eq "$v: host listing of the tree = guest's (names, sizes, links)" "$got" "$want"
	nfs_expect_eq "$v: host files in the tree" "$(find "$NFS_EXPORT/tree" -type f | wc -l)" \
		"$((NFILES + (NFILES + 17) / 25))"
	nfs_expect_eq "$v: host copy's md5" "$(md5sum <"$NFS_EXPORT/big.$v" | cut -d' ' -f1)" \
		"$(nfs_console_value "$CON" SRC-MD5)"
	touch "$NFS_EXPORT/host-checked-$v"
	nfs_wait_console "$CON" "TIME-$v-rm=" 600 && sleep 1
	nfs_check "$v: the host has no tree after rm -rf" test ! -e "$NFS_EXPORT/tree"
	rm -f "$NFS_EXPORT/host-checked-$v" "$NFS_EXPORT/big.$v"
done
nfs_vm_wait
rc=$?
STATS=$("$INDYNETD" --ctl "$CTL" stats 2>&1)
nfs_daemon_stop
grep -aE 'GUEST-FAIL|GUEST-SUMMARY|TIME-' "$CON"
echo "($(grep -ac GUEST-OK "$CON") guest checks passed)"
nfs_expect_eq "guest script exit status" "$rc" 0
stat_of() { echo "$STATS" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
for k in impair_dropped impair_duplicated impair_reordered nfs_drc_replays; do
	nfs_check "stats: $k = $(stat_of "$k") > 0" test "$(stat_of "$k")" -gt 0 2>/dev/null
done
nfs_log "stats: $(echo "$STATS" | tr ' ' '\n' | grep -E '^(impair_|nfs_(calls|drc_|queue_drops))' | tr '\n' ' ')"
nfs_log "wall time $((SECONDS - T0)) s (IMPAIR_KB=$IMPAIR_KB, NFILES=$NFILES)"
[ "$NFS_FAILS" = 0 ] || nfs_show_logs "$CON" | tail -n 80
nfs_finish

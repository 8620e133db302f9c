#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# deb.sh: `make deb`'s package: lintian, installed into this system, capture for nobody through its file capabilities, purged without a trace.
#
# The package is built from the source tree (scripts/mkdeb.sh into build-deb/),
# not from $INDYNET_BUILD, so the ASan pass skips it.  It installs into the
# real system: the EXIT trap purges it whatever happens, a lock keeps two runs
# apart, and while it is installed the build tree's binaries still load the
# build tree's libindynet.so.0 (their RUNPATH comes before the loader's cache;
# checked below), so tests running meanwhile are not affected.
set -uo pipefail
. "$(dirname "$0")/../lib/common.sh"

t_init deb
t_need_root
t_need_cmd dpkg-deb dpkg-shlibdeps dpkg-gensymbols lintian setpriv ip getcap pkg-config cc
t_indynetd
if nm -D "$INDYNETD" 2>/dev/null | grep -c __asan_init >/dev/null; then
	t_skip "the package is built from the sources, not from this ASan build: tested in the plain pass"
fi
TOP=$(t_repo)
PKG=indynet
BIN=/usr/bin/indynetd
installed() { dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -c 'ok installed' >/dev/null; }

exec 9>/tmp/indynet-deb-test.lock
flock -w 900 9 || t_fail "another deb.sh held /tmp/indynet-deb-test.lock for 15 minutes"
installed && t_skip "a package $PKG is installed on this system already: not touching it"

t_log "building the package (scripts/mkdeb.sh)"
nice -n 10 bash "$TOP/scripts/mkdeb.sh" "$TOP/build-deb" >"$T_TMP/mkdeb.log" 2>&1 ||
	t_fail "scripts/mkdeb.sh failed" "$(tail -30 "$T_TMP/mkdeb.log")"
DEB=$(tail -1 "$T_TMP/mkdeb.log")
t_check "the package is built: $(basename "$DEB")" test -s "$DEB"

# lintian: no error; warnings and overrides are printed for the record
t_log "lintian"
lintian --pedantic --show-overrides "$DEB" >"$T_TMP/lintian.txt" 2>&1
sed -n '/^[EWIPO]: /s/^/       lintian | /p' "$T_TMP/lintian.txt"
t_expect_eq "lintian reports no error" 0 "$(grep -c '^E: ' "$T_TMP/lintian.txt")"

CONTROL=$(dpkg-deb -f "$DEB" Depends)
t_expect_eq "Depends names runtime libraries only (no -dev, no tools)" "" \
	"$(tr ',' '\n' <<<"$CONTROL" | grep -E -- '-dev|libcap2-bin|meson|gcc' || true)"
grep -c 'libslirp0' <<<"$CONTROL" >/dev/null || t_fail "Depends lacks libslirp0" "$CONTROL"
t_pass "Depends comes from dpkg-shlibdeps ($CONTROL)"

# what the system holds before: each of the package's paths present or not, the loader's cache
dpkg-deb -c "$DEB" | awk '{ print $6 }' | sed 's|^\./|/|; s|/$||' | grep -v '^$' | sort >"$T_TMP/paths"
while read -r p; do [ -e "$p" ] || [ -L "$p" ] && echo "$p"; done <"$T_TMP/paths" >"$T_TMP/before"
grep -c . "$T_TMP/before" >/dev/null || t_fail "no directory of the package exists before install?"
t_expect_eq "libindynet is not in the loader's cache before" 0 "$(ldconfig -p | grep -c libindynet)"
ETC_BEFORE=$([ -e /etc/indynet ] && echo yes || echo no)

t_defer dpkg --purge "$PKG"
t_log "dpkg -i"
flock -w 900 /tmp/indynet-apt.lock dpkg -i "$DEB" >"$T_TMP/dpkg-i.log" 2>&1 ||
	t_fail "dpkg -i failed" "$(cat "$T_TMP/dpkg-i.log")"
installed || t_fail "dpkg -i left the package not installed" "$(cat "$T_TMP/dpkg-i.log")"
t_pass "dpkg -i installed it"
t_expect_eq "postinst gave indynetd the capture capabilities" "$BIN cap_net_admin,cap_net_raw=eip" "$(getcap "$BIN")"
t_expect_eq "the ldconfig trigger put libindynet.so.0 in the loader's cache" 1 "$(ldconfig -p | grep -c 'libindynet.so.0 ')"
t_expect_eq "pkg-config finds the installed library" 0.1.0 "$(pkg-config --modversion indynet)"
grep -c "$INDYNET_BUILD" <(ldd "$INDYNETD" | grep libindynet) >/dev/null ||
	t_fail "the build tree's indynetd loads the installed library" "$(ldd "$INDYNETD")"
t_pass "the build tree's indynetd still loads the build tree's libindynet.so.0 (RUNPATH)"

# an embedder's program against the installed headers, pkg-config file and library
cat >"$T_TMP/embed.c" <<'EOF'
#include <indynet/indynet.h>
#include <stdio.h>
int main(void)
{
	struct indynet_build_info b;
	indynet_build_info_get(&b);
	printf("%s %s\n", indynet_version(), b.packet_capture ? "capture" : "no-capture");
	return 0;
}
EOF
# shellcheck disable=SC2046
cc -o "$T_TMP/embed" "$T_TMP/embed.c" $(pkg-config --cflags --libs indynet) >"$T_TMP/cc.log" 2>&1 ||
	t_fail "an embedder compiles against the installed package" "$(cat "$T_TMP/cc.log")"
t_expect_eq "it runs against /usr's libindynet.so.0, built with packet capture" "0.1.0 capture" "$("$T_TMP/embed")"
if command -v systemd-analyze >/dev/null; then
	t_check "the unit template passes systemd-analyze verify" \
		systemd-analyze verify --man=no /lib/systemd/system/indynetd@.service
fi

# nobody, no capability of its own: capture works through the installed binary's file capabilities
NS=deb0ns
ip netns del "$NS" 2>/dev/null
ip netns add "$NS" || t_fail "cannot create namespace $NS"
t_defer ip netns del "$NS"
ip -n "$NS" link add deb0a type veth peer name deb0b || t_fail "cannot create veth"
ip -n "$NS" link set deb0a up && ip -n "$NS" link set deb0b up
OUT=$T_TMP/check.out
t_evidence "$OUT"
ip netns exec "$NS" setpriv --reuid nobody --regid nogroup --clear-groups --inh-caps=-all \
	"$BIN" --capture-access check --interface deb0a >"$OUT" 2>&1
t_expect_eq "nobody: indynetd --capture-access check exits 0" 0 $?
t_expect_eq "verdict works, through the file capabilities" \
	"verdict: works|reason: a capture opened on deb0a (through the file capabilities of the executable)" \
	"$(grep -E '^(verdict|reason): ' "$OUT" | paste -sd'|')"

# purge: nothing of the package is left, nothing that was there is gone
t_log "dpkg --purge"
dpkg --purge "$PKG" >"$T_TMP/purge.log" 2>&1 || t_fail "dpkg --purge failed" "$(cat "$T_TMP/purge.log")"
installed && t_fail "still installed after purge"
t_expect_eq "dpkg forgot the package" "" "$(dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -v not-installed)"
while read -r p; do [ -e "$p" ] || [ -L "$p" ] && echo "$p"; done <"$T_TMP/paths" >"$T_TMP/after"
t_expect_eq "the system holds exactly the package's paths it held before" "" \
	"$(diff "$T_TMP/before" "$T_TMP/after")"
t_expect_eq "libindynet left the loader's cache" 0 "$(ldconfig -p | grep -c libindynet)"
t_expect_eq "/etc/indynet as before" "$ETC_BEFORE" "$([ -e /etc/indynet ] && echo yes || echo no)"
t_done

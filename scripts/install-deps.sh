#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# install-deps.sh: install every Debian package the build, tests, demo and benchmarks need (idempotent).
set -euo pipefail

PKGS=(
	# build
	build-essential meson ninja-build pkg-config clang lld llvm libclang-rt-14-dev
	libslirp-dev libglib2.0-dev libpcap-dev libmicrohttpd-dev libjansson-dev libinih-dev libcmocka-dev libattr1-dev libcap-dev
	libseccomp-dev
	# tests: the ABI baseline (abidw, abidiff)
	abigail-tools
	# tests: namespaces, guest VM, captures, peers
	iproute2 iputils-ping qemu-system-x86 busybox-static cpio kmod file bc flex bison libelf-dev gcc-12 xz-utils binutils
	tshark socat dnsmasq-base python3 curl netcat-openbsd
	# the web panel's browser test (node and npm too, unless a node is already installed)
	chromium
	# tests: real DHCP and DNS clients in the guest namespace
	dhcpcd-base bind9-dnsutils
	# packaging and cross-platform checks: macOS plist and scripts; make deb (dpkg-deb, dpkg-shlibdeps) and its lintian
	libxml2-utils shellcheck dpkg-dev lintian
	# Windows: the Npcap check cross-built and run under wine (about 160 MB to download, 1 GB installed)
	gcc-mingw-w64-x86-64-win32 wine64
	# bridge mode tests and benchmark: offload switches, capability drop (the LAN flood is bench/tools/paceflood.c)
	ethtool libcap2-bin
	# bridge e2e tests: the "access point" drops frames from other MACs (nft netdev ingress); LAN-side captures
	nftables tcpdump
	# benchmarks: NAT peers, NFS peer
	slirp4netns passt iperf3 nfs-ganesha nfs-ganesha-vfs rpcbind
)

command -v npm >/dev/null 2>&1 || PKGS+=(nodejs npm)

# playwright-core for the browser test, pinned by tests/browser/package-lock.json
browser_deps() {
	local dir
	dir=$(cd "$(dirname "$0")/../tests/browser" && pwd)
	[ -d "$dir/node_modules/playwright-core" ] && return 0
	echo "install-deps: npm ci in $dir"
	(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
}

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#PKGS[@]} packages present"
	browser_deps
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages (${missing[*]}); run as root" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
echo 'wireshark-common wireshark-common/install-setuid boolean false' | debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
browser_deps

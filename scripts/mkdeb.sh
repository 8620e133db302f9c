#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# mkdeb.sh: build indynet's Debian package (library, headers, pkg-config file, indynetd, indynetctl, man pages, systemd unit).
#
# Usage: scripts/mkdeb.sh [BUILD_DIR]   (default build-deb; `make deb`)
# Prints the path of the .deb on its last line.
#
# A plain dpkg-deb build, no debhelper: meson configures BUILD_DIR for /usr
# with Debian's build flags (dpkg-buildflags, hardening=+all), installs into
# a staging root laid out as dpkg-shlibdeps expects (BUILD_DIR/pkg/debian/
# indynet/), the binaries are stripped as dh_strip does, man pages and the
# changelog compressed, and Depends is what dpkg-shlibdeps reads from the ELF
# files (the runtime libraries only).  The maintainer files are in
# installer/debian/: postinst gives /usr/bin/indynetd the capture
# capabilities, best effort.  Dates come from the last commit, so two builds
# of one commit give the same package.
set -euo pipefail
umask 022
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(realpath -m "${1:-$SRC/build-deb}")
DEB_DIR=$SRC/installer/debian
PKG=indynet
MAINT='indynet developers <indynet@example.org>'
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$SRC" log -1 --format=%ct 2>/dev/null || date +%s)}

# configure once, for /usr, with Debian's flags (meson's own optimisation off: the flags carry -O2)
configure() {
	[ -f "$BUILD/build.ninja" ] && return 0
	(
		cd "$SRC"
		eval "$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --export=sh)"
		meson setup "$BUILD" --prefix=/usr --buildtype=plain -Dpcap=enabled -Dtests=false >/dev/null
	)
}

# strip as dh_strip does: shared objects and executables to their symbols, static archives of debug info
strip_all() { # strip_all ROOT
	local f
	while IFS= read -r -d '' f; do
		case $(file -b "$f") in
		*'current ar archive'*) strip --strip-debug --remove-section=.comment --remove-section=.note --enable-deterministic-archives "$f" ;;
		ELF*) strip --remove-section=.comment --remove-section=.note --strip-unneeded "$f" ;;
		esac
	done < <(find "$1" -type f -print0)
}

# /usr/share/doc/indynet: copyright, a changelog in Debian's format, the example unit configuration
docs() { # docs ROOT VERSION
	local doc=$1/usr/share/doc/$PKG
	mkdir -p "$doc/examples"
	cp "$DEB_DIR/copyright" "$doc/"
	cp "$DEB_DIR/guest.ini" "$doc/examples/"
	printf '%s (%s) unstable; urgency=medium\n\n  * Built from the source tree by scripts/mkdeb.sh.\n\n -- %s  %s\n' \
		"$PKG" "$2" "$MAINT" "$(date -u -R -d "@$SOURCE_DATE_EPOCH")" | gzip -9n >"$doc/changelog.gz"
	find "$1/usr/share/man" -type f -name '*.[0-9]' -exec gzip -9n {} +
}

# the staging root: meson's install, the unit, the docs, stripped
stage() { # stage ROOT VERSION
	rm -rf "$1"
	DESTDIR=$1 meson install -C "$BUILD" --no-rebuild --quiet
	install -D -m 644 "$DEB_DIR/indynetd@.service" "$1/lib/systemd/system/indynetd@.service"
	mkdir -p "$1/usr/share/lintian/overrides"
	sed "s/@MULTIARCH@/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/g" "$DEB_DIR/lintian-overrides" >"$1/usr/share/lintian/overrides/$PKG"
	chmod 644 "$1"/usr/lib/*/libindynet.so.*.*
	docs "$1" "$2"
	strip_all "$1"
}

# DEBIAN/: control (Depends from dpkg-shlibdeps), maintainer scripts, shlibs and symbols, ldconfig trigger, md5sums
control() { # control PKGDIR VERSION
	local root=$1/debian/$PKG depends arch elf
	arch=$(dpkg --print-architecture)
	mkdir -p "$root/DEBIAN"
	printf 'Source: %s\nMaintainer: %s\n\nPackage: %s\nArchitecture: any\nDescription: indynet\n' \
		"$PKG" "$MAINT" "$PKG" >"$1/debian/control"
	printf 'libindynet 0 %s (>= %s)\n' "$PKG" "$2" >"$root/DEBIAN/shlibs"
	(cd "$1" && dpkg-gensymbols -q -p"$PKG" -P"debian/$PKG" -v"$2" -e"debian/$PKG/usr/lib/*/libindynet.so.*.*" \
		-O"debian/$PKG/DEBIAN/symbols")
	sed -i "1a* Build-Depends-Package: $PKG" "$root/DEBIAN/symbols"
	mapfile -t elf < <(cd "$1" && find "debian/$PKG/usr/bin" "debian/$PKG"/usr/lib/*/libindynet.so.*.* -type f)
	depends=$(cd "$1" && dpkg-shlibdeps -O -x"$PKG" "${elf[@]}")
	sed -e "s/@VERSION@/$2/" -e "s/@ARCH@/$arch/" -e "s/@MAINT@/$MAINT/" \
		-e "s/@DEPENDS@/${depends#shlibs:Depends=}/" -e "s/@SIZE@/$(du -sk --exclude=DEBIAN "$root" | cut -f1)/" \
		"$DEB_DIR/control.in" >"$root/DEBIAN/control"
	install -m 755 "$DEB_DIR/postinst" "$root/DEBIAN/postinst"
	echo 'activate-noawait ldconfig' >"$root/DEBIAN/triggers"
	(cd "$root" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | sort -z | xargs -0 md5sum >DEBIAN/md5sums)
}

configure
ninja -C "$BUILD" >/dev/null
VERSION=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])' < <(meson introspect --projectinfo "$BUILD"))
PKGDIR=$BUILD/pkg
rm -rf "$PKGDIR"
stage "$PKGDIR/debian/$PKG" "$VERSION"
control "$PKGDIR" "$VERSION"
find "$PKGDIR/debian/$PKG" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
OUT=$BUILD/${PKG}_${VERSION}_$(dpkg --print-architecture).deb
dpkg-deb --root-owner-group -Zxz --build "$PKGDIR/debian/$PKG" "$OUT" >/dev/null
echo "$OUT"

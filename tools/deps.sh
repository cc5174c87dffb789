#!/usr/bin/env bash
# make deps: install the Debian packages Ember needs, then fetch, verify and
# extract the Debian *source* packages it rebuilds for the guest (musl, lwip)
# into build/deps/{musl,lwip}-src. Runs as root on a fresh Debian 12 machine;
# idempotent, and a run with everything in place only checks (well under 1 s).
set -euo pipefail

# Debian packages needed to build, test and benchmark Ember. Add yours here.
# libclang-rt-14-dev: clang's libFuzzer and sanitizer runtimes (make fuzz).
PACKAGES="gcc make binutils libc6-dev libelf-dev zlib1g-dev libseccomp-dev
	bats bats-assert bats-support curl wrk iproute2 hyperfine
	dpkg-dev clang cppcheck clang-format file jq time procps
	dnsmasq-base iputils-ping netcat-openbsd nftables
	libclang-rt-14-dev"

# Source packages and the upstream version series our replacement files and
# glue are written for (a different upstream release needs a review first).
SOURCES="musl lwip"
declare -A UPSTREAM=([musl]="1.2.3" [lwip]="2.1.")

DEB_SRC_FILE=/etc/apt/sources.list.d/ember-deb-src.sources

SELF=$(readlink -f "$0")
cd "$(dirname "$SELF")/.."
DEPSDIR=${DEPSDIR:-build/deps}
export DEBIAN_FRONTEND=noninteractive

die() {
	echo "deps: $*" >&2
	exit 1
}

log() {
	echo "deps: $*"
}

need_root() {
	[[ $EUID -eq 0 ]] || die "$1; run 'make deps' as root (e.g. sudo make deps)"
}

# Prints the packages of $PACKAGES that are not installed.
missing_packages() {
	local installed
	# shellcheck disable=SC2086 # word splitting of the list is intended
	installed=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' \
		$PACKAGES 2>/dev/null | awk '$2 == "ii" { print $1 }' || true)
	local p
	for p in $PACKAGES; do
		grep -qxF "$p" <<<"$installed" || echo "$p"
	done
}

install_packages() {
	local missing
	missing=$(missing_packages | paste -sd" ")
	[[ -z $missing ]] && return 0
	need_root "missing Debian packages: $missing"
	log "installing $missing"
	apt-get update -q
	# shellcheck disable=SC2086 # word splitting of the list is intended
	apt-get install -y -q --no-install-recommends $missing
	changed=1
}

codename() {
	# shellcheck disable=SC1091
	(. /etc/os-release && echo "${VERSION_CODENAME:-}")
}

# Prints, as deb822 "deb-src" stanzas, the machine's "deb" entries for the
# distribution's main suite (same URIs, suites, components and Signed-By:
# apt refuses a deb-src whose Signed-By differs from its deb twin's).
deb_src_stanzas() {
	local suite=$1 f
	for f in /etc/apt/sources.list.d/*.sources; do
		[[ -f $f ]] || continue
		awk -v suite="$suite" '
			function flush() {
				if (deb && insuite && enabled)
					printf "Types: deb-src\n%s\n\n", body
				deb = insuite = 0; enabled = 1; body = ""
			}
			BEGIN { enabled = 1 }
			/^[ \t]*$/ { flush(); next }
			/^#/ { next }
			/^Types:/ { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1; next }
			/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == suite) insuite = 1 }
			/^Enabled:/ { if ($2 == "no") enabled = 0 }
			/^Architectures:/ { next }
			{ body = body (body == "" ? "" : "\n") $0 }
			END { flush() }' "$f"
	done
	[[ -f /etc/apt/sources.list ]] || return 0
	# One-line format: deb [signed-by=K ...] URI SUITE COMPONENT...
	awk -v suite="$suite" '
		$1 != "deb" { next }
		{
			key = ""; i = 2
			if ($2 ~ /^\[/) {
				for (; i <= NF; i++) {
					o = $i; gsub(/[\[\]]/, "", o)
					if (o ~ /^signed-by=/) { sub(/^signed-by=/, "", o); key = o }
					if ($i ~ /\]$/) { i++; break }
				}
			}
			if ($(i + 1) != suite) next
			printf "Types: deb-src\nURIs: %s\nSuites: %s\nComponents:", $i, suite
			for (j = i + 2; j <= NF; j++) printf " %s", $j
			printf "\n"
			if (key != "") printf "Signed-By: %s\n", key
			printf "\n"
		}' /etc/apt/sources.list
}

# True when apt already has a deb-src entry for the main suite.
have_deb_src() {
	# shellcheck disable=SC2016 # $(RELEASE) is apt's format, not the shell's
	apt-get indextargets --no-release-info 'Created-By: Sources' \
		--format '$(RELEASE)' 2>/dev/null | grep -qxF "$1"
}

ensure_deb_src() {
	local suite
	suite=$(codename)
	[[ -n $suite ]] || die "cannot tell the Debian release from /etc/os-release"
	if ! have_deb_src "$suite"; then
		need_root "no deb-src entry for $suite in apt's sources"
		local stanzas
		stanzas=$(deb_src_stanzas "$suite")
		[[ -n $stanzas ]] ||
			die "no 'deb' entry for $suite in /etc/apt/sources.list{,.d/*.sources} to add a deb-src for"
		log "adding deb-src entries to $DEB_SRC_FILE"
		printf '# Written by Ember tools/deps.sh: source packages (musl, lwip).\n%s\n' \
			"$stanzas" >"$DEB_SRC_FILE"
	fi
	if [[ -z $(apt-cache showsrc --only-source musl 2>/dev/null) ]]; then
		need_root "apt has no source index yet"
		apt-get update -q
	fi
}

# Checks the .dsc against apt's source index (signed through the Release
# file), then every file the .dsc lists under Checksums-Sha256.
verify_dsc() {
	local pkg=$1 dsc=$2 dir sum size name n=0
	dir=$(dirname "$dsc")
	sum=$(sha256sum "$dsc" | cut -d' ' -f1)
	size=$(stat -c %s "$dsc")
	apt-cache showsrc --only-source "$pkg" |
		grep -qxF " $sum $size $(basename "$dsc")" ||
		die "$dsc does not match apt's source index: delete $dir and retry"
	while read -r sum size name; do
		[[ -f $dir/$name ]] || die "$name (listed in $dsc) was not downloaded"
		[[ $(stat -c %s "$dir/$name") == "$size" ]] ||
			die "size mismatch for $dir/$name: expected $size bytes"
		echo "$sum  $dir/$name" | sha256sum --check --status --strict - ||
			die "SHA-256 mismatch for $dir/$name (listed in $dsc): delete $dir and retry"
		n=$((n + 1))
	done < <(awk '/^Checksums-Sha256:/ { on = 1; next }
		on && /^ / { print; next } { on = 0 }' "$dsc")
	((n > 0)) || die "$dsc lists no Checksums-Sha256 files"
	log "verified $n files of $(basename "$dsc")"
}

# Downloads source package $1 into directory $2 (as root, apt's _apt
# sandbox user could not write there: let apt write as root).
apt_source() {
	(cd "$2" && apt-get source -q --download-only \
		-o APT::Sandbox::User=root "$1" >fetch.log 2>&1) && return 0
	log "apt-get source $1 failed with status $?, see $2/fetch.log"
	return 1
}

# Fetches, verifies and extracts source package $1 to $DEPSDIR/$1-src.
fetch_source() {
	local pkg=$1 want=${UPSTREAM[$1]} dl dsc ver
	dl="$DEPSDIR/src/$pkg"
	rm -rf "$dl" && mkdir -p "$dl"
	log "fetching source package $pkg"
	# One retry: a mirror hiccup should not fail a CI run.
	apt_source "$pkg" "$dl" || apt_source "$pkg" "$dl" ||
		die "apt-get source $pkg failed twice (see $dl/fetch.log)"
	dsc=$(ls "$dl"/*.dsc)
	[[ $(wc -l <<<"$dsc") -eq 1 ]] || die "expected one .dsc in $dl"
	ver=$(awk '/^Version:/ { print $2; exit }' "$dsc")
	[[ ${ver#*:} == "$want"* ]] ||
		die "$pkg $ver fetched but Ember is written for $pkg $want*; review unikernel-rt before updating"
	verify_dsc "$pkg" "$dsc"
	local out="$DEPSDIR/$pkg-src" tmp="$DEPSDIR/.tmp-$pkg-src"
	rm -rf "$out" "$tmp"
	dpkg-source --no-copy -x "$dsc" "$tmp" >"$dl/extract.log" 2>&1 ||
		die "dpkg-source -x $dsc failed (see $dl/extract.log)"
	echo "$pkg $ver" >"$tmp/.ember-source"
	mv "$tmp" "$out"
	log "$pkg $ver extracted to $out"
	changed=1
}

# The stamp tells make that dependencies are in place. It is touched only
# when something changed (or deps.sh did), so that a `make deps` with
# nothing to do does not make everything built from it out of date.
touch_stamp() {
	local stamp="$DEPSDIR/.deps-ok"
	if ((changed)) || [[ ! -f $stamp || $SELF -nt $stamp ]]; then
		mkdir -p "$DEPSDIR"
		touch "$stamp"
	fi
}

changed=0

main() {
	install_packages
	local pkg todo=""
	for pkg in $SOURCES; do
		[[ -f $DEPSDIR/$pkg-src/.ember-source ]] || todo="$todo $pkg"
	done
	if [[ -n $todo ]]; then
		ensure_deb_src
		for pkg in $todo; do
			fetch_source "$pkg"
		done
	fi
	touch_stamp
}

main "$@"

#!/bin/sh
# Installs the Debian packages libbedrock needs to build and test, if any
# is missing. As root it runs apt-get; otherwise it prints the command.
set -eu

PKGS="build-essential cmake pkg-config python3 libcurl4-openssl-dev libssl-dev
libcjson-dev zlib1g-dev libexpat1-dev libcmocka-dev
libevent-dev libnghttp2-dev libmicrohttpd-dev libedit-dev libyaml-dev libhiredis-dev redis-server curl nghttp2-client openssl
dpkg-dev groff-base man-db mandoc bash-completion zsh tmux
libbrotli-dev libidn2-dev libkrb5-dev libldap-dev libpsl-dev librtmp-dev libssh2-1-dev
libzstd-dev"
# dpkg-dev: dpkg-shlibdeps for `make deb`. The tests drive groff, mandoc and
# man (the man pages), bash-completion and zsh (completion).
# The -dev packages of libcurl's own dependencies (brotli ... zstd) are what
# `pkg-config --static --libs bedrock` names: the static-link test needs them.
# libyaml and hiredis: `bedrock gateway`'s configuration and shared quotas;
# redis-server: the tests start one on loopback (two gateways, one quota).
# valgrind runs the streaming client tests in the normal build's suite.
PKGS="$PKGS valgrind"
# python3-cryptography: tests/fakes/fake_google.py makes a service account's
# RSA key and verifies the RS256 JWTs it is sent.
PKGS="$PKGS python3-cryptography"
# boto3 (botocore) signs as the AWS SDKs do in the gateway's tests
# (tests/cli/test_gateway*.py): Debian's, unless the python3 on PATH has it.
if ! python3 -c 'import boto3' >/dev/null 2>&1; then
	PKGS="$PKGS python3-boto3"
fi
# curl (built with nghttp2, as Debian's is) and nghttp (several streams on
# one connection) drive the emulator's HTTP/2 tests; the openssl CLI makes
# test_serve_tls's self-signed certificate; tmux drives `bedrock chat`'s. wrk, for bench/bench_emulate.sh, is not installed here.
# clang and its runtime are for `make fuzz` only.
if [ "${1:-}" = "--fuzz" ]; then
	PKGS="$PKGS clang libclang-rt-14-dev"
fi

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
# Node.js runs the official SDKs against the emulator in the tests. A
# machine may have it from elsewhere (e.g. NodeSource), so look for the
# commands rather than Debian's package names.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	missing="$missing nodejs npm"
fi
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "libbedrock needs these Debian packages:$missing" >&2
	echo "Install them with:  sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing

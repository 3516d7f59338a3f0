#!/bin/sh
# System packages the oracle tests need: a real Docker Engine, a busybox rootfs for base images,
# btrfs for block-level CoW measurements, xattr tools, Chromium for the browser tests, a registry
# (docker-registry) the conformance scenarios push to and pull from, and npm for the JupyterLite build.
# Idempotent; runs only as root with apt-get.
set -e
PKGS="docker.io busybox-static btrfs-progs attr chromium docker-registry"
missing=""
for p in $PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
# npm, for the JupyterLite build (tests/lite: the Pyodide runtime is an npm package); a
# nodejs that already brings its own npm (NodeSource) is kept
command -v npm >/dev/null 2>&1 || missing="$missing npm"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "install_oracles: need root and apt-get to install:$missing" >&2; exit 0
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null

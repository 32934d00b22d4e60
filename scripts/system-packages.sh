#!/usr/bin/env bash
# Install Debian packages the tests need when their commands are missing. Usage: system-packages.sh PACKAGE...
# Runs apt-get only as root; otherwise names what to install and fails.
set -euo pipefail
declare -A command_of=([chromium]=chromium [poppler-utils]=pdftoppm [chromium-driver]=chromedriver)
missing=()
for package in "$@"; do
  command -v "${command_of[$package]:-$package}" >/dev/null 2>&1 || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${missing[*]}; install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "installing Debian packages: ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

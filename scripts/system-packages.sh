#!/usr/bin/env bash
# Install Debian packages the tests need when their commands (or, for a font, its file) are missing.
# Usage: system-packages.sh PACKAGE...   Runs apt-get only as root; otherwise names what to install and fails.
set -euo pipefail
declare -A command_of=([chromium]=chromium [poppler-utils]=pdftoppm [chromium-driver]=chromedriver
  [fonts-dejavu-extra]=/usr/share/fonts/truetype/dejavu/DejaVuMathTeXGyre.ttf)  # the PDF's math font
missing=()
for package in "$@"; do
  probe="${command_of[$package]:-$package}"
  if [[ "$probe" == /* ]]; then [ -e "$probe" ] || missing+=("$package")
  else command -v "$probe" >/dev/null 2>&1 || missing+=("$package"); fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${missing[*]}; install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "installing Debian packages: ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

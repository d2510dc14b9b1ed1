#!/usr/bin/env bash
# Install the Debian packages listed in packaging/debian-packages.txt that are missing.
# Usage: install-system-deps.sh [runtime|test]   (test installs both groups)
# Needs root (or sudo) to install; otherwise it says what is missing and carries on,
# because every one of these packages is optional for the core to run.
set -euo pipefail
group=${1:-runtime}
here=$(cd "$(dirname "$0")" && pwd)
want=()
while read -r line; do
    line=${line%%#*}; line=$(echo "$line" | xargs)
    [ -n "$line" ] || continue
    if [[ $line == test:* ]]; then
        [ "$group" = test ] || continue
        line=${line#test:}
    fi
    want+=("$line")
done < "$here/debian-packages.txt"
missing=()
for pkg in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
    echo "note: cannot install ${missing[*]} (no apt-get); some features stay disabled" >&2; exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
        echo "note: run as root to install ${missing[*]}; some features stay disabled" >&2; exit 0
    fi
fi
echo "installing system packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

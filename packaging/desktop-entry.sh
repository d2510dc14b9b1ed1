#!/usr/bin/env bash
# Install or remove Twintrack's desktop entry and icons in the user's XDG folders.
# Usage: desktop-entry.sh install|uninstall [DATA_HOME] [COMMAND]
#   DATA_HOME  default ${XDG_DATA_HOME:-~/.local/share}
#   COMMAND    what the entry runs (`COMMAND gui FILES`); default: the frozen app in
#              dist/twintrack/ if built, else .venv/bin/twintrack, else `twintrack` on PATH
# Installs applications/twintrack.desktop, icons/hicolor/NxN/apps/twintrack.png and
# icons/hicolor/scalable/apps/twintrack.svg; uninstall removes exactly those files.
set -euo pipefail
action=${1:-}
data=${2:-${XDG_DATA_HOME:-$HOME/.local/share}}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
icons="$root/resources/icons"
sizes=(16 24 32 48 64 128 256 512)

default_command() {
    if [ -x "$root/dist/twintrack/twintrack" ]; then echo "$root/dist/twintrack/twintrack"
    elif [ -x "$root/.venv/bin/twintrack" ]; then echo "$root/.venv/bin/twintrack"
    else echo twintrack; fi
}

# The Exec value: a path with spaces or quotes is quoted as the Desktop Entry spec says.
exec_value() {
    local cmd=$1
    if [[ $cmd =~ [[:space:]\"\'\\\$\`] ]]; then
        cmd=${cmd//\\/\\\\\\\\}; cmd=${cmd//\"/\\\\\"}; cmd=${cmd//\$/\\\\\$}
        cmd=${cmd//\`/\\\\\`}; cmd="\"$cmd\""
    fi
    printf '%s gui %%F' "$cmd"
}

refresh_caches() {  # optional helpers: a desktop picks the files up without them too
    command -v update-desktop-database >/dev/null &&
        update-desktop-database -q "$data/applications" 2>/dev/null || true
    command -v gtk-update-icon-cache >/dev/null && [ -f "$data/icons/hicolor/index.theme" ] &&
        gtk-update-icon-cache -q -t "$data/icons/hicolor" 2>/dev/null || true
}

case $action in
install)
    command=${3:-$(default_command)}
    mkdir -p "$data/applications"
    value=$(exec_value "$command")
    # awk, not sed: the value may hold any character sed treats specially
    EXEC="$value" awk '/^Exec=/ { print "Exec=" ENVIRON["EXEC"]; next } { print }' \
        "$here/twintrack.desktop" > "$data/applications/twintrack.desktop.tmp"
    mv "$data/applications/twintrack.desktop.tmp" "$data/applications/twintrack.desktop"
    for size in "${sizes[@]}"; do
        dir="$data/icons/hicolor/${size}x${size}/apps"
        mkdir -p "$dir"
        cp "$icons/twintrack-$size.png" "$dir/twintrack.png"
    done
    mkdir -p "$data/icons/hicolor/scalable/apps"
    cp "$icons/twintrack.svg" "$data/icons/hicolor/scalable/apps/twintrack.svg"
    refresh_caches
    echo "installed $data/applications/twintrack.desktop (runs: $command gui) and icons"
    ;;
uninstall)
    rm -f "$data/applications/twintrack.desktop" \
          "$data/icons/hicolor/scalable/apps/twintrack.svg"
    for size in "${sizes[@]}"; do
        rm -f "$data/icons/hicolor/${size}x${size}/apps/twintrack.png"
    done
    refresh_caches
    echo "removed the Twintrack desktop entry and icons from $data"
    ;;
*)
    echo "usage: $0 install|uninstall [DATA_HOME] [COMMAND]" >&2
    exit 2
    ;;
esac

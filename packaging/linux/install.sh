#!/bin/sh
# Add Smallbatch Desktop to your applications menu (for you only; no root needed).
#
#   ./install.sh            menu entry, icon, and the `smallbatch` command in ~/.local/bin
#   ./install.sh --uninstall  remove them again (your data is never touched)
#
# The app runs from this folder; move the folder first if you want it elsewhere, then
# run this script again.  Your workshop's data lives in ~/.local/share/smallbatch, not
# here, so replacing this folder with a newer version keeps it.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
APP_ID=smallbatch
DATA_HOME=${XDG_DATA_HOME:-$HOME/.local/share}
BIN_DIR=$HOME/.local/bin
DESKTOP_FILE=$DATA_HOME/applications/$APP_ID.desktop
ICON_SIZES="16 24 32 48 64 128 256 512"

if [ "${1:-}" = "--uninstall" ]; then
  rm -f "$DESKTOP_FILE" "$BIN_DIR/$APP_ID"
  for s in $ICON_SIZES; do rm -f "$DATA_HOME/icons/hicolor/${s}x${s}/apps/$APP_ID.png"; done
  echo "Smallbatch Desktop removed from the menu. This folder and your data are untouched."
  exit 0
fi

[ -x "$HERE/$APP_ID" ] || { echo "install.sh: $HERE/$APP_ID not found; run me from the app folder" >&2; exit 1; }

mkdir -p "$BIN_DIR" "$DATA_HOME/applications"
ln -sf "$HERE/$APP_ID" "$BIN_DIR/$APP_ID"
for s in $ICON_SIZES; do
  src="$HERE/_internal/resources/icons/$APP_ID-$s.png"
  [ -f "$src" ] || continue
  mkdir -p "$DATA_HOME/icons/hicolor/${s}x${s}/apps"
  cp "$src" "$DATA_HOME/icons/hicolor/${s}x${s}/apps/$APP_ID.png"
done
# Exec needs the absolute path: ~/.local/bin is not on every desktop session's PATH.
sed "s|^Exec=.*|Exec=\"$HERE/$APP_ID\"|" "$HERE/$APP_ID.desktop" > "$DESKTOP_FILE"
chmod 644 "$DESKTOP_FILE"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$DATA_HOME/applications" || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$DATA_HOME/icons/hicolor" || true
echo "Smallbatch Desktop is in your applications menu; \`smallbatch\` runs it from a terminal."

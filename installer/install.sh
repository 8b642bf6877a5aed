#!/usr/bin/env bash
# Colorizer installer for Linux and macOS.
#
#   installer/install.sh                  install (or upgrade in place) for this user
#   installer/install.sh --uninstall      remove exactly what it installed
#
# Options:
#   --prefix DIR                 where the app lives (default: ~/.local/share/colorizer-app,
#                                on macOS ~/Library/Application Support/Colorizer-app)
#   --find-links DIR             install offline from a folder of wheels (no index is asked)
#   --reuse-site-packages DIR    use packages already installed there (torch, PySide6, ...) instead
#                                of installing them again: for tests and for shared machines
#   --python PY                  the Python 3.11+ to build the environment from
#   --cpu                        the CPU build of torch even where an NVIDIA GPU is present
#   --no-launcher                no desktop entry / app bundle
#   --uninstall [--purge]        remove the app; --purge also removes your trained models and
#                                settings (your photos are never touched)
set -euo pipefail

SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OS="$(uname -s)"
if [ "$OS" = "Darwin" ]; then
  PREFIX_DEFAULT="$HOME/Library/Application Support/Colorizer-app"
else
  PREFIX_DEFAULT="${XDG_DATA_HOME:-$HOME/.local/share}/colorizer-app"
fi
PREFIX="$PREFIX_DEFAULT"
FIND_LINKS=""
REUSE=""
PYTHON=""
FORCE_CPU=0
LAUNCHER=1
ACTION=install
PURGE=0

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX="$2"; shift 2 ;;
    --find-links) FIND_LINKS="$2"; shift 2 ;;
    --reuse-site-packages) REUSE="$2"; shift 2 ;;
    --python) PYTHON="$2"; shift 2 ;;
    --cpu) FORCE_CPU=1; shift ;;
    --no-launcher) LAUNCHER=0; shift ;;
    --uninstall) ACTION=uninstall; shift ;;
    --purge) PURGE=1; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

MANIFEST="$PREFIX/install-manifest.txt"
VENV="$PREFIX/venv"
DATA_HOME="${XDG_DATA_HOME:-$HOME/.local/share}"

say() { printf '%s\n' "$*"; }
record() { printf '%s\n' "$1" >> "$MANIFEST"; }
# mkdir -p that records each folder it creates, so uninstall removes exactly those (if empty).
make_dir() {
  local missing=() dir="$1"
  while [ ! -d "$dir" ]; do missing=("$dir" "${missing[@]}"); dir="$(dirname "$dir")"; done
  for dir in "${missing[@]}"; do mkdir "$dir" && record "dir:$dir"; done
}
# Refresh the menu's MIME cache only where the desktop already keeps one.
refresh_menu() {
  [ -f "$1/mimeinfo.cache" ] && command -v update-desktop-database >/dev/null 2>&1 && \
    update-desktop-database -q "$1" 2>/dev/null || true
}

uninstall() {
  if [ ! -f "$MANIFEST" ]; then
    say "Nothing to uninstall: no Colorizer install found in $PREFIX"
    exit 1
  fi
  # Remove, newest first, exactly what the install recorded.
  tac "$MANIFEST" 2>/dev/null > "$MANIFEST.rev" || tail -r "$MANIFEST" > "$MANIFEST.rev"
  while IFS= read -r entry; do
    case "$entry" in
      "prefix-created") ;;
      dir:*) rmdir -- "${entry#dir:}" 2>/dev/null || true ;;
      *) [ -n "$entry" ] && rm -rf -- "$entry" ;;
    esac
  done < "$MANIFEST.rev"
  created=$(grep -c '^prefix-created$' "$MANIFEST" || true)
  rm -f -- "$MANIFEST" "$MANIFEST.rev"
  if [ "$created" -gt 0 ]; then rmdir -- "$PREFIX" 2>/dev/null || true; fi
  refresh_menu "$DATA_HOME/applications"
  if [ "$PURGE" -eq 1 ]; then
    if [ "$OS" = "Darwin" ]; then user_data="$HOME/Library/Application Support/Colorizer"
    else user_data="$DATA_HOME/Colorizer"; fi
    rm -rf -- "$user_data" "${XDG_CONFIG_HOME:-$HOME/.config}/Colorizer"
    say "Removed your trained models and settings too."
  else
    say "Your photos, trained models and settings were left alone (--purge removes the latter)."
  fi
  say "Colorizer is uninstalled."
}

pick_python() {
  for candidate in "$PYTHON" python3.13 python3.12 python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 && \
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  say "Colorizer needs Python 3.11 or newer; install it (python.org or your package manager) and run this again." >&2
  exit 1
}

torch_args() {
  # The torch build that fits this machine: CUDA where an NVIDIA GPU is present, else the CPU
  # build (a tenth of the size); macOS wheels from PyPI carry Apple's MPS support.
  if [ -n "$FIND_LINKS" ]; then return; fi
  if [ "$OS" = "Darwin" ]; then return; fi
  if [ "$FORCE_CPU" -eq 0 ] && command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
    printf -- '--extra-index-url https://download.pytorch.org/whl/cu126'
  else
    printf -- '--extra-index-url https://download.pytorch.org/whl/cpu'
  fi
}

install_launcher_linux() {
  local apps="$DATA_HOME/applications" icons="$DATA_HOME/icons/hicolor"
  make_dir "$apps"
  for size in 16 24 32 48 64 128 256 512; do
    local dir="$icons/${size}x${size}/apps"
    make_dir "$dir"
    cp "$SRC/resources/icons/colorizer-$size.png" "$dir/colorizer.png"
    record "$dir/colorizer.png"
  done
  local entry="$apps/colorizer.desktop"
  sed -e "s|^Exec=.*|Exec=\"$VENV/bin/colorizer-gui\" %F|" \
      -e "s|^Icon=.*|Icon=$icons/256x256/apps/colorizer.png|" \
      "$SRC/resources/colorizer.desktop" > "$entry"
  record "$entry"
  refresh_menu "$apps"
  say "Added Colorizer to your applications menu ($entry)."
}

install_launcher_macos() {
  local app="$HOME/Applications/Colorizer.app"
  make_dir "$HOME/Applications"
  mkdir -p "$app/Contents/MacOS" "$app/Contents/Resources"
  cp "$SRC/resources/icons/colorizer.icns" "$app/Contents/Resources/colorizer.icns"
  cat > "$app/Contents/MacOS/Colorizer" <<SCRIPT
#!/bin/sh
exec "$VENV/bin/colorizer-gui" "\$@"
SCRIPT
  chmod +x "$app/Contents/MacOS/Colorizer"
  cat > "$app/Contents/Info.plist" <<PLIST
<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0"><dict>
  <key>CFBundleName</key><string>Colorizer</string>
  <key>CFBundleIdentifier</key><string>app.colorizer.Colorizer</string>
  <key>CFBundleExecutable</key><string>Colorizer</string>
  <key>CFBundleIconFile</key><string>colorizer.icns</string>
  <key>CFBundlePackageType</key><string>APPL</string>
  <key>NSHighResolutionCapable</key><true/>
</dict></plist>
PLIST
  record "$app"
  say "Added Colorizer to ~/Applications."
}

install() {
  local fresh_prefix=0
  [ -d "$PREFIX" ] || fresh_prefix=1
  mkdir -p "$PREFIX"
  if [ ! -f "$MANIFEST" ]; then
    : > "$MANIFEST"
    [ "$fresh_prefix" -eq 1 ] && record "prefix-created"
  fi
  local py; py="$(pick_python)"
  if [ ! -x "$VENV/bin/python" ]; then
    say "Creating a private Python environment in $VENV ..."
    # Reusing packages: pip and setuptools come from there too, not older bundled copies.
    if [ -n "$REUSE" ]; then "$py" -m venv --without-pip "$VENV"; else "$py" -m venv "$VENV"; fi
    record "$VENV"
  else
    say "Upgrading the Colorizer in $VENV ..."
  fi
  local pip=("$VENV/bin/python" -m pip install --disable-pip-version-check)
  if [ -n "$FIND_LINKS" ]; then pip+=(--no-index --find-links "$FIND_LINKS"); fi
  if [ -n "$REUSE" ]; then
    local site; site="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
    printf '%s\n' "$REUSE" > "$site/colorizer-reuse.pth"
    say "Reusing the packages in $REUSE."
    "${pip[@]}" --no-deps --no-build-isolation "$SRC"
  else
    # shellcheck disable=SC2046
    "${pip[@]}" $(torch_args) "torch==2.14.1" "torchvision==0.29.1"
    "${pip[@]}" $(torch_args) "$SRC"
  fi
  # The shipped model and the app's resources, where the installed app looks for them.
  local share="$VENV/share/colorizer"
  rm -rf "$share"
  mkdir -p "$share"
  cp -R "$SRC/models" "$SRC/resources" "$share/"
  if [ "$LAUNCHER" -eq 1 ]; then
    if [ "$OS" = "Darwin" ]; then install_launcher_macos; else install_launcher_linux; fi
  fi
  "$VENV/bin/colorizer" --version >/dev/null
  if [ "$OS" = "Linux" ]; then
    # Qt's X11 plugin needs system libraries a fresh desktop may lack (libxcb-cursor0 on Debian):
    # name them and, where sudo or root is at hand, install them now; never fail the install.
    "$VENV/bin/python" -m colorizer_app.gui.platform_check --install || \
      say "The window will not open until those libraries are installed (the command line works)."
  fi
  say ""
  say "Colorizer is installed."
  say "  Start it from your applications menu, or run: \"$VENV/bin/colorizer-gui\""
  say "  Colorize from a terminal:                     \"$VENV/bin/colorizer\" colorize PHOTOS..."
  say "  Uninstall:                                    \"$SRC/installer/install.sh\" --uninstall --prefix \"$PREFIX\""
}

if [ "$ACTION" = "uninstall" ]; then uninstall; else install; fi

#!/usr/bin/env bash
# Lean PsychoPy install into a virtualenv (PsychoPy's full dependency set is ~1.6 GB).
#
#   scripts/install_psychopy.sh [VENV]      (default: .venv next to this script's repo)
#
# 1. Debian libraries PsychoPy/pyglet/psychtoolbox need at run time (and Xvfb for
#    headless use), installed with apt-get only when missing and when we are root.
# 2. PsychoPy's run-time dependencies we actually use (pyglet 1.5 backend, psychtoolbox
#    keyboard/clock), then psychopy itself with --no-deps (skips wxPython, moviepy, ...).
#
# Headless use: run `Xvfb :99 -screen 0 1280x1024x24 &` and export DISPLAY=:99 (24-bit
# depth: at 16 bit PsychoPy hangs); point HOME at a writable directory (it writes
# ~/.psychopy3). Xvfb has no vsync, so measured frame rates there mean nothing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${1:-$here/.venv}"
py="$venv/bin/python"
if [ ! -x "$py" ]; then
    echo "install_psychopy: no python at $py (give the venv as the first argument)" >&2
    exit 2
fi

debian_pkgs=(
    xvfb                 # headless X server for tests and CI
    xauth
    libgl1               # OpenGL (pyglet)
    libglu1-mesa         # GLU (pyglet.gl imports it)
    libegl1
    libgl1-mesa-dri      # software GL for Xvfb (llvmpipe)
    libjack-jackd2-0     # psychtoolbox audio links against libjack
    libportaudio2
    libasound2
    libusb-1.0-0         # psychtoolbox hid
    libxcb-icccm4        # Qt/X helpers psychopy pulls in via pyglet/xcb
    libxcb-keysyms1
    libxcb-xinerama0
    libxkbcommon-x11-0
    libxi6               # pyglet input
    libxxf86vm1          # pyglet gamma ramps
    libxrandr2
    libxinerama1
    libfreetype6         # freetype-py text rendering
    fonts-dejavu-core
)

if command -v dpkg-query >/dev/null 2>&1; then
    missing=()
    for p in "${debian_pkgs[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$p")
        fi
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        if [ "$(id -u)" -eq 0 ]; then
            echo "install_psychopy: apt-get install ${missing[*]}"
            apt-get update -qq
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
        else
            echo "install_psychopy: missing Debian packages (install as root): ${missing[*]}" >&2
        fi
    fi
fi

"$py" -m pip install --quiet \
    numpy scipy pandas pillow "pyglet==1.5.27" psutil packaging six json-tricks pyyaml \
    i18next python-bidi arabic-reshaper freetype-py requests pyserial psychtoolbox \
    soundfile  # psychopy.sound imports it (the tones of auditory tasks)
# the version the tests run against (its numpy-texture and keyboard APIs have changed before)
"$py" -m pip install --quiet --no-deps "psychopy==2026.2.5"

# Import check under a private HOME (psychopy writes ~/.psychopy3); needs no display.
HOME="$(mktemp -d)" "$py" -c "import psychopy; print('psychopy', psychopy.__version__, 'installed into $venv')"

#!/usr/bin/env bash
# System libraries the pipeline uses when present: libturbojpeg0 (the default "turbojpeg" decoder; without it JPEGs
# decode through skia, correct but 10-40% slower per core, and the host logs one warning saying so).
# Installs them with apt-get when missing and this user may (root, or sudo without a password); otherwise says how.
set -uo pipefail

# (Not "ldconfig -p | grep -q": grep quits at the first match, ldconfig dies of SIGPIPE and pipefail calls that a miss.
# ldconfig lives in /sbin, off a normal user's PATH.)
has_turbojpeg() {
  local cache
  cache="$(PATH="$PATH:/sbin:/usr/sbin" ldconfig -p 2>/dev/null)"
  [[ $cache == *libturbojpeg.so.0* ]]
}

if ! has_turbojpeg; then
  apt=(apt-get)
  [[ $(id -u) -ne 0 ]] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null && apt=(sudo -n apt-get)
  if command -v apt-get >/dev/null 2>&1 && { [[ $(id -u) -eq 0 ]] || [[ ${apt[0]} == sudo ]]; }; then
    ("${apt[@]}" update -qq && "${apt[@]}" install -y -qq libturbojpeg0 >/dev/null) 2>/dev/null || true
  fi
  has_turbojpeg || echo "libturbojpeg0 is not installed: JPEGs will decode through skia (slower). Install it: apt-get install libturbojpeg0" >&2
fi
exit 0

# Shared by the scripts in this directory; source it, do not run it.

# need COMMAND PACKAGE: installs the Debian package with apt-get (through sudo
# when not root) unless COMMAND is already on the PATH or is an executable path.
need() {
  if command -v "$1" >/dev/null 2>&1 || [ -x "$1" ]; then
    return
  fi
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$2" >/dev/null
}

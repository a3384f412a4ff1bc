# Shared by the scripts: install what is missing from Debian's packages, configure, build.
# Sourced, not run.

FATHOM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FATHOM_JOBS=${FATHOM_JOBS:-$(nproc)}

# Packages the build and the tests need, all from Debian 12.
FATHOM_PACKAGES=(cmake make g++ clang clang-format pkg-config libevent-dev libssl-dev
  nlohmann-json3-dev libhiredis-dev libgtest-dev redis-server curl python3 procps)

ensure_packages() {
  local missing=()
  for p in "${FATHOM_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "==> installing: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# build DIR [cmake args…]: configure once, then build everything in DIR.
build() {
  local dir=$1
  shift
  cmake -S "$FATHOM_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=${FATHOM_BUILD_TYPE:-RelWithDebInfo} "$@" >/dev/null
  cmake --build "$dir" -j"$FATHOM_JOBS"
}

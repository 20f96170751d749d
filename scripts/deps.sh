#!/bin/bash
# deps.sh - install the Debian packages Jouda needs, and only those missing.
#   scripts/deps.sh run    build and run the server
#   scripts/deps.sh test   run + test tools (PostgreSQL, chromium, node/npm, clang, wrk, nginx,
#                          openssl...)
# Works without standard input, as root (CI) or through sudo. For `test` it
# also installs the npm test tooling (npm ci) when node_modules is missing or
# older than package-lock.json.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

mode=${1:-run}
cd "$(dirname "$0")/.."

run_pkgs=(build-essential pkg-config libmicrohttpd-dev libjansson-dev libsodium-dev libsqlite3-dev
          libpq-dev zlib1g-dev libzip-dev libxlsxwriter-dev libcairo2-dev libpango1.0-dev libmd4c-dev
          liboath-dev libqrencode-dev
          fonts-noto-core gettext tzdata ca-certificates)
test_pkgs=(libcmocka-dev clang libclang-rt-14-dev postgresql chromium python3 python3-openpyxl curl wrk nginx openssl
           sqlite3 poppler-utils)

case "$mode" in
run) wanted=("${run_pkgs[@]}") ;;
test) wanted=("${run_pkgs[@]}" "${test_pkgs[@]}") ;;
*)
    echo "usage: $0 run|test" >&2
    exit 2
    ;;
esac

# node >= 18 with npm already there (from Debian or elsewhere): keep it.
node_usable() {
    command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || return 1
    local major
    major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null) || return 1
    [ -n "$major" ] && [ "$major" -ge 18 ]
}
if [ "$mode" = test ] && ! node_usable; then
    wanted+=(nodejs npm)
fi

installed() {
    # "install ok installed" only; half-installed or removed packages count as missing
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

missing=()
for p in "${wanted[@]}"; do
    installed "$p" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
    echo "deps: installing ${missing[*]}"
    if [ "$(id -u)" -eq 0 ]; then
        SUDO=()
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO=(sudo -n)
    elif command -v sudo >/dev/null 2>&1 && [ -t 0 ]; then
        SUDO=(sudo) # asks for the password on this terminal
    else
        echo "deps: these Debian packages are missing: ${missing[*]}" >&2
        echo "deps: run as root, or give this user password-less sudo, or install them by hand:" >&2
        echo "      apt-get install ${missing[*]}" >&2
        exit 1
    fi
    "${SUDO[@]}" apt-get update </dev/null
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" </dev/null
    # Debian starts the freshly installed servers; the tests and the benchmark
    # start private instances of their own, so stop the system ones quietly.
    for svc in nginx postgresql; do
        if printf '%s\n' "${missing[@]}" | grep -qx "$svc"; then
            "${SUDO[@]}" service "$svc" stop >/dev/null 2>&1 || true
        fi
    done
else
    echo "deps: all Debian packages present"
fi

if [ "$mode" = test ]; then
    if ! node_usable; then
        echo "deps: node >= 18 with npm is required for the HTTP and browser tests" >&2
        exit 1
    fi
    # npm ci when node_modules is absent or older than the lock file.
    stamp=node_modules/.package-lock.json
    if [ ! -d node_modules ] || [ ! -f "$stamp" ] ||
        { [ -f package-lock.json ] && [ package-lock.json -nt "$stamp" ]; } ||
        [ package.json -nt "$stamp" ]; then
        echo "deps: installing the npm test tooling"
        if [ -f package-lock.json ]; then
            npm ci --no-audit --no-fund </dev/null
        else
            npm install --no-audit --no-fund </dev/null
        fi
    fi
fi

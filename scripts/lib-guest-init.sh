# shellcheck shell=bash
# Sourced first by the guest suites: strict mode, the paths ($here the
# scripts/ folder, $root the checkout, $T its tools/), then the TAP and
# guest helpers.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
T=$root/tools
# shellcheck source=lib-tap.sh
. "$here/lib-tap.sh"
# shellcheck source=lib-guest.sh
. "$here/lib-guest.sh"

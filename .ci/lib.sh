# Helpers sourced by .ci/run and by the files in .ci/setup.d and .ci/suites.d.
# Every install comes from the registries this machine reaches: Debian's packages, npm, PyPI, Maven Central.

# apt_install PKG...: installs Debian packages that are not there yet (apt-get update once per run).
CI_APT_UPDATED=${CI_APT_UPDATED:-0}
apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$CI_APT_UPDATED" = 0 ]; then
    apt-get update -qq
    CI_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# ci_venv NAME PKG...: a scratch Python virtual environment in .venvs/NAME with PKG installed from PyPI;
# prints nothing, sets CI_VENV to its path.
ci_venv() {
  local name=$1; shift
  CI_VENV="$PWD/.venvs/$name"
  [ -x "$CI_VENV/bin/python" ] || python3 -m venv "$CI_VENV"
  "$CI_VENV/bin/pip" install -q --disable-pip-version-check "$@"
}

# on_exit CMD: runs CMD when .ci/run ends (services stop even when a step fails), last registered first.
CI_CLEANUP=()
on_exit() { CI_CLEANUP=("$*" "${CI_CLEANUP[@]}"); }
ci_cleanup() {
  local c
  for c in "${CI_CLEANUP[@]}"; do eval "$c" || true; done
}

# section NAME: a visible heading in the CI log with the time so far.
CI_T0=${CI_T0:-$(date +%s)}
section() { printf '\n==== %s (%ds) ====\n' "$*" "$(( $(date +%s) - CI_T0 ))"; }

# The pinned axe-core (accessibility rules run by the browser tests), shared by scripts/deps.sh,
# which downloads it, and scripts/test.sh, which points the tests at it. Sourced, not run.
#
# AXE_VERSION and AXE_INTEGRITY are what the npm registry lists for the tarball
# (dist.integrity of https://registry.npmjs.org/axe-core/4.14.1); to upgrade, change both.
AXE_VERSION=4.14.1
AXE_INTEGRITY=sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==

# axe_path: where the downloaded axe.min.js is kept (a cache folder, never the repository).
axe_path() { printf '%s/contest-test/axe-core-%s/axe.min.js\n' "${XDG_CACHE_HOME:-$HOME/.cache}" "$AXE_VERSION"; }

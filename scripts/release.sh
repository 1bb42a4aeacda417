#!/usr/bin/env bash
# scripts/release.sh vX.Y.Z [--dry-run] [--no-test]
#
# Releases every published module of go.work at vX.Y.Z, in lockstep
# (docs/RELEASING.md): checks that the tree is clean, that CHANGELOG.md has
# a section for the version and (unless --no-test) that `make test` passes;
# rewrites the modules' requirements on each other to vX.Y.Z in one release
# commit; runs the release check against that commit (a consumer outside the
# workspace gets every module through a module proxy built from it); and
# creates the nested-module tags (core/vX.Y.Z, echosse/vX.Y.Z, ...) locally.
# It never pushes: it prints the push command. --dry-run only prints what it
# would do.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { echo "usage: scripts/release.sh vX.Y.Z [--dry-run] [--no-test]" >&2; exit 2; }
version="" dry=0 test=1
for a in "$@"; do
  case "$a" in
    --dry-run) dry=1 ;;
    --no-test) test=0 ;;
    v*) [ -z "$version" ] || usage; version="$a" ;;
    *) usage ;;
  esac
done
[ -n "$version" ] || usage

# release runs tools/release (not in go.work: GOWORK=off) on this repository.
release() { local cmd="$1"; shift; (cd tools/release && GOWORK=off go run . "$cmd" -C ../.. "$@"); }
step() { echo; echo "== $*"; }
fail() { echo "release: $*" >&2; exit 1; }
problem() { if [ "$dry" = 1 ]; then echo "!! $* (a real run stops here)"; else fail "$*"; fi; }

step "tags of $version"
tags=$(release tags "$version") || exit 1
echo "$tags"
for t in $tags; do
  if git rev-parse -q --verify "refs/tags/$t" >/dev/null; then problem "tag $t already exists"; fi
done

step "clean tree"
if [ -n "$(git status --porcelain)" ]; then
  git status --short
  problem "the working tree is not clean: commit or stash first"
else
  echo "clean at $(git rev-parse --short HEAD)"
fi

step "CHANGELOG.md"
if grep -q "^## \[${version#v}\]" CHANGELOG.md; then
  echo "has a section for ${version#v}"
else
  problem "CHANGELOG.md has no '## [${version#v}] - YYYY-MM-DD' section: move the Unreleased entries under it"
fi

step "make test"
if [ "$test" = 0 ]; then echo "skipped (--no-test)"
elif [ "$dry" = 1 ]; then echo "would run: make test"
else make test; fi

step "requirements on sibling modules, rewritten to $version"
if [ "$dry" = 1 ]; then
  release bump -dry-run "$version"
  echo "would commit the go.mod files above as \"release $version\" (when any changed)"
else
  release bump "$version"
  if git diff --quiet; then
    echo "nothing to rewrite: the tags go on HEAD"
  else
    git commit -q -am "release $version: modules require each other at $version"
    echo "committed $(git rev-parse --short HEAD)"
  fi
fi

step "release check from the release commit"
if [ "$dry" = 1 ]; then echo "would run: tools/release check -rev HEAD -version $version (after the commit)"
else release check -rev HEAD -version "$version"; fi

step "tags"
for t in $tags; do
  if [ "$dry" = 1 ]; then echo "would run: git tag -a $t -m \"$t\""
  else git tag -a "$t" -m "$t" && echo "tagged $t"; fi
done

branch=$(git rev-parse --abbrev-ref HEAD)
step "push (not done: a maintainer runs it)"
echo "git push origin $branch $(echo $tags)"

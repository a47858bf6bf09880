#!/usr/bin/env bash
# Step 1 of action.yml: download a released binary for this runner over HTTPS only, check it,
# and put it on PATH. A release tag this Action pins (scripts/action/checksums.txt) must match
# the pinned SHA-256, so a replaced archive and checksum file in the release cannot pass;
# "latest" (a moving target) and tags newer than this Action are checked against the
# release's own SHA-256 file, with a warning. Inputs (environment): SA_VERSION (a tag or
# "latest"), SA_REPOSITORY (owner/name of the action), SA_DOWNLOAD_BASE (optional: a mirror of
# the releases page, https://github.com/OWNER/NAME/releases by default), SA_PINNED_CHECKSUMS
# (optional: another pin file, for tests).
set -euo pipefail

case "${RUNNER_OS:-Linux}/${RUNNER_ARCH:-X64}" in
  Linux/X64) target=x86_64-unknown-linux-gnu; ext=tar.xz ;;
  Linux/ARM64) target=aarch64-unknown-linux-gnu; ext=tar.xz ;;
  macOS/X64) target=x86_64-apple-darwin; ext=tar.xz ;;
  macOS/ARM64) target=aarch64-apple-darwin; ext=tar.xz ;;
  Windows/X64) target=x86_64-pc-windows-msvc; ext=zip ;;
  *) echo "::error::sagemaker-audit has no release for ${RUNNER_OS}/${RUNNER_ARCH}"; exit 1 ;;
esac

version="${SA_VERSION:-latest}"
if ! [[ "$version" =~ ^(latest|v[0-9]+\.[0-9]+\.[0-9]+([-.][0-9A-Za-z.]+)?)$ ]]; then
  echo "::error::version must be latest or a release tag such as v0.2.0, not '${version}'"
  exit 1
fi
base="${SA_DOWNLOAD_BASE:-https://github.com/${SA_REPOSITORY:?the action repository is unknown}/releases}"
if [ "$version" = latest ]; then url="$base/latest/download"; else url="$base/download/$version"; fi
archive="sagemaker-audit-${target}.${ext}"

work="${RUNNER_TEMP:?RUNNER_TEMP is not set}/sagemaker-audit"
rm -rf "$work"
mkdir -p "$work/download" "$work/bin"
curl --fail --silent --show-error --location --retry 3 --proto '=https' --proto-redir '=https' \
  --output "$work/download/$archive" "$url/$archive"
curl --fail --silent --show-error --location --retry 3 --proto '=https' --proto-redir '=https' \
  --output "$work/download/$archive.sha256" "$url/$archive.sha256"

pins="${SA_PINNED_CHECKSUMS:-${GITHUB_ACTION_PATH:-.}/scripts/action/checksums.txt}"
pinned=""
if [ -f "$pins" ]; then
  pinned="$(awk -v v="$version" -v a="$archive" '$1 == v && $2 == a {print $3; exit}' "$pins" | tr 'A-F' 'a-f')"
fi
if [ -n "$pinned" ]; then
  expected="$pinned"
  source_of_sum="the checksum this Action pins for $version"
else
  expected="$(awk '{print $1; exit}' "$work/download/$archive.sha256" | tr 'A-F' 'a-f')"
  source_of_sum="the release's own checksum file"
  echo "::warning::$archive of ${version} is not pinned in this Action (latest is a moving target); it is checked only against the checksum file of the same release. Pin a version this Action knows for a stronger check."
fi
if command -v sha256sum >/dev/null; then
  actual="$(sha256sum "$work/download/$archive" | awk '{print $1}')"
else
  actual="$(shasum -a 256 "$work/download/$archive" | awk '{print $1}')"
fi
if ! [[ "$expected" =~ ^[0-9a-f]{64}$ ]] || [ "$actual" != "$expected" ]; then
  echo "::error::checksum mismatch for $archive: expected '${expected}' (${source_of_sum}), got '${actual}'; nothing was installed"
  exit 1
fi

case "$ext" in
  tar.xz) tar -xJf "$work/download/$archive" -C "$work/download" ;;
  zip) unzip -q "$work/download/$archive" -d "$work/download" ;;
esac
exe=sagemaker-audit
[ "$ext" = zip ] && exe=sagemaker-audit.exe
found="$(find "$work/download" -type f -name "$exe" | head -n 1)"
if [ -z "$found" ]; then
  echo "::error::$archive holds no $exe"
  exit 1
fi
install -m 0755 "$found" "$work/bin/$exe"
echo "$work/bin" >> "$GITHUB_PATH"
echo "installed $("$work/bin/$exe" --version) from $url/$archive (sha256 $actual)"

#!/usr/bin/env bash
# The house format (.swift-format: 4 spaces, 120 columns), applied in place to every Swift file we write.
# `scripts/format.sh --lint` only checks, strictly, as scripts/test.sh (and so CI) does.
# Generated files opt out with `// swift-format-ignore-file` (scripts/embed-migrations.sh writes it).
set -euo pipefail
cd "$(dirname "$0")/.."
paths=(Package.swift Sources Tests Benchmarks)
if [ "${1:-}" = "--lint" ]; then
  exec swift format lint --strict --recursive --parallel "${paths[@]}"
fi
exec swift format format --in-place --recursive --parallel "${paths[@]}"

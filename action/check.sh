#!/usr/bin/env bash
# Runs threatcode check three ways: annotations on standard output (GitHub reads them from the log), a Markdown
# summary for the run's page, and SARIF for code scanning. The exit code goes to the step's outputs, so that the SARIF
# upload still happens before the job fails.
set -uo pipefail

read -r -a cli <<< "${THREATCODE_CLI:-threatcode}"
read -r -a paths <<< "${INPUT_PATHS:-.}"
args=(check --fail-on "${INPUT_FAIL_ON:-error}")
while IFS= read -r gate; do
  gate="${gate#"${gate%%[![:space:]]*}"}"
  gate="${gate%"${gate##*[![:space:]]}"}"
  if [ -n "$gate" ]; then args+=(--gate "$gate"); fi
done <<< "${INPUT_GATES:-}"
if [ "${INPUT_WHOLE_MODEL:-false}" = "true" ]; then args+=(--whole-model); fi

sarif="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/threatcode.sarif"

# Options first, then `--`: whatever the paths are named, they are paths, never options.
"${cli[@]}" "${args[@]}" --format github -- "${paths[@]}"
code=$?
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  "${cli[@]}" "${args[@]}" --format markdown -- "${paths[@]}" >> "$GITHUB_STEP_SUMMARY" || true
fi
"${cli[@]}" "${args[@]}" --format sarif --output "$sarif" -- "${paths[@]}" || true

if [ -n "${GITHUB_OUTPUT:-}" ]; then
  {
    echo "exit-code=$code"
    if [ -s "$sarif" ]; then echo "sarif-file=$sarif"; fi
  } >> "$GITHUB_OUTPUT"
fi
exit 0

#!/usr/bin/env bash
# Reports at scale: `tunebench report` of one stored run of ROWS results (default 1,000,000:
# four variants x 250,000 cases, one repeat, a check outcome each, 5-20% failing per variant),
# first the HTML alone, then all three reports (HTML, CSV, JSON). Targets: the HTML in under
# 10 s with under 200 MB peak and a file under 20 MB (the case grid holds at most 5,000 cases).
# Peer, measured in the same run: the sqlite3 shell writing the same results joined to their
# cases as CSV (no statistics, no HTML: the floor of any report read from the store).
# Medians of REPEAT runs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ -n "${TUNEBENCH:-}" ] && TB="$TUNEBENCH" || build_bench
ROWS="${ROWS:-1000000}"
CASES=$((ROWS / 4))
DB="$WORK/report.db"
rm -f "$DB" "$DB-wal" "$DB-shm"
cd "$WORK"

# A real one-case run gives the schema and the run and variant records...
printf '%s\n' '{"id": "seed", "messages": [{"role": "user", "content": "Capital of France? JSON."}, {"role": "assistant", "content": "{\"answer\": \"Paris\"}"}]}' > report_cases.jsonl
cat > report_suite.yaml <<'YAML'
name: report-bench
dataset: report_cases.jsonl
expect: {format: json}
variants:
  - {id: prompted, endpoint: m, model: gpt-4o-mini}
  - {id: fine-tuned, endpoint: m, model: "ft:gpt-4o-mini-2024-07-18:acme::v1"}
  - {id: few-shot, endpoint: m, model: gpt-4o-mini}
  - {id: structured, endpoint: m, model: gpt-4o-mini}
endpoints: {m: {kind: mock}}
YAML
"$TB" run report_suite.yaml --db "$DB" --quiet --no-report >/dev/null
# ...then CASES cases and a result per variant and case, in bulk; which fail is deterministic.
sqlite3 "$DB" <<SQL
PRAGMA journal_mode=WAL;
DELETE FROM check_outcomes; DELETE FROM result_bodies; DELETE FROM results; DELETE FROM cases;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $CASES)
INSERT INTO cases(run_id, case_index, case_id, line, messages_json, reference)
  SELECT 1, i, printf('case-%07d', i), i + 1,
         '[{"role":"user","content":"What is term ' || i || '? Answer as JSON."}]',
         '{"term": "t' || i || '", "category": "network"}'
  FROM n;
INSERT INTO results(run_id, variant_id, case_index, repeat, status, error_class, output, finish_reason,
                    prompt_tokens, completion_tokens, cached_tokens, prompt_chars, latency_ms, attempts,
                    cost_usd, conformant, score, created_at, failure_kind)
  SELECT 1, v.id, c.case_index, 0, 'ok', 'none',
         '{"term": "t' || c.case_index || '", "category": "network"}', 'stop',
         CASE v.id WHEN 'fine-tuned' THEN 20 ELSE 790 END, 14, 0, 3000,
         120 + (c.case_index * 7919 + v.position * 104729) % 400, 1, 0.000154,
         (c.case_index * 7919 + v.position * 31) % 100 >= 5 + 5 * v.position, 1,
         '2026-11-29T00:00:00Z', 'none'
  FROM cases c, variants v WHERE c.run_id = 1 AND v.run_id = 1;
UPDATE results SET score = conformant, failure_kind = CASE WHEN conformant THEN 'none' ELSE 'fenced' END,
                   output = CASE WHEN conformant THEN output ELSE '\`\`\`json' || char(10) || output || char(10) || '\`\`\`' END;
INSERT INTO check_outcomes(result_id, position, name, type, passed, required, weight, score, detail)
  SELECT id, 0, 'is-json', 'is-json', conformant, 1, 1, conformant,
         CASE WHEN conformant THEN '' ELSE 'not JSON: a fenced block' END FROM results;
UPDATE runs SET total_jobs = $ROWS, cases = $CASES;
SQL
echo "report: one run of $(sqlite3 "$DB" 'select count(*) from results') results ($CASES cases x 4 variants)"

peer_sql="SELECT r.variant_id, c.case_id, r.status, r.conformant, r.failure_kind, r.prompt_tokens,
                 r.completion_tokens, r.latency_ms, r.cost_usd, r.output
          FROM results r JOIN cases c ON c.run_id = r.run_id AND c.case_index = r.case_index
          WHERE r.run_id = 1 ORDER BY r.variant_id, r.case_index;"
html=(); html_mb=(); all=(); all_mb=(); peer=()
for i in $(seq "$REPEAT"); do
  rm -rf "$WORK/report-out"
  /usr/bin/time -f "%e %M" -o "$WORK/report.time" "$TB" report 1 --db "$DB" --format html --out "$WORK/report-out" >/dev/null
  read -r seconds kb < "$WORK/report.time"
  html+=("$seconds"); html_mb+=("$(awk -v k="$kb" 'BEGIN {printf "%.0f", k / 1024}')")
  /usr/bin/time -f "%e %M" -o "$WORK/report.time" "$TB" report 1 --db "$DB" --format all --out "$WORK/report-out" >/dev/null
  read -r seconds kb < "$WORK/report.time"
  all+=("$seconds"); all_mb+=("$(awk -v k="$kb" 'BEGIN {printf "%.0f", k / 1024}')")
  /usr/bin/time -f "%e %M" -o "$WORK/peer.time" sqlite3 -csv "$DB" "$peer_sql" > "$WORK/peer.csv"
  read -r seconds kb < "$WORK/peer.time"
  peer+=("$seconds")
done
size_mb() { awk -v b="$(stat -c %s "$1")" 'BEGIN {printf "%.1f", b / 1048576}'; }
t=$(median "${html[@]}"); m=$(median "${html_mb[@]}"); p=$(median "${peer[@]}")
ta=$(median "${all[@]}"); ma=$(median "${all_mb[@]}")
echo "report html (median of $REPEAT): ${t} s, ${m} MB peak, file $(size_mb "$WORK/report-out/run-1.html") MB (targets: < 10 s, < 200 MB, < 20 MB);" \
     "sqlite3 CSV export: ${p} s; ratio $(awk -v a="$t" -v b="$p" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')x"
echo "report html+csv+json (median of $REPEAT): ${ta} s, ${ma} MB peak; csv $(size_mb "$WORK/report-out/run-1.csv") MB," \
     "json $(size_mb "$WORK/report-out/run-1.json") MB; runs: html ${html[*]} s / ${html_mb[*]} MB, all ${all[*]} s / ${all_mb[*]} MB, peer ${peer[*]} s"

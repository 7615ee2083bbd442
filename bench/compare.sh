#!/usr/bin/env bash
# Regression testing at scale: `tunebench compare` of two stored runs of ROWS results each
# (default 1,000,000: one variant, one repeat, a million cases), the pairing by case id, the
# paired test, the intervals and the regressed cases. Target: under 10 s and 200 MB peak.
# Peer, measured in the same run: the sqlite3 shell pairing the same two runs by case id in one
# SQL join, in the join order a human would write (CROSS JOIN: SQLite's planner, without
# ANALYZE statistics, otherwise pairs every result with every other: hours at a million)
# (counts of regressed / fixed / still failing only: the floor of any store-backed compare). Medians of REPEAT runs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ -n "${TUNEBENCH:-}" ] && TB="$TUNEBENCH" || build_bench
ROWS="${ROWS:-1000000}"
DB="$WORK/compare.db"
rm -f "$DB" "$DB-wal" "$DB-shm"
cd "$WORK"

# Two real runs of a one-case suite give the schema and the run records...
printf '%s\n' '{"id": "seed", "messages": [{"role": "user", "content": "2 + 2?"}, {"role": "assistant", "content": "4"}]}' > compare_cases.jsonl
cat > compare_suite.yaml <<'YAML'
name: compare-bench
dataset: compare_cases.jsonl
expect: {format: text, checks: [{type: equals}]}
variants: [{id: fine-tuned, endpoint: m, model: "ft:gpt-4o-mini-2024-07-18:acme::v1"}]
endpoints: {m: {kind: mock}}
YAML
"$TB" run compare_suite.yaml --db "$DB" --quiet --no-report >/dev/null
"$TB" run compare_suite.yaml --db "$DB" --quiet --no-report --no-cache >/dev/null
# ...then each gets ROWS cases and results in bulk: 95% conformant in run 1, and run 2 loses 2%
# of cases and fixes 1% (deterministic by case), one check outcome per result.
sqlite3 "$DB" <<SQL
PRAGMA journal_mode=WAL;
DELETE FROM check_outcomes; DELETE FROM result_bodies; DELETE FROM results; DELETE FROM cases;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $ROWS)
INSERT INTO cases(run_id, case_index, case_id, line, messages_json, reference)
  SELECT r.id, i, printf('case-%07d', i), i + 1, '[{"role":"user","content":"q' || i || '"}]', 'a' || i
  FROM n, (SELECT id FROM runs) r;
INSERT INTO results(run_id, variant_id, case_index, repeat, status, error_class, output, finish_reason,
                    prompt_tokens, completion_tokens, cached_tokens, prompt_chars, latency_ms, attempts,
                    cost_usd, conformant, score, created_at, failure_kind)
  SELECT c.run_id, 'fine-tuned', c.case_index, 0, 'ok', 'none', 'a' || c.case_index, 'stop', 40, 8, 0, 160,
         30 + (c.case_index * 7919) % 50, 1, 0.0000156,
         CASE WHEN c.run_id = 1 THEN (c.case_index * 7919) % 100 < 95
              ELSE ((c.case_index * 7919) % 100 < 95 AND (c.case_index / 100 * 31) % 100 >= 2)
                   OR (c.case_index / 100 * 31) % 100 = 50 END,
         1, '2026-11-29T00:00:00Z', 'none'
  FROM cases c;
UPDATE results SET score = conformant;
INSERT INTO check_outcomes(result_id, position, name, type, passed, required, weight, score, detail)
  SELECT id, 0, 'equals', 'equals', conformant, 1, 1, conformant,
         CASE WHEN conformant THEN '' ELSE 'differs from the reference answer' END FROM results;
UPDATE runs SET total_jobs = $ROWS, cases = $ROWS;
SQL
echo "compare: two runs of $(sqlite3 "$DB" 'select count(*) from results where run_id = 1') results each"

peer_sql="SELECT sum(a.conformant AND NOT b.conformant), sum(b.conformant AND NOT a.conformant),
                 sum(NOT a.conformant AND NOT b.conformant)
          FROM results a CROSS JOIN cases ca ON ca.run_id = 1 AND ca.case_index = a.case_index
               CROSS JOIN cases cb ON cb.run_id = 2 AND cb.case_id = ca.case_id
               CROSS JOIN results b ON b.run_id = 2 AND b.case_index = cb.case_index AND b.variant_id = a.variant_id
          WHERE a.run_id = 1;"
ours=(); ours_mb=(); peer=()
for i in $(seq "$REPEAT"); do
  /usr/bin/time -f "%e %M" -o "$WORK/compare.time" "$TB" compare 1 2 --db "$DB" > "$WORK/compare.out"
  read -r seconds kb < "$WORK/compare.time"
  ours+=("$seconds"); ours_mb+=("$(awk -v k="$kb" 'BEGIN {printf "%.0f", k / 1024}')")
  /usr/bin/time -f "%e %M" -o "$WORK/peer.time" sqlite3 "$DB" "$peer_sql" > "$WORK/peer.out"
  read -r seconds kb < "$WORK/peer.time"
  peer+=("$seconds")
done
grep -m1 "regressed / fixed" "$WORK/compare.out"
echo "peer (sqlite3 join): regressed|fixed|still failing = $(cat "$WORK/peer.out")"
t=$(median "${ours[@]}"); m=$(median "${ours_mb[@]}"); p=$(median "${peer[@]}")
echo "compare (median of $REPEAT): ${t} s, ${m} MB peak (targets: < 10 s, < 200 MB); sqlite3 join: ${p} s;" \
     "ratio $(awk -v a="$t" -v b="$p" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')x; runs: ${ours[*]} s / ${ours_mb[*]} MB / peer ${peer[*]} s"

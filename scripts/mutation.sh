#!/usr/bin/env bash
# Mutation testing (mutmut) of the modules that decide, one module at a time; not part of CI (too slow).
# Usage: scripts/mutation.sh [conditions|targets|calendar|wheel|workflow|engine|permissions|chain|all ...]   (default: all)
#        MUTATION_CHILDREN=2 scripts/mutation.sh targets   (default 1 worker: the machine is shared)
#        MUTATION_ONLY='*ǁ_escalate__* *ǁ_on_year__*' scripts/mutation.sh engine   (only these functions'
#        mutants, as mutmut names them: fnmatch patterns; for a module too slow to mutate at once)
# Each module runs in its own scratch folder .mutation/<module>/ (ignored by git), against only the test
# files that exercise it; mutmut then runs each mutant against only the tests that reach the mutated
# function. Hypothesis properties with hundreds of examples are deselected (seconds per mutant): the
# example tests must kill mutants on their own, so the score is a lower bound for the whole suite.
# Resumable: MUTATION_RESUME=1 scripts/mutation.sh engine keeps .mutation/<module>/ and lets mutmut continue
# where an earlier run stopped (stop one with Ctrl-C, or in the background kill its process group: every
# verdict is saved as it comes; the mutant under test when stopped stays unchecked). Checked mutants keep their verdict, tests
# added to the selected files since are picked up for the mutants still to check. It refuses when the
# module's source changed since the run began (its sha256 is kept in .mutation/<module>/source.sha256) or
# the test selection / pyproject.toml did (mutmut would drop every verdict): start afresh without
# MUTATION_RESUME. With MUTATION_ONLY, the named mutants are re-checked even when they have a verdict.
# Results: .mutation/<module>/survivors.txt and a summary line per module on stdout ("partial" while some
# mutants are unchecked).
# Inspect a survivor: cd .mutation/<module> && ../../.venv/bin/mutmut show <name>
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
MUTMUT_VERSION=3.8.1
CHILDREN=${MUTATION_CHILDREN:-1}

declare -A SOURCE=(
    [conditions]=govcore/rules/conditions.py
    [targets]=govcore/targets.py
    [calendar]=govcore/calendar.py
    [wheel]=govcore/wheel.py
    [workflow]=govcore/workflow.py
    [engine]=govcore/engine.py
    [permissions]=govcore/access/permissions.py
    [chain]=govcore/store/chain.py
)
# The wheel is exercised by more files than its own: the provenance tests and the joint-role tests are
# fast and in; the CLI's wheel command tests are out (they load the whole Vejle configuration: 5–12 s
# each, 85 % of the selection's time) — tests/test_wheel.py pins what they reach (check_deliverables, the
# renderers) on small wheels.
# The targets are exercised by their own tests and by the criteria and result tests (compound targets,
# combine, criteria on their own KPI, results made without validation, the reuse of a goal's result, the
# lazy words and staleness of tests/test_lazy_results.py but its examples run and its property); the
# whole-engine runs are out (the two of tests/test_goal_reuse.py and the examples check of
# tests/test_target_results.py: 2 s each; the reuse has small tests of its own there), and so is
# the 200-example Hypothesis property of tests/test_targets.py; test_criteria.py's combine property is in
# (0.1 s: it is what pins combine).
# The permission check is exercised by the matrix of tests/test_access.py (roles × operations × own / other
# municipality, keys × scopes) and by tests/test_permissions_mutants.py; the server's and the web's
# tests reach it through HTTP (seconds a test) and are out.
# The chain is exercised by the texts and the row check on their own (tests/test_store_chain_texts.py,
# tests/test_chain_rows_verify.py: a quarter of Vejle 2021 simulated once per mutant, no database) and
# by tests/test_chain_mutants.py (hand-made logs); the tamper tests of a stored run
# (tests/test_audit_tamper.py, tests/test_audit_rechained.py) are out: each stores a run of nine
# months afresh (seconds a test), and their PostgreSQL half needs GOVCORE_TEST_PG_URL. The row check's
# 150-example property is out too (it re-checks a Vejle log per example).
# The workflow is exercised by its own small-engine tests (tests/test_workflow.py: one configuration
# loaded per module, milliseconds a test) and by the quick engine tests of escalation, deliverables,
# responses, decisions and joint roles; out are the engine's property, memory and growth tests and the
# joint test that stores a run in a database.
declare -A TESTS=(
    [conditions]="tests/test_conditions.py tests/test_rule_errors.py"
    [targets]="tests/test_targets.py tests/test_criteria.py tests/test_target_results.py tests/test_goal_reuse.py
               tests/test_lazy_results.py
               --deselect tests/test_lazy_results.py::test_every_result_of_the_examples_read_late_is_the_one_read_at_once
               --deselect tests/test_lazy_results.py::test_a_result_read_after_the_store_grew_is_the_one_read_at_once
               --deselect tests/test_lazy_results.py::test_the_engine_reads_the_words_of_few_results
               --deselect tests/test_targets.py::test_evaluation_properties
               --deselect tests/test_targets.py::test_every_decision_can_be_recomputed_from_its_inputs
               --deselect tests/test_target_results.py::test_every_result_of_the_examples_is_what_validation_makes
               --deselect tests/test_goal_reuse.py::test_a_reused_goal_result_is_the_fresh_one
               --deselect tests/test_goal_reuse.py::test_remembered_matches_are_durable_rules_own"
    [calendar]="tests/test_calendar.py"
    [wheel]="tests/test_wheel.py tests/test_wheel_provenance.py
             tests/test_joint.py::test_joint_roles_in_the_wheel_are_checked_and_shown
             tests/test_joint.py::test_joint_responsibility_is_written_as_a_list_once
             --deselect tests/test_wheel.py::test_occurrences_per_year
             --deselect tests/test_wheel.py::test_no_event_outside_the_year_and_rolled_deadlines_are_working_days
             --deselect tests/test_wheel.py::test_rendering_is_deterministic"
    [workflow]="tests/test_workflow.py tests/test_engine_workflow.py tests/test_joint.py tests/test_engine.py
                tests/test_ignored_reasons.py
                --deselect tests/test_engine.py::test_property_deterministic_and_inside_the_year
                --deselect tests/test_engine.py::test_creating_and_closing_300_engines_leaves_no_threads_or_memory
                --deselect tests/test_engine.py::test_compiled_rules_do_not_grow_with_the_number_of_goals
                --deselect tests/test_joint.py::test_the_stored_action_table_says_who_holds_an_action_jointly
                --deselect tests/test_ignored_reasons.py::test_the_explanation_pages_give_the_reason_in_the_readers_language"
    [engine]="tests/test_engine.py tests/test_engine_workflow.py tests/test_joint.py tests/test_engine_mutants.py
              tests/test_event_line.py tests/test_observation_value_round.py tests/test_observation_event_dicts.py
              tests/test_continuous.py::test_a_version_that_changes_goals_wheel_and_rules_takes_over_on_its_date
              --deselect tests/test_engine.py::test_property_deterministic_and_inside_the_year
              --deselect tests/test_engine.py::test_creating_and_closing_300_engines_leaves_no_threads_or_memory
              --deselect tests/test_engine.py::test_compiled_rules_do_not_grow_with_the_number_of_goals"
    [permissions]="tests/test_access.py tests/test_permissions_mutants.py"
    [chain]="tests/test_store_chain_texts.py tests/test_chain_rows_verify.py tests/test_chain_mutants.py
             --deselect tests/test_chain_rows_verify.py::test_any_change_is_reported_as_the_parsing_check_reports_it"
)
ORDER=(conditions targets calendar wheel workflow engine permissions chain)

modules=("$@")
[ ${#modules[@]} -eq 0 ] || [ "${modules[0]}" = all ] && modules=("${ORDER[@]}")
for m in "${modules[@]}"; do
    [ -n "${SOURCE[$m]:-}" ] || { echo "unknown module '$m'; choose from: ${ORDER[*]} all" >&2; exit 2; }
done

[ -x .venv/bin/python ] || scripts/setup.sh --test
if [ "$(.venv/bin/python -c 'import importlib.metadata as m; print(m.version("mutmut"))' 2>/dev/null)" != "$MUTMUT_VERSION" ]; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check "mutmut==$MUTMUT_VERSION"
fi

toml_list() { local out="" x; for x in "$@"; do out+="\"$x\", "; done; echo "[${out%, }]"; }

for m in "${modules[@]}"; do
    work=".mutation/$m"
    sha=$(sha256sum "${SOURCE[$m]}" | cut -d' ' -f1)
    if [ "${MUTATION_RESUME:-0}" = 1 ] && [ -d "$work/mutants" ]; then
        was=$(cat "$work/source.sha256" 2>/dev/null || echo none)
        if [ "$was" != "$sha" ]; then
            echo "cannot resume $m: ${SOURCE[$m]} changed since the run in $work began" \
                 "(sha256 $was, now $sha); run again without MUTATION_RESUME to start afresh" >&2
            exit 3
        fi
        resume=1
    else
        rm -rf "$work" && mkdir -p "$work"
        for d in govcore tests rules examples docs; do ln -s "$ROOT/$d" "$work/$d"; done
        echo "$sha" > "$work/source.sha256"
        resume=0
    fi
    # shellcheck disable=SC2086
    { cat pyproject.toml; cat <<TOML

[tool.mutmut]
source_paths = ["govcore"]
only_mutate = ["${SOURCE[$m]}"]
also_copy = ["rules", "examples", "docs"]
pytest_add_cli_args = ["-p", "no:cacheprovider", "-q"]
pytest_add_cli_args_test_selection = $(toml_list ${TESTS[$m]})
use_git_change_detection = false
# Fork every mutant from a clean server, not from the process that ran the clean tests: calendars
# and wheels cache what they computed, and a cache filled by the unmutated code hides the mutant.
process_isolation = "forkserver"
TOML
    } > "$work/pyproject.toml.new"
    if [ "$resume" = 1 ] && ! cmp -s "$work/pyproject.toml.new" "$work/pyproject.toml"; then
        rm "$work/pyproject.toml.new"
        echo "cannot resume $m: its test selection or pyproject.toml changed since the run in $work began" \
             "(mutmut would drop every verdict); run again without MUTATION_RESUME to start afresh" >&2
        exit 3
    fi
    mv "$work/pyproject.toml.new" "$work/pyproject.toml"
    meta="$work/mutants/${SOURCE[$m]}.meta"
    if [ "$resume" = 1 ] && [ -f "$work/sitting.start" ] && [ -f "$meta" ]; then
        # the last sitting was stopped before its summary: it lasted until its last saved verdict
        echo $(( $(stat -c %Y "$meta") - $(cat "$work/sitting.start") )) >> "$work/sittings"
    fi
    [ "$resume" = 1 ] && echo "== $m: resuming the run in $work after $(cat "$work/sittings" 2>/dev/null | wc -l) sitting(s)"
    echo "== $m: ${SOURCE[$m]} against ${TESTS[$m]}"
    [ "$resume" = 1 ] && [ -f "$work/run.log" ] && cat "$work/run.log" >> "$work/run.log.earlier"
    start=$(date +%s)
    echo "$start" > "$work/sitting.start"
    # shellcheck disable=SC2086
    (cd "$work" && set -f && "$ROOT/.venv/bin/mutmut" run --max-children "$CHILDREN" ${MUTATION_ONLY:-} > run.log 2>&1) || {
        echo "mutmut failed for $m; see $work/run.log" >&2; tail -20 "$work/run.log" >&2; exit 1; }
    seconds=$(( $(date +%s) - start ))
    echo "$seconds" >> "$work/sittings" && rm "$work/sitting.start"
    [ "$(wc -l < "$work/sittings")" -gt 1 ] && seconds="$(paste -sd+ "$work/sittings") = $(( $(paste -sd+ "$work/sittings") ))"
    (cd "$work" && "$ROOT/.venv/bin/mutmut" results | grep -v ': not checked$' > survivors.txt || true)
    (cd "$work" && "$ROOT/.venv/bin/mutmut" export-cicd-stats > /dev/null)
    "$ROOT/.venv/bin/python" - "$work/mutants/mutmut-cicd-stats.json" "$m" "$seconds" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
# with MUTATION_ONLY the other mutants stay unchecked: the score is over the checked ones
checked = sum(s.get(k, 0) for k in ("killed", "timeout", "survived", "no_tests", "suspicious", "segfault"))
score = 100 * (s["killed"] + s["timeout"]) / checked if checked else 0.0
partial = f" (partial: {s['total'] - checked} not checked)" if checked < s["total"] else ""
print(f"{sys.argv[2]}: {checked} of {s['total']} mutants checked, {s['killed']} killed, {s['timeout']} timeout, "
      f"{s['survived']} survived, {s['no_tests']} without tests, score {score:.1f} % in {sys.argv[3]} s{partial}")
PY
done

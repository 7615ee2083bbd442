#pragma once
#include <CLI/CLI.hpp>

namespace tb {

// Each subcommand registers its options and sets `exit_code` when it runs.
void add_run_command(CLI::App& app, int& exit_code);
void add_report_command(CLI::App& app, int& exit_code);
void add_runs_command(CLI::App& app, int& exit_code);
void add_mock_command(CLI::App& app, int& exit_code);
void add_tokens_command(CLI::App& app, int& exit_code);
void add_prompts_command(CLI::App& app, int& exit_code);
void add_dataset_command(CLI::App& app, int& exit_code);
void add_schema_command(CLI::App& app, int& exit_code);
void add_compare_command(CLI::App& app, int& exit_code);
void add_gate_command(CLI::App& app, int& exit_code);
void add_trend_command(CLI::App& app, int& exit_code);
void add_index_command(CLI::App& app, int& exit_code);
void add_models_command(CLI::App& app, int& exit_code);
void add_merge_command(CLI::App& app, int& exit_code);
void add_doctor_command(CLI::App& app, int& exit_code);
void add_ablate_command(CLI::App& app, int& exit_code);

}  // namespace tb

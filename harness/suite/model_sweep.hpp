#pragma once
// Checkpoint and model sweeps. A variant with `models: [a, b, c]` or `checkpoints: FILE` runs
// once per model, as variants named `<variant>@<label>`: the label is `step-N` when the model's
// training step is known (from the checkpoints file or its id), else the model id as written.
// The label depends on that one model alone, so adding a checkpoint never renames another.
//
// A checkpoints file lists one model a line, with its training step and, if known, its
// training loss. JSONL (`.jsonl`): {"model": "...", "step": 300, "loss": 0.41}, or a checkpoint
// object as OpenAI's API lists them ({"fine_tuned_model_checkpoint", "step_number",
// "metrics": {"train_loss"}}). CSV (`.csv`): a header naming the columns model, step and loss
// (model required), then one row a model; an empty cell is unknown. In both, blank lines and
// lines starting with # are skipped.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/diagnostic.hpp"

namespace tb {

// One model of a sweep, as its list or checkpoints file gives it.
struct SweepModel {
  std::string model;
  std::optional<long long> step;  // given, or read from the id
  std::optional<double> loss;     // training loss at that step
  int line = 0;                   // in the checkpoints file; 0 for a models: list
};

// The training step a model id names: the number after the last "ckpt-step-" (OpenAI's
// checkpoint ids, ft:BASE:ORG:NAME:ckpt-step-N), "checkpoint-" (Hugging Face's checkpoint
// folders, which vLLM and llama.cpp serve adapters from) or "step-" / "step_", when nothing but
// the end of the id or a character other than a letter or digit follows it.
std::optional<long long> checkpoint_step_of(std::string_view model);

// What follows '@' in an expanded variant's id: "step-N" when the step is known, else the model.
std::string sweep_label(const SweepModel& m);

// Reads a checkpoints file (format above). Every problem is reported as file:line; nothing is
// returned when there is one, or when the file lists no model.
std::optional<std::vector<SweepModel>> read_checkpoints_file(const std::filesystem::path& file,
                                                             const std::string& display,
                                                             Diagnostics& errors);

}  // namespace tb

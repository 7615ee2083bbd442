#pragma once
// The JSON Schema evaluator on a JsonTape: a verdict (valid or not) without building a json
// tree, for programs that keep to the keywords it implements. Internal to the JSON Schema
// engine (score/schema/).
#include "common/json_tape.hpp"
#include "score/schema/program.hpp"

namespace tb::schema_detail {

// Whether every node of a program uses only keywords that the JsonTape evaluator implements;
// the compiler stores the answer in Program::tape_supported.
bool supports_tape(const Program& program);

// Validates a JsonTape without building a json tree. Only for programs with tape_supported
// and tapes without duplicate keys: the verdict is then the json evaluator's.
bool tape_is_valid(const Program& program, const JsonTape& instance);

}  // namespace tb::schema_detail

#pragma once
// How a case is named across runs when its dataset line gives no id. Shared by the dataset
// reader (new runs) and the store (migrating runs stored before cases had this identity).
#include <string>
#include <string_view>

namespace tb {

// "h" and the first 16 hex digits of the SHA-256 of the case's input messages serialised as
// JSON (nlohmann's dump(): what the store keeps in cases.messages_json).
std::string case_id_of_messages(std::string_view messages_json);

}  // namespace tb

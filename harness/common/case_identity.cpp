#include "common/case_identity.hpp"

#include "common/hash.hpp"

namespace tb {

std::string case_id_of_messages(std::string_view messages_json) {
  // 64 bits: a million cases collide with a probability of about 3e-8.
  return "h" + sha256_hex(messages_json).substr(0, 16);
}

}  // namespace tb

#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace tb {

// Fast, stable across runs and machines: used for deterministic simulation and in-memory keys.
std::uint64_t fnv1a64(std::string_view data, std::uint64_t seed = 0xcbf29ce484222325ULL);

// Mixes two 64-bit values (splitmix64 finaliser) for seeding per-request random streams.
std::uint64_t mix64(std::uint64_t a, std::uint64_t b);

// Lowercase hex SHA-256: cache keys and rank-file checks, where collisions must not happen.
std::string sha256_hex(std::string_view data);

// SHA-256 over data given in pieces (a dataset's fingerprint over its cases, streamed).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::string_view data);
  std::string hex_digest();  // lowercase hex; ends the computation

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

}  // namespace tb

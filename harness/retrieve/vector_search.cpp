#include "retrieve/vector_search.hpp"

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace tb {

bool normalize(std::span<float> vector) {
  double sum = 0;
  for (const float x : vector) {
    if (!std::isfinite(x)) return false;
    sum += static_cast<double>(x) * static_cast<double>(x);
  }
  if (sum == 0) return true;
  const auto scale = static_cast<float>(1.0 / std::sqrt(sum));
  for (float& x : vector) x *= scale;
  return true;
}

VectorSearch::VectorSearch(std::size_t dimensions) : dimensions_(dimensions) {}

bool VectorSearch::add(std::int64_t item, std::span<const float> vector) {
  if (vector.size() != dimensions_ || dimensions_ == 0) return false;
  std::vector<float> row(vector.begin(), vector.end());
  if (!normalize(row)) return false;
  rows_.insert(rows_.end(), row.begin(), row.end());
  items_.push_back(item);
  return true;
}

std::vector<RankedItem> VectorSearch::search(std::span<const float> query, std::size_t k) const {
  if (query.size() != dimensions_ || items_.empty() || k == 0) return {};
  std::vector<float> q(query.begin(), query.end());
  if (!normalize(q)) return {};
  using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const Eigen::Map<const RowMajor> matrix(rows_.data(), static_cast<Eigen::Index>(items_.size()),
                                          static_cast<Eigen::Index>(dimensions_));
  const Eigen::Map<const Eigen::VectorXf> qv(q.data(), static_cast<Eigen::Index>(dimensions_));
  const Eigen::VectorXf scores = matrix * qv;

  std::vector<std::size_t> order(items_.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  const std::size_t top = std::min(k, order.size());
  const auto better = [&](std::size_t a, std::size_t b) {
    const auto ia = static_cast<Eigen::Index>(a), ib = static_cast<Eigen::Index>(b);
    if (scores[ia] != scores[ib]) return scores[ia] > scores[ib];
    return items_[a] < items_[b];
  };
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(top), order.end(),
                    better);
  std::vector<RankedItem> out;
  out.reserve(top);
  for (std::size_t i = 0; i < top; ++i)
    out.push_back(
        {items_[order[i]], static_cast<double>(scores[static_cast<Eigen::Index>(order[i])])});
  return out;
}

}  // namespace tb

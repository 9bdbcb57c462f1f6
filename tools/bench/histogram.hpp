#pragma once
// A latency histogram in the manner of HdrHistogram: log-bucketed with 128
// linear sub-buckets per power of two, so every recorded value is kept to
// within 1/128 (< 0.8 %) from 1 ns to about 18 minutes in 36 KiB, recording
// is a few instructions with no allocation, and histograms of several threads
// merge by adding counts. Percentiles are read from the buckets, never
// estimated from a mean.
#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>

namespace procshare::bench {

class Histogram {
 public:
  void record(std::uint64_t ns) { record_n(ns, 1); }
  void record_n(std::uint64_t ns, std::uint64_t n) {
    ns = std::min(ns, kMax);
    counts_[index(ns)] += n;
    total_ += n;
    sum_ += ns * n;
    max_ = std::max(max_, ns);
    min_ = std::min(min_, ns);
  }

  void merge(const Histogram& o) {
    for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += o.counts_[i];
    total_ += o.total_;
    sum_ += o.sum_;
    max_ = std::max(max_, o.max_);
    min_ = std::min(min_, o.min_);
  }

  std::uint64_t count() const { return total_; }
  std::uint64_t max() const { return total_ ? max_ : 0; }
  std::uint64_t min() const { return total_ ? min_ : 0; }
  double mean() const { return total_ ? static_cast<double>(sum_) / total_ : 0; }

  // The value at quantile q (0..1): the middle of the bucket holding it.
  std::uint64_t percentile(double q) const {
    if (total_ == 0) return 0;
    auto target = static_cast<std::uint64_t>(q * static_cast<double>(total_));
    if (target >= total_) target = total_ - 1;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
      seen += counts_[i];
      if (seen > target) return std::min(bucket_middle(i), max_);
    }
    return max_;
  }

 private:
  static constexpr int kSubBits = 7;                        // 2^7 = 128 linear buckets per octave
  static constexpr std::uint64_t kLinear = 2u << kSubBits;  // values below it are exact
  static constexpr std::uint64_t kMax = (1ull << 40) - 1;   // ~18 minutes in ns

  static std::size_t index(std::uint64_t v) {
    if (v < kLinear) return static_cast<std::size_t>(v);
    const int top = 63 - std::countl_zero(v);  // >= kSubBits + 1
    const int shift = top - kSubBits;          // keeps v >> shift in [128, 256)
    return static_cast<std::size_t>(shift) * (kLinear / 2) + static_cast<std::size_t>(v >> shift);
  }
  static std::uint64_t bucket_middle(std::size_t i) {
    if (i < kLinear) return i;
    const std::size_t shift = i / (kLinear / 2) - 1;
    const std::uint64_t low = (i - shift * (kLinear / 2)) << shift;
    return low + ((1ull << shift) >> 1);
  }
  static constexpr std::size_t kBuckets = (40 - kSubBits) * (kLinear / 2) + kLinear;

  std::array<std::uint64_t, kBuckets> counts_{};
  std::uint64_t total_ = 0;
  std::uint64_t sum_ = 0;
  std::uint64_t max_ = 0;
  std::uint64_t min_ = ~0ull;
};

}  // namespace procshare::bench

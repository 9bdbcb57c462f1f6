#pragma once
// A size-class allocator for the many small records of dicts, sets and
// namespaces. glibc's malloc spends at least 32 bytes on any block (a 16-byte
// record included); here a block costs its size rounded up to 8. Blocks come
// from 64 KiB slabs that are kept for reuse and never returned, the usual
// trade of a small-object pool. Each thread has its own pools (the server
// touches objects from its one event-loop thread only).
//
// Under AddressSanitizer it forwards to malloc/free so that ASan still sees
// every block's bounds and lifetime.
#include <cstddef>

namespace procshare::server::small_blocks {

// Blocks larger than this go to malloc.
inline constexpr std::size_t kMaxBlock = 128;

void* allocate(std::size_t bytes);
// `bytes` must be the size given to allocate().
void deallocate(void* block, std::size_t bytes) noexcept;

}  // namespace procshare::server::small_blocks

#include "small_blocks.hpp"

#include <cstdlib>
#include <new>

#include "procshare/server/memory.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define PROCSHARE_SMALL_BLOCKS_USE_MALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PROCSHARE_SMALL_BLOCKS_USE_MALLOC 1
#endif
#endif

namespace procshare::server::small_blocks {

#ifndef PROCSHARE_SMALL_BLOCKS_USE_MALLOC
namespace {

constexpr std::size_t kGrain = 8;
constexpr std::size_t kClasses = kMaxBlock / kGrain;
constexpr std::size_t kSlabBytes = 64 * 1024;

std::size_t class_of(std::size_t bytes) {
  return (bytes + kGrain - 1) / kGrain - 1;
}

struct FreeBlock {
  FreeBlock* next;
};

// Slabs are deliberately never freed: blocks may outlive the thread's pools
// at exit, and a freed block is reused through its class's list.
struct Pools {
  FreeBlock* free[kClasses] = {};
  char* bump = nullptr;
  std::size_t left = 0;
};

thread_local Pools pools;

}  // namespace
#endif

void* allocate(std::size_t bytes) {
#ifdef PROCSHARE_SMALL_BLOCKS_USE_MALLOC
  void* p = memory::counted_malloc(bytes ? bytes : 1);
  if (!p) throw std::bad_alloc();
  return p;
#else
  if (bytes == 0) bytes = 1;
  if (bytes > kMaxBlock) {
    void* p = memory::counted_malloc(bytes);
    if (!p) throw std::bad_alloc();
    return p;
  }
  std::size_t c = class_of(bytes);
  if (FreeBlock* b = pools.free[c]) {
    pools.free[c] = b->next;
    return b;
  }
  std::size_t size = (c + 1) * kGrain;
  if (pools.left < size) {
    // The tail of the old slab (under kMaxBlock bytes) is left unused.
    pools.bump = static_cast<char*>(memory::counted_malloc(kSlabBytes));
    if (!pools.bump) throw std::bad_alloc();
    pools.left = kSlabBytes;
  }
  void* p = pools.bump;
  pools.bump += size;
  pools.left -= size;
  return p;
#endif
}

void deallocate(void* block, std::size_t bytes) noexcept {
#ifdef PROCSHARE_SMALL_BLOCKS_USE_MALLOC
  (void)bytes;
  memory::counted_free(block);
#else
  if (!block) return;
  if (bytes == 0) bytes = 1;
  if (bytes > kMaxBlock) {
    memory::counted_free(block);
    return;
  }
  auto* b = static_cast<FreeBlock*>(block);
  std::size_t c = class_of(bytes);
  b->next = pools.free[c];
  pools.free[c] = b;
#endif
}

}  // namespace procshare::server::small_blocks

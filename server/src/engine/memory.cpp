// The global operator new and delete, counting the bytes they hand out
// (memory.hpp says why and what is counted). Every form forwards to malloc
// or aligned_alloc and free; malloc_usable_size measures a block the same
// way on allocation and on release, so the counter never drifts.
#include "procshare/server/memory.hpp"

#include <malloc.h>

#include <atomic>
#include <cstdlib>
#include <new>

namespace procshare::server::memory {

namespace {

// Relaxed: a statistic, read by the loop's thread; other threads (none
// today) would only make it a moment stale.
std::atomic<std::size_t> g_used{0};

void* counted(void* p) {
  if (p) g_used.fetch_add(::malloc_usable_size(p), std::memory_order_relaxed);
  return p;
}

void release(void* p) noexcept {
  if (!p) return;
  g_used.fetch_sub(::malloc_usable_size(p), std::memory_order_relaxed);
  std::free(p);
}

void* allocate(std::size_t n) {
  for (;;) {
    if (void* p = std::malloc(n ? n : 1)) return counted(p);
    std::new_handler h = std::get_new_handler();
    if (!h) throw std::bad_alloc();
    h();
  }
}

void* allocate_aligned(std::size_t n, std::align_val_t al) {
  const auto a = static_cast<std::size_t>(al);
  const std::size_t size = ((n ? n : 1) + a - 1) / a * a;  // aligned_alloc wants a multiple
  for (;;) {
    if (void* p = std::aligned_alloc(a, size)) return counted(p);
    std::new_handler h = std::get_new_handler();
    if (!h) throw std::bad_alloc();
    h();
  }
}

}  // namespace

std::size_t used() {
  return g_used.load(std::memory_order_relaxed);
}

void* counted_malloc(std::size_t bytes) {
  return counted(std::malloc(bytes ? bytes : 1));
}

void counted_free(void* block) noexcept {
  release(block);
}

}  // namespace procshare::server::memory

using procshare::server::memory::allocate;
using procshare::server::memory::allocate_aligned;
using procshare::server::memory::release;

void* operator new(std::size_t n) {
  return allocate(n);
}
void* operator new[](std::size_t n) {
  return allocate(n);
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return allocate(n);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return allocate(n);
  } catch (...) {
    return nullptr;
  }
}
void* operator new(std::size_t n, std::align_val_t a) {
  return allocate_aligned(n, a);
}
void* operator new[](std::size_t n, std::align_val_t a) {
  return allocate_aligned(n, a);
}
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  try {
    return allocate_aligned(n, a);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  try {
    return allocate_aligned(n, a);
  } catch (...) {
    return nullptr;
  }
}

void operator delete(void* p) noexcept {
  release(p);
}
void operator delete[](void* p) noexcept {
  release(p);
}
void operator delete(void* p, std::size_t) noexcept {
  release(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  release(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  release(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  release(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
  release(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
  release(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  release(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  release(p);
}
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  release(p);
}
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  release(p);
}

#pragma once
// The server's used memory, as --maxmemory and INFO memory count it.
//
// How it is counted: the server replaces the global operator new and delete
// (memory.cpp) with ones that add and subtract malloc_usable_size() of each
// block in one counter; the server's own small-block pools take their slabs
// through counted_malloc. So it is exact, kept incrementally (O(1) to read),
// and covers everything C++ code allocates: objects and their elements, the
// keyspace, sessions, and every client's input and output buffers. Not
// counted: what C libraries allocate with malloc themselves (OpenSSL), the
// allocator's own overhead and fragmentation (INFO shows used_memory_rss
// for the resident size).
#include <cstddef>

namespace procshare::server::memory {

// Bytes held right now through operator new and counted_malloc.
std::size_t used();

// malloc and free, counted: for the server's own allocators (small_blocks)
// that take memory from malloc directly. counted_malloc returns nullptr when
// malloc does.
void* counted_malloc(std::size_t bytes);
void counted_free(void* block) noexcept;

}  // namespace procshare::server::memory

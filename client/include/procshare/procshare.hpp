#pragma once
// The whole client library: include this one header.
#include "procshare/address.hpp"     // IWYU pragma: export
#include "procshare/client.hpp"      // IWYU pragma: export
#include "procshare/codec.hpp"       // IWYU pragma: export
#include "procshare/condition.hpp"   // IWYU pragma: export
#include "procshare/connection.hpp"  // IWYU pragma: export
#include "procshare/dict.hpp"        // IWYU pragma: export
#include "procshare/errors.hpp"      // IWYU pragma: export
#include "procshare/event.hpp"       // IWYU pragma: export
#include "procshare/lease.hpp"       // IWYU pragma: export
#include "procshare/list.hpp"        // IWYU pragma: export
#include "procshare/lock.hpp"        // IWYU pragma: export
#include "procshare/manager.hpp"     // IWYU pragma: export
#include "procshare/namespace.hpp"   // IWYU pragma: export
#include "procshare/pipeline.hpp"    // IWYU pragma: export
#include "procshare/print.hpp"       // IWYU pragma: export
#include "procshare/queue.hpp"       // IWYU pragma: export
#include "procshare/semaphore.hpp"   // IWYU pragma: export
#include "procshare/set.hpp"         // IWYU pragma: export
#include "procshare/value.hpp"       // IWYU pragma: export
#include "procshare/values.hpp"      // IWYU pragma: export

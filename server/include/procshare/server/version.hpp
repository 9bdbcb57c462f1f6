#pragma once
namespace procshare::server {
inline constexpr const char* kVersion = "0.1.0";
}  // namespace procshare::server

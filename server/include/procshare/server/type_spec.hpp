#pragma once
// A type of shared object, as the engine knows it: its name and how to build
// one from CREATE's options. Built-in types and users' own types register the
// same way (Engine::register_type + Engine::register_command), which is
// procshare's answer to Python's BaseManager.register.
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "procshare/server/object.hpp"

namespace procshare::server {

class Engine;

struct TypeSpec {
  std::string name;  // lower case: "dict"
  // Builds an object from the option words that follow the name in CREATE
  // (EXISTOK already removed). Throws CommandError (ERR / VALUEERROR) on a bad
  // option. Called with no options for implicit creation. The engine is there
  // for types that refer to other objects (a condition's LOCK name).
  std::function<std::unique_ptr<Object>(Engine& engine, std::span<const std::string_view> options)>
      make;
  std::string summary;  // one line for HELP / docs
  // For the append-only log's snapshot (docs/persistence.md): emits the
  // commands that make this object again — CREATE with its options, then
  // its contents — each as an argv. Unset: objects of this type are left out
  // of snapshots (only the log's commands bring them back).
  using Emit = std::function<void(std::span<const std::string> argv)>;
  std::function<void(const Object& obj, const Emit& emit)> dump;
};

}  // namespace procshare::server

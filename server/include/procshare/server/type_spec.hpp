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
};

}  // namespace procshare::server

// procshare::Client: commands and object management over ClientState.
#include "procshare/client.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>

#include "client_state.hpp"
#include "procshare/pipeline.hpp"

namespace procshare {

using protocol::Reply;

namespace detail {

void throw_not_a_number(std::string_view bytes, std::string_view what) {
  constexpr std::size_t kShown = 64;
  std::string shown(bytes.substr(0, kShown));
  if (bytes.size() > kShown) shown += "...";
  throw ValueError("cannot decode '" + shown + "' as " + std::string(what));
}

std::string reply_text(const Reply& r) {
  switch (r.type) {
    case Reply::Type::bulk:
    case Reply::Type::simple:
    case Reply::Type::verbatim:
    case Reply::Type::bignum:
      return r.str;
    case Reply::Type::integer:
    case Reply::Type::boolean:
      return std::to_string(r.integer);
    case Reply::Type::dbl:
      return r.str.empty() ? codec<double>::encode(r.dbl) : r.str;
    case Reply::Type::error:
      throw_error(r);
    default:
      throw ProtocolError("expected a value reply from the server");
  }
}

std::string seconds_arg(std::chrono::nanoseconds d) {
  if (d.count() <= 0) return "0";
  // Microsecond resolution is more than the server's timers give.
  const double s = std::chrono::duration<double>(d).count();
  return codec<double>::encode(std::round(s * 1e6) / 1e6);
}

AnonRef::AnonRef(std::shared_ptr<ClientState> st, std::string n, int p)
    : state(std::move(st)), name(std::move(n)), pid(p), restarts(state->restarts()) {}

AnonRef::~AnonRef() {
  if (pid.load() != ::getpid()) return;  // the reference belongs to another process
  try {
    std::string_view args[] = {"REF.DEC", name};
    state->call_anchor(args);
  } catch (...) {
    // Best effort: the server may be gone; it drops the reference anyway
    // when the anchor connection closes.
  }
}

void AnonRef::ensure() {
  if (state->restarts() != restarts) {
    throw ObjectLost("anonymous object '" + name +
                     "' is gone: the server restarted (anonymous objects are not kept)");
  }
  int holder = pid.load();
  const int me = ::getpid();
  if (holder == me) return;
  // Inherited through fork: take this process's own reference (once, even
  // when several threads of the child get here together).
  if (!pid.compare_exchange_strong(holder, me)) return;
  std::string_view args[] = {"REF.INC", name};
  Reply r = state->call_anchor(args);
  if (r.is_error()) throw_error(r);
}

}  // namespace detail

Client Client::connect(const Address& address, const ConnectOptions& options) {
  ConnectOptions resolved = options;
  resolved.authkey = resolve_authkey(options);
  resolved.authkey_file.reset();
  Client c(std::make_shared<detail::ClientState>(address, std::move(resolved)));
  // Opens and authenticates this thread's connection now, with a command
  // that needs authentication, so a missing key fails here (NoAuth).
  c.call({"CLIENT", "ID"});
  return c;
}

Client Client::connect(std::string_view address, const ConnectOptions& options) {
  return connect(Address::parse(address), options);
}

detail::ClientState& Client::state() const {
  if (!state_) throw ConnectionError("this procshare::Client is not connected");
  return *state_;
}

Reply Client::call(std::span<const std::string_view> args) const {
  Reply r = state().call(args);
  if (r.is_error()) throw_error(r);
  return r;
}

Reply Client::call(std::initializer_list<std::string_view> args) const {
  return call(std::span<const std::string_view>(args.begin(), args.size()));
}

Reply Client::call_raw(std::span<const std::string_view> args) const {
  return state().call(args);
}

Reply Client::call_blocking(std::span<const std::string_view> args,
                            std::optional<std::chrono::milliseconds> wait) const {
  Reply r = state().call(args, wait);
  if (r.is_error()) throw_error(r);
  return r;
}

Reply Client::call_blocking_raw(std::span<const std::string_view> args,
                                std::optional<std::chrono::milliseconds> wait) const {
  return state().call(args, wait);
}

Pipeline Client::pipeline() const {
  return Pipeline(*this);
}

std::string Client::ping() const {
  return call({"PING"}).str;
}

void Client::create(std::string_view type, std::string_view name,
                    std::span<const std::string> options, bool exist_ok) const {
  std::vector<std::string_view> args{"CREATE", type, name};
  for (const auto& o : options) args.push_back(o);
  if (exist_ok) {
    // EXISTOK goes before the array's INIT, which takes every remaining word.
    auto init = std::find(args.begin() + 3, args.end(), std::string_view("INIT"));
    args.insert(init, "EXISTOK");
  }
  call(args);
}

std::shared_ptr<detail::AnonRef> Client::create_anonymous(
    std::string_view type, std::span<const std::string> options) const {
  std::vector<std::string_view> args{"CREATE", type, "*"};
  for (const auto& o : options) args.push_back(o);
  // On the anchor connection, which then holds the first reference.
  Reply r = state().call_anchor(args);
  if (r.is_error()) throw_error(r);
  if (r.type != Reply::Type::bulk) throw ProtocolError("CREATE * did not reply a name");
  return std::make_shared<detail::AnonRef>(state_, r.str, ::getpid());
}

bool Client::exists(std::string_view name) const {
  return call({"EXISTS", name}).integer > 0;
}

std::int64_t Client::del(std::string_view name) const {
  return call({"DEL", name}).integer;
}

std::string Client::type(std::string_view name) const {
  return call({"TYPE", name}).str;
}

std::vector<std::string> Client::objects(std::string_view glob) const {
  Reply r = call({"OBJECTS", glob});
  std::vector<std::string> names;
  names.reserve(r.elements.size());
  for (auto& e : r.elements) names.push_back(std::move(e.str));
  return names;
}

ObjectInfo Client::describe(std::string_view name) const {
  Reply r = call({"DESCRIBE", name});
  ObjectInfo info;
  for (std::size_t i = 0; i + 1 < r.elements.size(); i += 2) {
    const Reply& v = r.elements[i + 1];
    info.fields[r.elements[i].str] = v.type == Reply::Type::null ? "" : detail::reply_text(v);
  }
  auto number = [&](const char* key) -> std::int64_t {
    auto it = info.fields.find(key);
    if (it == info.fields.end() || it->second.empty()) return 0;
    return codec<std::int64_t>::decode(it->second);
  };
  info.type = info.fields["type"];
  info.size = number("size");
  info.refs = number("refs");
  info.waiters = number("waiters");
  return info;
}

const Address& Client::address() const {
  return state().address();
}
const ConnectOptions& Client::options() const {
  return state().options();
}
void Client::close() const {
  state().close_all();
}
std::size_t Client::open_connections() const {
  return state().open_connections();
}

std::uint64_t Client::server_restarts() const {
  return state().restarts();
}

std::string Client::run_id() const {
  return state().run_id();
}

void Client::on_server_restart(std::function<void()> callback) const {
  state().on_restart(std::move(callback));
}

}  // namespace procshare

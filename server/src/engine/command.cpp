#include "procshare/server/command.hpp"

#include "procshare/server/arg_reader.hpp"
#include "procshare/server/engine.hpp"
#include "procshare/server/text.hpp"

namespace procshare::server {

void write_error(protocol::ReplyWriter& out, ErrorCode code, std::string_view message) {
  out.error(error_code_name(code), message);
}

void Ctx::error(ErrorCode code, std::string_view message) {
  write_error(out, code, message);
}

const std::shared_ptr<Object>& Ctx::object() {
  if (object_) return object_;
  return engine.resolve(*this);
}

void Ctx::park(std::unique_ptr<Waiter> w, std::span<WaitQueue* const> queues, WaitReply reply) {
  if (!w->object) w->object = object_;
  if (w->what.empty()) {
    w->what = command.name;
    if (object_) {
      w->what += ' ';
      w->what += object_->name();
    }
  }
  engine.park(session, std::move(w), queues, reply);
}

std::int64_t parse_int(std::string_view s, ErrorCode code) {
  auto v = text::to_int(s);
  if (!v) fail(code, text::int_error(s));
  return *v;
}

double parse_double(std::string_view s, ErrorCode code) {
  auto v = text::to_double(s);
  if (!v) fail(code, "value is not a valid float");
  return *v;
}

bool keyword_is(std::string_view arg, std::string_view upper_keyword) {
  return text::iequals(arg, upper_keyword);
}

std::string lower_case(std::string_view s) {
  return text::lower_case(s);
}

Clock::time_point WaitOptions::deadline() const {
  if (!timeout) return Clock::time_point::max();
  return Clock::now() + std::chrono::duration_cast<Clock::duration>(*timeout);
}

WaitOptions parse_wait_options(std::span<const std::string_view> args, std::size_t from,
                               bool allow_nowait) {
  ArgReader r(args, from);
  WaitOptions o = r.wait_options(allow_nowait);
  r.finish();
  return o;
}

}  // namespace procshare::server

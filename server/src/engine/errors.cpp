#include "procshare/server/errors.hpp"

namespace procshare::server {

std::string_view error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::err:
      return "ERR";
    case ErrorCode::noauth:
      return "NOAUTH";
    case ErrorCode::wrongpass:
      return "WRONGPASS";
    case ErrorCode::notfound:
      return "NOTFOUND";
    case ErrorCode::exists:
      return "EXISTS";
    case ErrorCode::wrongtype:
      return "WRONGTYPE";
    case ErrorCode::keyerror:
      return "KEYERROR";
    case ErrorCode::indexerror:
      return "INDEXERROR";
    case ErrorCode::valueerror:
      return "VALUEERROR";
    case ErrorCode::empty:
      return "EMPTY";
    case ErrorCode::full:
      return "FULL";
    case ErrorCode::notowner:
      return "NOTOWNER";
    case ErrorCode::broken:
      return "BROKEN";
    case ErrorCode::limit:
      return "LIMIT";
    case ErrorCode::noproto:
      return "NOPROTO";
    case ErrorCode::oom:
      return "OOM";
  }
  return "ERR";
}

}  // namespace procshare::server

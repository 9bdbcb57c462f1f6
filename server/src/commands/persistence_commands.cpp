// Redis's persistence commands over the append-only log (persistence.hpp):
// BGREWRITEAOF and BGSAVE (both compact the log into a snapshot, in a forked
// child), SAVE (the same, in the loop), LASTSAVE. INFO persistence is in
// server_commands.cpp.
#include "procshare/server/builtins.hpp"
#include "procshare/server/engine.hpp"
#include "procshare/server/persistence.hpp"

namespace procshare::server {

namespace {

Persistence& log_of(Ctx& c) {
  Persistence* p = c.engine.persistence();
  if (!p) {
    fail(ErrorCode::err,
         "persistence is off (start the server with --appendonly yes and --dir DIR)");
  }
  return *p;
}

void cmd_bgrewriteaof(Ctx& c) {
  std::string error = log_of(c).rewrite(/*background=*/true);
  if (!error.empty()) fail(ErrorCode::err, error);
  c.out.simple("Background append only file rewriting started");
}

void cmd_bgsave(Ctx& c) {
  std::string error = log_of(c).rewrite(/*background=*/true);
  if (!error.empty()) fail(ErrorCode::err, error);
  c.out.simple("Background saving started");
}

void cmd_save(Ctx& c) {
  std::string error = log_of(c).rewrite(/*background=*/false);
  if (!error.empty()) fail(ErrorCode::err, error);
  c.out.ok();
}

void cmd_lastsave(Ctx& c) {
  Persistence* p = c.engine.persistence();
  c.out.integer(p ? p->last_save() : 0);
}

}  // namespace

void register_persistence_commands(Engine& e) {
  using namespace flag;
  e.register_command({"BGREWRITEAOF", 1, admin, cmd_bgrewriteaof,
                      "Compact the log into a snapshot, in the background", ""});
  e.register_command({"BGSAVE", -1, admin, cmd_bgsave,
                      "Write a snapshot in the background (the same as BGREWRITEAOF)",
                      "[SCHEDULE]"});
  e.register_command(
      {"SAVE", 1, admin, cmd_save, "Write a snapshot now, stopping the server meanwhile", ""});
  e.register_command({"LASTSAVE", 1, readonly | fast, cmd_lastsave,
                      "Unix time of the last snapshot written (0: none)", ""});
}

}  // namespace procshare::server

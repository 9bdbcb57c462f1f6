/* A C program using hiredis against procshare (issue 7): the basics a C user
 * of Redis would do, over the Unix socket and TCP, with AUTH when an authkey
 * is given. Exits non-zero on the first mismatch, saying what it was.
 *
 *   hiredis_test UNIX_PATH TCP_PORT [AUTHKEY]
 */
#include <hiredis/hiredis.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

static const char* where = "";

static void die(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "hiredis test failed (%s): ", where);
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
  exit(1);
}

static redisReply* must(redisContext* c, redisReply* r, const char* what) {
  if (!r) die("%s: no reply (%s)", what, c->errstr);
  return r;
}

static void expect_status(redisContext* c, redisReply* r, const char* want, const char* what) {
  must(c, r, what);
  if (r->type != REDIS_REPLY_STATUS || strcmp(r->str, want) != 0) {
    die("%s: want +%s, got type %d '%s'", what, want, r->type, r->str ? r->str : "");
  }
  freeReplyObject(r);
}

static void expect_int(redisContext* c, redisReply* r, long long want, const char* what) {
  must(c, r, what);
  if (r->type != REDIS_REPLY_INTEGER || r->integer != want) {
    die("%s: want :%lld, got type %d %lld '%s'", what, want, r->type, r->integer,
        r->str ? r->str : "");
  }
  freeReplyObject(r);
}

static void expect_str(redisContext* c, redisReply* r, const char* want, size_t len,
                       const char* what) {
  must(c, r, what);
  if (r->type != REDIS_REPLY_STRING || r->len != len || memcmp(r->str, want, len) != 0) {
    die("%s: want '%s', got type %d '%s'", what, want, r->type, r->str ? r->str : "");
  }
  freeReplyObject(r);
}

static void expect_nil(redisContext* c, redisReply* r, const char* what) {
  must(c, r, what);
  if (r->type != REDIS_REPLY_NIL) die("%s: want nil, got type %d", what, r->type);
  freeReplyObject(r);
}

static void expect_error(redisContext* c, redisReply* r, const char* prefix, const char* what) {
  must(c, r, what);
  if (r->type != REDIS_REPLY_ERROR || strncmp(r->str, prefix, strlen(prefix)) != 0) {
    die("%s: want an error starting '%s', got type %d '%s'", what, prefix, r->type,
        r->str ? r->str : "");
  }
  freeReplyObject(r);
}

static void basics(redisContext* c, const char* authkey) {
  if (authkey) {
    expect_error(c, redisCommand(c, "GET k"), "NOAUTH", "GET before AUTH");
    expect_status(c, redisCommand(c, "AUTH %s", authkey), "OK", "AUTH");
  }
  expect_status(c, redisCommand(c, "FLUSHALL"), "OK", "FLUSHALL");
  expect_status(c, redisCommand(c, "PING"), "PONG", "PING");
  /* Strings, binary safe. */
  expect_status(c, redisCommand(c, "SET %s %b", "bin", "a\0b", (size_t)3), "OK", "SET binary");
  expect_str(c, redisCommand(c, "GET bin"), "a\0b", 3, "GET binary");
  expect_nil(c, redisCommand(c, "GET missing"), "GET missing");
  expect_int(c, redisCommand(c, "INCR counter"), 1, "INCR");
  expect_int(c, redisCommand(c, "INCRBY counter 41"), 42, "INCRBY");
  expect_str(c, redisCommand(c, "GET counter"), "42", 2, "GET counter");
  expect_str(c, redisCommand(c, "VALUE.GET counter"), "42", 2, "VALUE.GET counter");
  expect_error(c, redisCommand(c, "INCR bin"), "ERR value is not an integer", "INCR text");
  /* Hashes are procshare dicts. */
  expect_int(c, redisCommand(c, "HSET user name %s lang %s", "Ada", "C"), 2, "HSET");
  expect_str(c, redisCommand(c, "HGET user name"), "Ada", 3, "HGET");
  expect_str(c, redisCommand(c, "DICT.GET user lang"), "C", 1, "DICT.GET");
  redisReply* all = must(c, redisCommand(c, "HGETALL user"), "HGETALL");
  if (all->type != REDIS_REPLY_ARRAY || all->elements != 4 ||
      strcmp(all->element[0]->str, "name") != 0 || strcmp(all->element[3]->str, "C") != 0) {
    die("HGETALL: want [name Ada lang C]");
  }
  freeReplyObject(all);
  expect_error(c, redisCommand(c, "GET user"),
               "WRONGTYPE Operation against a key holding the wrong kind of value", "GET hash");
  /* Lists, BLPOP with a timeout. */
  expect_int(c, redisCommand(c, "RPUSH jobs a b c"), 3, "RPUSH");
  expect_str(c, redisCommand(c, "LPOP jobs"), "a", 1, "LPOP");
  expect_int(c, redisCommand(c, "LIST.LEN jobs"), 2, "LIST.LEN");
  redisReply* got = must(c, redisCommand(c, "BLPOP nothing jobs 1"), "BLPOP");
  if (got->type != REDIS_REPLY_ARRAY || got->elements != 2 ||
      strcmp(got->element[0]->str, "jobs") != 0 || strcmp(got->element[1]->str, "b") != 0) {
    die("BLPOP: want [jobs b]");
  }
  freeReplyObject(got);
  redisReply* none = must(c, redisCommand(c, "BLPOP nothing 0.05"), "BLPOP timeout");
  if (none->type != REDIS_REPLY_NIL) die("BLPOP timeout: want a nil, got type %d", none->type);
  freeReplyObject(none);
  /* Sets. */
  expect_int(c, redisCommand(c, "SADD tags x y x"), 2, "SADD");
  expect_int(c, redisCommand(c, "SISMEMBER tags y"), 1, "SISMEMBER");
  expect_int(c, redisCommand(c, "SET.LEN tags"), 2, "SET.LEN");
  /* Pipelining: many commands, then the replies in order. */
  for (int i = 0; i < 500; ++i) {
    if (redisAppendCommand(c, "RPUSH piped %d", i) != REDIS_OK) die("append: %s", c->errstr);
  }
  for (int i = 0; i < 500; ++i) {
    void* r = NULL;
    if (redisGetReply(c, &r) != REDIS_OK) die("pipelined reply %d: %s", i, c->errstr);
    expect_int(c, (redisReply*)r, i + 1, "pipelined RPUSH");
  }
  redisReply* range = must(c, redisCommand(c, "LRANGE piped -2 -1"), "LRANGE");
  if (range->type != REDIS_REPLY_ARRAY || range->elements != 2 ||
      strcmp(range->element[1]->str, "499") != 0) {
    die("LRANGE piped -2 -1: want [498 499]");
  }
  freeReplyObject(range);
  expect_int(c, redisCommand(c, "DEL piped jobs tags user counter bin"), 6, "DEL");
}

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s UNIX_PATH TCP_PORT [AUTHKEY]\n", argv[0]);
    return 2;
  }
  const char* authkey = argc > 3 ? argv[3] : NULL;
  struct timeval tv = {10, 0};
  redisContext* contexts[2];
  contexts[0] = redisConnectUnixWithTimeout(argv[1], tv);
  contexts[1] = redisConnectWithTimeout("127.0.0.1", atoi(argv[2]), tv);
  const char* names[2] = {"unix", "tcp"};
  for (int i = 0; i < 2; ++i) {
    redisContext* c = contexts[i];
    where = names[i];
    if (!c || c->err) die("connect: %s", c ? c->errstr : "out of memory");
    /* Every read has a deadline too: a hang is a failure, not a stuck test. */
    if (redisSetTimeout(c, tv) != REDIS_OK) die("set timeout");
    basics(c, authkey);
    redisFree(c);
  }
  printf("hiredis: all checks passed (hiredis %d.%d.%d)\n", HIREDIS_MAJOR, HIREDIS_MINOR,
         HIREDIS_PATCH);
  return 0;
}

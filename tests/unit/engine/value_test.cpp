// VALUE.* in process (PROTOCOL.md §5, §6): typed scalars, their CREATE
// options, implicit creation by command, checked arithmetic, CAS.
#include "data_test_util.hpp"

namespace procshare::test {
namespace {

std::string elemtype(Harness& h, Harness::Client& c, const std::string& name) {
  auto d = h.call(c, {"DESCRIBE", name});
  const Reply* f = field(d, "elemtype");
  return f ? f->str : "<none>";
}

TEST(Value, ImplicitCreationPicksTheType) {
  Harness h;
  auto& c = h.client();
  EXPECT_TRUE(is_error(h.call(c, {"VALUE.GET", "v"}), "NOTFOUND"));
  EXPECT_TRUE(is_int(h.call(c, {"VALUE.INCRBY", "i", "5"}), 5));
  EXPECT_EQ(elemtype(h, c, "i"), "int");
  EXPECT_TRUE(is_float(h.call(c, {"VALUE.INCRBYFLOAT", "f", "0.5"}), 0.5));
  EXPECT_EQ(elemtype(h, c, "f"), "float");
  EXPECT_TRUE(is_ok(h.call(c, {"VALUE.SET", "b", "hello"})));
  EXPECT_EQ(elemtype(h, c, "b"), "bytes");
  EXPECT_TRUE(is_int(h.call(c, {"VALUE.CAS", "b2", "", "x"}), 1));
  EXPECT_EQ(elemtype(h, c, "b2"), "bytes");
  EXPECT_TRUE(is_bulk(h.call(c, {"VALUE.GET", "b2"}), "x"));
  auto d = h.call(c, {"DESCRIBE", "i"});
  ASSERT_NE(field(d, "size"), nullptr);
  EXPECT_EQ(field(d, "size")->integer, 1);
  EXPECT_EQ(h.call(c, {"TYPE", "i"}).str, "value");
}

TEST(Value, CreateOptions) {
  Harness h;
  auto& c = h.client();
  EXPECT_TRUE(is_ok(h.call(c, {"CREATE", "value", "b"})));
  EXPECT_TRUE(is_bulk(h.call(c, {"VALUE.GET", "b"}), ""));
  EXPECT_TRUE(is_ok(h.call(c, {"CREATE", "value", "i", "TYPE", "int"})));
  EXPECT_TRUE(is_int(h.call(c, {"VALUE.GET", "i"}), 0));
  EXPECT_TRUE(is_ok(h.call(c, {"CREATE", "value", "f", "type", "FLOAT"})));
  EXPECT_TRUE(is_float(h.call(c, {"VALUE.GET", "f"}), 0.0));
  EXPECT_TRUE(is_ok(h.call(c, {"CREATE", "value", "i2", "INIT", "42", "TYPE", "int"})));
  EXPECT_TRUE(is_int(h.call(c, {"VALUE.GET", "i2"}), 42));
  EXPECT_TRUE(is_ok(h.call(c, {"CREATE", "value", "b2", "INIT", "hi"})));
  EXPECT_TRUE(is_bulk(h.call(c, {"VALUE.GET", "b2"}), "hi"));
  EXPECT_TRUE(
      is_error(h.call(c, {"CREATE", "value", "x", "TYPE", "int", "INIT", "abc"}), "VALUEERROR"));
  EXPECT_TRUE(is_error(h.call(c, {"CREATE", "value", "x", "TYPE", "complex"}), "ERR"));
  EXPECT_TRUE(is_error(h.call(c, {"CREATE", "value", "x", "TYPE"}), "ERR"));
  EXPECT_TRUE(is_error(h.call(c, {"CREATE", "value", "x", "SIZE", "3"}), "ERR"));
  EXPECT_TRUE(is_error(h.call(c, {"CREATE", "value", "x", "TYPE", "int", "TYPE", "int"}), "ERR"));
  EXPECT_TRUE(is_int(h.call(c, {"EXISTS", "x"}), 0));
}

TEST(Value, ExistOkMatchesTypeWithDefaultsFilled) {
  Harness h;
  auto& c = h.client();
  h.call(c, {"CREATE", "value", "b"});
  EXPECT_TRUE(is_ok(h.call(c, {"CREATE", "value", "b", "TYPE", "bytes", "EXISTOK"})));
  EXPECT_TRUE(is_error(h.call(c, {"CREATE", "value", "b", "TYPE", "int", "EXISTOK"}), "EXISTS"));
  h.call(c, {"CREATE", "value", "i", "TYPE", "int", "INIT", "7"});
  // INIT is the starting content, not the kind: another INIT still matches
  // and changes nothing.
  EXPECT_TRUE(is_ok(h.call(c, {"CREATE", "value", "i", "TYPE", "int", "INIT", "9", "EXISTOK"})));
  EXPECT_TRUE(is_int(h.call(c, {"VALUE.GET", "i"}), 7));
  EXPECT_TRUE(is_error(h.call(c, {"CREATE", "value", "i", "EXISTOK"}), "EXISTS"));
  // The implicitly created int value matches an explicit CREATE of an int.
  h.call(c, {"VALUE.INCRBY", "counter", "1"});
  EXPECT_TRUE(is_ok(h.call(c, {"CREATE", "value", "counter", "TYPE", "int", "EXISTOK"})));
}

TEST(Value, SetChecksTheType) {
  Harness h;
  auto& c = h.client();
  h.call(c, {"CREATE", "value", "i", "TYPE", "int"});
  h.call(c, {"CREATE", "value", "f", "TYPE", "float"});
  EXPECT_TRUE(is_ok(h.call(c, {"VALUE.SET", "i", "-12"})));
  EXPECT_TRUE(is_int(h.call(c, {"VALUE.GET", "i"}), -12));
  EXPECT_TRUE(is_error(h.call(c, {"VALUE.SET", "i", "1.5"}), "VALUEERROR"));
  EXPECT_TRUE(is_error(h.call(c, {"VALUE.SET", "i", ""}), "VALUEERROR"));
  EXPECT_TRUE(is_error(h.call(c, {"VALUE.SET", "i", " 1"}), "VALUEERROR"));
  EXPECT_TRUE(is_int(h.call(c, {"VALUE.GET", "i"}), -12));
  EXPECT_TRUE(is_ok(h.call(c, {"VALUE.SET", "f", "2.5"})));
  EXPECT_TRUE(is_ok(h.call(c, {"VALUE.SET", "f", "3"})));
  EXPECT_TRUE(is_float(h.call(c, {"VALUE.GET", "f"}), 3.0));
  EXPECT_TRUE(is_error(h.call(c, {"VALUE.SET", "f", "nan"}), "VALUEERROR"));
  EXPECT_TRUE(is_error(h.call(c, {"VALUE.SET", "f", "x"}), "VALUEERROR"));
  // Non-finite floats are never stored (as INCRBYFLOAT never produces them).
  EXPECT_TRUE(is_error(h.call(c, {"VALUE.SET", "f", "-inf"}), "VALUEERROR"));
  EXPECT_TRUE(is_error(h.call(c, {"VALUE.SET", "f", "inf"}), "VALUEERROR"));
  EXPECT_TRUE(
      is_error(h.call(c, {"CREATE", "value", "g", "TYPE", "float", "INIT", "inf"}), "VALUEERROR"));
  auto& c3 = h.client(3);
  auto r = h.call(c3, {"VALUE.GET", "f"});
  EXPECT_EQ(r.type, Reply::Type::dbl);
  EXPECT_EQ(r.dbl, 3.0);
}

TEST(Value, IncrBy) {
  Harness h;
  auto& c = h.client();
  EXPECT_TRUE(is_int(h.call(c, {"VALUE.INCRBY", "i", "9223372036854775806"}), 9223372036854775806));
  EXPECT_TRUE(is_int(h.call(c, {"VALUE.INCRBY", "i", "1"}), 9223372036854775807));
  EXPECT_TRUE(is_error(h.call(c, {"VALUE.INCRBY", "i", "1"}), "VALUEERROR"));
  EXPECT_TRUE(is_int(h.call(c, {"VALUE.GET", "i"}), 9223372036854775807));
  EXPECT_TRUE(is_error(h.call(c, {"VALUE.INCRBY", "i", "x"}), "VALUEERROR"));
  EXPECT_TRUE(is_error(h.call(c, {"VALUE.INCRBY", "i", "0.5"}), "VALUEERROR"));
  // An int value refuses a float increment.
  EXPECT_TRUE(is_error(h.call(c, {"VALUE.INCRBYFLOAT", "i", "0.5"}), "VALUEERROR"));
  // A float value takes an integer increment and stays a float.
  h.call(c, {"CREATE", "value", "f", "TYPE", "float", "INIT", "0.5"});
  EXPECT_TRUE(is_float(h.call(c, {"VALUE.INCRBY", "f", "2"}), 2.5));
  EXPECT_TRUE(is_float(h.call(c, {"VALUE.INCRBYFLOAT", "f", "-3"}), -0.5));
  EXPECT_TRUE(is_error(h.call(c, {"VALUE.INCRBYFLOAT", "f", "inf"}), "VALUEERROR"));
  EXPECT_TRUE(is_error(h.call(c, {"VALUE.INCRBYFLOAT", "f", "1e400"}), "VALUEERROR"));
  h.call(c, {"VALUE.SET", "f", "1.7e308"});
  EXPECT_TRUE(is_error(h.call(c, {"VALUE.INCRBYFLOAT", "f", "1.7e308"}), "VALUEERROR"));
  EXPECT_TRUE(is_float(h.call(c, {"VALUE.GET", "f"}), 1.7e308));
}

TEST(Value, BytesValueNumericCommandsReadTheText) {
  Harness h;
  auto& c = h.client();
  h.call(c, {"VALUE.SET", "b", "10"});
  EXPECT_TRUE(is_int(h.call(c, {"VALUE.INCRBY", "b", "5"}), 15));
  EXPECT_TRUE(is_bulk(h.call(c, {"VALUE.GET", "b"}), "15"));
  EXPECT_TRUE(is_float(h.call(c, {"VALUE.INCRBYFLOAT", "b", "0.5"}), 15.5));
  EXPECT_TRUE(is_bulk(h.call(c, {"VALUE.GET", "b"}), "15.5"));
  EXPECT_TRUE(is_error(h.call(c, {"VALUE.INCRBY", "b", "1"}), "VALUEERROR"));
  h.call(c, {"VALUE.SET", "b", "text"});
  EXPECT_TRUE(is_error(h.call(c, {"VALUE.INCRBYFLOAT", "b", "1"}), "VALUEERROR"));
  EXPECT_TRUE(is_bulk(h.call(c, {"VALUE.GET", "b"}), "text"));
}

TEST(Value, CompareAndSet) {
  Harness h;
  auto& c = h.client();
  h.call(c, {"VALUE.SET", "b", "old"});
  EXPECT_TRUE(is_int(h.call(c, {"VALUE.CAS", "b", "nope", "new"}), 0));
  EXPECT_TRUE(is_bulk(h.call(c, {"VALUE.GET", "b"}), "old"));
  EXPECT_TRUE(is_int(h.call(c, {"VALUE.CAS", "b", "old", "new"}), 1));
  EXPECT_TRUE(is_bulk(h.call(c, {"VALUE.GET", "b"}), "new"));

  h.call(c, {"VALUE.INCRBY", "i", "7"});
  EXPECT_TRUE(is_int(h.call(c, {"VALUE.CAS", "i", "+7", "8"}), 1));  // compared as numbers
  EXPECT_TRUE(is_int(h.call(c, {"VALUE.CAS", "i", "7", "9"}), 0));
  EXPECT_TRUE(is_error(h.call(c, {"VALUE.CAS", "i", "x", "9"}), "VALUEERROR"));
  EXPECT_TRUE(is_error(h.call(c, {"VALUE.CAS", "i", "8", "9.5"}), "VALUEERROR"));
  EXPECT_TRUE(is_int(h.call(c, {"VALUE.GET", "i"}), 8));

  h.call(c, {"VALUE.INCRBYFLOAT", "f", "0.5"});
  EXPECT_TRUE(is_int(h.call(c, {"VALUE.CAS", "f", "5e-1", "2"}), 1));
  EXPECT_TRUE(is_float(h.call(c, {"VALUE.GET", "f"}), 2.0));
  EXPECT_TRUE(is_error(h.call(c, {"VALUE.CAS", "f", "2", "nan"}), "VALUEERROR"));
  auto& c3 = h.client(3);
  EXPECT_EQ(h.call(c3, {"VALUE.CAS", "f", "3", "4"}).type, Reply::Type::integer);
}

TEST(Value, WrongType) {
  Harness h;
  auto& c = h.client();
  h.call(c, {"LIST.APPEND", "l", "x"});
  EXPECT_TRUE(is_error(h.call(c, {"VALUE.GET", "l"}), "WRONGTYPE"));
  EXPECT_TRUE(is_error(h.call(c, {"VALUE.INCRBY", "l", "1"}), "WRONGTYPE"));
  EXPECT_TRUE(is_error(h.call(c, {"VALUE.SET", "l"}), "ERR"));
  EXPECT_TRUE(is_error(h.call(c, {"VALUE.CAS", "l", "x"}), "ERR"));
}

}  // namespace
}  // namespace procshare::test

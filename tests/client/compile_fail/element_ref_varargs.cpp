// Must NOT compile: an element reference passed to C varargs (printf) would
// print garbage, so it is a compile error (procshare/object.hpp,
// detail::ElementRef). Built twice by ctest: as it is (must fail) and with
// -DPROCSHARE_CONTROL, passing the element's value (must compile), so the
// failure is the one this file is about.
#include <cstdio>
#include <procshare/procshare.hpp>

int print_element(const procshare::Dict<int, int>& d) {
#ifdef PROCSHARE_CONTROL
  return std::printf("%d\n", d[3].get());
#else
  return std::printf("%d\n", d[3]);
#endif
}

# The package tests (tests/package/CMakeLists.txt), run with cmake -P:
#   MODE=install: cmake --install the build tree into a fresh prefix, then
#     build APP_SOURCE with find_package(procshare) and with pkg-config, and
#     run both against the installed procshare-server.
#   MODE=subdir: build APP_SOURCE in a project that add_subdirectory()s the
#     source tree (the client target only), and run it.
#   MODE=deb: cpack -G DEB, then check what the package holds.
cmake_minimum_required(VERSION 3.20)

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err
                  TIMEOUT 900)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

if(MODE STREQUAL "install")
  set(prefix ${WORK_DIR}/prefix)
  run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
  foreach(f bin/procshare-server bin/procshare-cli include/procshare/procshare.hpp
            include/procshare/protocol/reply.hpp lib*/libprocshare_client.a
            lib*/cmake/procshare/procshareConfig.cmake lib*/pkgconfig/procshare.pc)
    file(GLOB found ${prefix}/${f})
    if(NOT found)
      message(FATAL_ERROR "not installed: ${f}")
    endif()
  endforeach()
  run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/package/install_consumer -B ${WORK_DIR}/cmake -G Ninja
      -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=${prefix} -DAPP_SOURCE=${APP_SOURCE}
      -DCMAKE_CXX_COMPILER=${CXX})
  run(${CMAKE_COMMAND} --build ${WORK_DIR}/cmake)
  run(${CMAKE_COMMAND} -E env PROCSHARE_SERVER=${prefix}/bin/procshare-server ${WORK_DIR}/cmake/app)
  message(STATUS "find_package consumer printed:\n${last_output}")

  file(GLOB pcdir ${prefix}/lib*/pkgconfig)
  run(${CMAKE_COMMAND} -E env PKG_CONFIG_PATH=${pcdir} pkg-config --cflags --libs procshare)
  string(STRIP "${last_output}" flags)
  separate_arguments(flags UNIX_COMMAND "${flags}")
  run(${CXX} -std=c++20 -O1 ${APP_SOURCE} -o ${WORK_DIR}/app-pkgconfig ${flags})
  run(${CMAKE_COMMAND} -E env PROCSHARE_SERVER=${prefix}/bin/procshare-server ${WORK_DIR}/app-pkgconfig)
  message(STATUS "pkg-config consumer printed:\n${last_output}")
elseif(MODE STREQUAL "subdir")
  run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/package/subdir_consumer -B ${WORK_DIR}/cmake -G Ninja
      -DCMAKE_BUILD_TYPE=Release -DPROCSHARE_SOURCE_DIR=${SOURCE_DIR} -DAPP_SOURCE=${APP_SOURCE}
      -DCMAKE_CXX_COMPILER=${CXX})
  run(${CMAKE_COMMAND} --build ${WORK_DIR}/cmake --target app -j 2)
  if(EXISTS ${WORK_DIR}/cmake/procshare/server/procshare-server)
    message(FATAL_ERROR "building the consumer built the whole server")
  endif()
  run(${CMAKE_COMMAND} -E env PROCSHARE_SERVER=${SERVER} ${WORK_DIR}/cmake/app)
  message(STATUS "add_subdirectory consumer printed:\n${last_output}")
elseif(MODE STREQUAL "deb")
  run(${CMAKE_COMMAND} -E chdir ${WORK_DIR} cpack -G DEB --config ${BUILD_DIR}/CPackConfig.cmake
      -B ${WORK_DIR})
  file(GLOB debs ${WORK_DIR}/*.deb)
  if(NOT debs)
    message(FATAL_ERROR "cpack made no .deb")
  endif()
  run(dpkg-deb --contents ${debs})
  foreach(f bin/procshare-server bin/procshare-cli include/procshare/procshare.hpp
            procshare/procshareConfig.cmake pkgconfig/procshare.pc)
    string(FIND "${last_output}" "${f}" at)
    if(at EQUAL -1)
      message(FATAL_ERROR "the .deb lacks ${f}:\n${last_output}")
    endif()
  endforeach()
  run(dpkg-deb --field ${debs} Depends)
  message(STATUS "${debs}: Depends: ${last_output}")
else()
  message(FATAL_ERROR "MODE must be install, subdir or deb")
endif()

# `cmake --install`: the client library and its headers, procshare-server and
# procshare-cli, a CMake config package (find_package(procshare CONFIG) ->
# procshare::client) and a pkg-config file; `cpack -G DEB` packs the same.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set_target_properties(procshare_client PROPERTIES EXPORT_NAME client)
set_target_properties(procshare_protocol PROPERTIES EXPORT_NAME protocol)
install(TARGETS procshare_client procshare_protocol EXPORT procshareTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS procshare-server procshare-cli EXPORT procshareTargets
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/client/include/ ${PROJECT_SOURCE_DIR}/protocol/include/
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(PROCSHARE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/procshare)
install(EXPORT procshareTargets NAMESPACE procshare:: DESTINATION ${PROCSHARE_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/procshareConfig.cmake.in
  ${PROJECT_BINARY_DIR}/procshareConfig.cmake INSTALL_DESTINATION ${PROCSHARE_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/procshareConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/procshareConfig.cmake
              ${PROJECT_BINARY_DIR}/procshareConfigVersion.cmake
        DESTINATION ${PROCSHARE_CMAKE_DIR})

configure_file(${PROJECT_SOURCE_DIR}/cmake/procshare.pc.in ${PROJECT_BINARY_DIR}/procshare.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/procshare.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR})

# cpack -G DEB (in the build directory): one package with everything above.
set(CPACK_PACKAGE_NAME procshare)
set(CPACK_PACKAGE_VENDOR procshare)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Shared objects for processes: server, CLI and C++ client")
set(CPACK_PACKAGE_CONTACT "procshare maintainers <procshare@localhost>")
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# Shared libraries the executables use (dpkg-shlibdeps), and the -dev
# packages whose headers procshare's public headers include.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libssl-dev, libfmt-dev, nlohmann-json3-dev")
set(CPACK_GENERATOR DEB)
include(CPack)

# SPDX-License-Identifier: MIT
# What `cmake --install` adds beyond each tool, the LibOS and each extension (installed where
# they are built): the ABI headers, the SDK (sdk/: headers and a static library) and the
# CMake package for extension authors; and the Debian package CPack builds from the same
# install (`cpack -G DEB`).
include(CMakePackageConfigHelpers)

install(TARGETS bascule_abi bascule_sdk EXPORT bascule-targets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        FILE_SET HEADERS DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/bascule)
install(FILES abi/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR} RENAME ABI.md)
install(EXPORT bascule-targets NAMESPACE bascule:: DESTINATION ${BASCULE_CMAKE_PACKAGE_DIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/bascule-config-version.cmake
                                 COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
install(FILES cmake/bascule-config.cmake cmake/BasculeExtension.cmake cmake/exports.map
              ${CMAKE_CURRENT_BINARY_DIR}/bascule-config-version.cmake
        DESTINATION ${BASCULE_CMAKE_PACKAGE_DIR})

set(CPACK_PACKAGE_NAME bascule)
set(CPACK_PACKAGE_VENDOR "Bascule for Linux")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "library OS with run-time extensions: tracing, checkpoint/restore, record/replay")
set(CPACK_PACKAGE_DESCRIPTION
    "Runs unmodified Linux x86-64 programs in-process on a library OS that serves them over \
one narrow, versioned binary interface, with extensions stacked on it at run time: \
tracing, checkpoint and restore (bascule-snap), record and replay (bascule-replay), \
file-system translation. Includes the ABI headers and a CMake package for writing \
extensions.")
set(BASCULE_DEB_MAINTAINER "Bascule for Linux maintainers <bascule@localhost>"
    CACHE STRING "The Maintainer field of the Debian package (the packager's name and address)")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${BASCULE_DEB_MAINTAINER}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # bascule_VERSION_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE amd64) # the LibOS and the host PAL are x86-64 only
# The libraries the tools and extensions link (fmt, lz4, xxhash, the C++ runtime), as
# dpkg-shlibdeps (dpkg-dev) reads them from the binaries.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_GENERATOR DEB)
include(CPack)

# SPDX-License-Identifier: MIT
# find_package(bascule): the ABI headers as the target bascule::abi, the SDK (guest memory
# read without faulting, the downcalls' parameter roles: sdk/README.md) as bascule::sdk, a
# static library an extension links into itself, and bascule_add_extension(NAME SOURCES...),
# which builds bascule-ext-NAME.so for the runtime to load (put its directory on
# BASCULE_EXT_PATH). An extension links nothing else of Bascule.
include("${CMAKE_CURRENT_LIST_DIR}/bascule-targets.cmake")
include("${CMAKE_CURRENT_LIST_DIR}/BasculeExtension.cmake")

function(bascule_add_extension name)
  bascule_extension_library(${name} ${ARGN})
endfunction()

# SPDX-License-Identifier: MIT
# How an extension's shared object is built, the same in this tree and for an author outside
# it (installed with the CMake package, bascule-config.cmake). Needs the bascule::abi target.

# The MODULE library bascule-ext-NAME.so from SOURCES. It exports its descriptor and nothing
# else (hidden visibility and the version script), so that extensions, or two copies of one
# in a stack, never bind to each other's symbols; a symbol nothing defines fails its link
# rather than the runtime's dlopen.
function(bascule_extension_library name)
  set(exports_map "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/exports.map") # beside this file
  add_library(bascule-ext-${name} MODULE ${ARGN})
  target_link_libraries(bascule-ext-${name} PRIVATE bascule::abi)
  set_target_properties(bascule-ext-${name} PROPERTIES
    PREFIX "" SUFFIX ".so" POSITION_INDEPENDENT_CODE ON
    C_VISIBILITY_PRESET hidden CXX_VISIBILITY_PRESET hidden
    LINK_DEPENDS "${exports_map}")
  target_link_options(bascule-ext-${name} PRIVATE
    "-Wl,--version-script=${exports_map}" -Wl,--no-undefined)
endfunction()

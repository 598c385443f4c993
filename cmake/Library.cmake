# libostree-ima.so: the public API of include/ostree-ima/ as a shared library
# with a SONAME, made of the layer libraries (src/CMakeLists.txt) linked
# whole, and its installed headers, pkg-config file and CMake package.
#
# The layer libraries stay static (the CLI, the tests and the seam checks
# link them as before); they are built as position-independent code with
# hidden visibility, so the shared library exports only what the public
# headers mark OSTREE_IMA_EXPORT (include/ostree-ima/export.hpp).
set(_ostree_ima_layers ostree_ima_util ostree_ima_secrets ostree_ima_crypto ostree_ima_pkcs11
  ostree_ima_core ostree_ima_keys)
set_target_properties(${_ostree_ima_layers} PROPERTIES
  POSITION_INDEPENDENT_CODE ON
  CXX_VISIBILITY_PRESET hidden
  VISIBILITY_INLINES_HIDDEN ON)

# Every object file of every layer goes in (a library call may reach any of
# them); linking the layers too brings their include paths and dependencies.
add_library(ostree_ima_shared SHARED ${PROJECT_SOURCE_DIR}/src/library_version.cpp)
foreach(lib ${_ostree_ima_layers})
  target_sources(ostree_ima_shared PRIVATE $<TARGET_OBJECTS:${lib}>)
endforeach()
add_library(ostree-ima::ostree-ima ALIAS ostree_ima_shared)
target_compile_definitions(ostree_ima_shared PRIVATE OSTREE_IMA_VERSION="${PROJECT_VERSION}")
target_include_directories(ostree_ima_shared PUBLIC
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
# The public headers name OpenSSL types (EVP_PKEY, X509) and need C++20.
target_link_libraries(ostree_ima_shared PUBLIC OpenSSL::Crypto PRIVATE ${_ostree_ima_layers})
target_compile_features(ostree_ima_shared PUBLIC cxx_std_20)
# The version script (package/libostree-ima.map) lets only our marked
# symbols out.
target_link_options(ostree_ima_shared PRIVATE
  -Wl,--version-script=${CMAKE_CURRENT_LIST_DIR}/package/libostree-ima.map)
# A symbol no layer or dependency defines fails the link here rather than
# in a user's program. Not in the sanitizer and fuzz builds: there the
# sanitizer runtime is linked into the program (clang), not the library.
if(NOT OSTREE_IMA_SANITIZE AND NOT OSTREE_IMA_FUZZ)
  target_link_options(ostree_ima_shared PRIVATE -Wl,--no-undefined)
endif()
set_property(TARGET ostree_ima_shared APPEND PROPERTY LINK_DEPENDS
  ${CMAKE_CURRENT_LIST_DIR}/package/libostree-ima.map)
set_target_properties(ostree_ima_shared PROPERTIES
  OUTPUT_NAME ostree-ima
  EXPORT_NAME ostree-ima
  VERSION ${PROJECT_VERSION}
  SOVERSION ${PROJECT_VERSION_MAJOR}
  CXX_VISIBILITY_PRESET hidden
  VISIBILITY_INLINES_HIDDEN ON
  LIBRARY_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR})

include(CMakePackageConfigHelpers)
set(OSTREE_IMA_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/ostree-ima)
install(TARGETS ostree_ima_shared EXPORT ostree-imaTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/ostree-ima
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT ostree-imaTargets NAMESPACE ostree-ima:: DESTINATION ${OSTREE_IMA_CMAKE_DIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/package/ostree-imaConfig.cmake.in
  ${PROJECT_BINARY_DIR}/ostree-imaConfig.cmake INSTALL_DESTINATION ${OSTREE_IMA_CMAKE_DIR})
# 0.x: a minor release may break the API, so only the same minor matches.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/ostree-imaConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/ostree-imaConfig.cmake
  ${PROJECT_BINARY_DIR}/ostree-imaConfigVersion.cmake DESTINATION ${OSTREE_IMA_CMAKE_DIR})
configure_file(${CMAKE_CURRENT_LIST_DIR}/package/ostree-ima.pc.in
  ${PROJECT_BINARY_DIR}/ostree-ima.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/ostree-ima.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

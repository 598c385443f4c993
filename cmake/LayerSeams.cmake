# The seams between layers, kept by the linker: each library is linked whole
# (every object file of it, used or not) into an empty program, together with
# only the libraries it declares. A symbol it takes from a library above it,
# or from one it does not declare (a function declared by hand, say), is an
# undefined reference, and the build fails. docs/design.md has the layers.
foreach(lib util secrets crypto pkcs11 core keys)
  add_executable(seam_${lib} ${CMAKE_CURRENT_LIST_DIR}/seam_main.cpp)
  target_link_libraries(seam_${lib} PRIVATE "$<LINK_LIBRARY:WHOLE_ARCHIVE,ostree_ima_${lib}>")
endforeach()

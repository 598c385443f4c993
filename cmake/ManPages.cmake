# The man page, ostree-ima(1), from its scdoc source (docs/man/), and the
# bash completion (completions/). The page is built by default when scdoc is
# found (Debian: scdoc); -DOSTREE_IMA_MAN_PAGES=OFF leaves it out, ON without
# scdoc fails here, not half-way through the build.
find_program(SCDOC_EXECUTABLE scdoc)
if(SCDOC_EXECUTABLE)
  set(_ostree_ima_man_default ON)
else()
  set(_ostree_ima_man_default OFF)
endif()
option(OSTREE_IMA_MAN_PAGES "Build and install the man page (needs scdoc)" ${_ostree_ima_man_default})

set(OSTREE_IMA_MAN_SOURCE ${PROJECT_SOURCE_DIR}/docs/man/ostree-ima.1.scd)
set(OSTREE_IMA_COMPLETION ${PROJECT_SOURCE_DIR}/completions/ostree-ima.bash)

if(OSTREE_IMA_MAN_PAGES)
  if(NOT SCDOC_EXECUTABLE)
    message(FATAL_ERROR "OSTREE_IMA_MAN_PAGES=ON needs scdoc: install it (Debian: apt-get install "
      "scdoc) or configure with -DOSTREE_IMA_MAN_PAGES=OFF")
  endif()
  set(OSTREE_IMA_MAN_PAGE ${PROJECT_BINARY_DIR}/man/ostree-ima.1)
  # scdoc reads stdin and writes stdout; a failed run leaves no page behind.
  add_custom_command(OUTPUT ${OSTREE_IMA_MAN_PAGE}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man
    COMMAND sh -c "\"$0\" < \"$1\" > \"$2.tmp\" && mv \"$2.tmp\" \"$2\""
      ${SCDOC_EXECUTABLE} ${OSTREE_IMA_MAN_SOURCE} ${OSTREE_IMA_MAN_PAGE}
    DEPENDS ${OSTREE_IMA_MAN_SOURCE}
    COMMENT "Building the man page ostree-ima.1 with scdoc"
    VERBATIM)
  add_custom_target(man-pages ALL DEPENDS ${OSTREE_IMA_MAN_PAGE})
  install(FILES ${OSTREE_IMA_MAN_PAGE} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()

install(FILES ${OSTREE_IMA_COMPLETION}
  DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
  RENAME ostree-ima)

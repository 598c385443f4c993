# The documentation, the examples and the fixture token script, installed
# where the man page and the tool's messages name them (docs/design.md,
# "What the package installs, and where"):
#   share/doc/ostree-ima/README.md, share/doc/ostree-ima/docs/*.md
#     the README and docs/ as Markdown, in the tree's layout so that their
#     relative links (README.md -> docs/keys.md) hold where installed
#   share/doc/ostree-ima/examples/   the library example (examples/)
#   share/ostree-ima/make-token.sh   the SoftHSM2 token every docs example
#     assumes: a program one runs, so not under share/doc (which a system
#     may leave out: Debian policy 12.3, dpkg's path-exclude)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs
  FILES_MATCHING PATTERN "*.md" PATTERN man EXCLUDE)
install(FILES ${PROJECT_SOURCE_DIR}/examples/CMakeLists.txt
  ${PROJECT_SOURCE_DIR}/examples/sign_commit.cpp DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
install(PROGRAMS ${PROJECT_SOURCE_DIR}/softhsm-fixtures/make-token.sh
  DESTINATION ${CMAKE_INSTALL_DATADIR}/ostree-ima)

# tests/install/test_<name>.py BUILD_DIR SOURCE_DIR: what `make install`
# and `make deb` deliver (included from the tests section of CMakeLists.txt).
set(BEDROCK_INSTALL_TEST_ENV "PYTHONDONTWRITEBYTECODE=1")
if(BEDROCK_SANITIZE)
  # Programs built against the installed ASan library need the runtime too.
  list(APPEND BEDROCK_INSTALL_TEST_ENV
       "BEDROCK_TEST_CFLAGS=-fsanitize=address,undefined -fno-sanitize-recover=all")
endif()
file(GLOB BEDROCK_INSTALL_TESTS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/install/test_*.py)
foreach(src ${BEDROCK_INSTALL_TESTS})
  get_filename_component(name ${src} NAME_WE)
  string(REGEX REPLACE "^test_" "" name ${name})
  # The package is built and installed in the normal build only: an ASan
  # package would need the sanitizer runtimes, and it takes ~25 s.
  if(name STREQUAL "deb" AND BEDROCK_SANITIZE)
    continue()
  endif()
  add_test(NAME install.${name}
           COMMAND ${PYTHON3} ${src} ${CMAKE_BINARY_DIR} ${PROJECT_SOURCE_DIR})
  set_tests_properties(install.${name} PROPERTIES TIMEOUT 600 LABELS install
                       ENVIRONMENT "${BEDROCK_INSTALL_TEST_ENV}")
endforeach()
if(TEST install.deb)
  set_tests_properties(install.deb PROPERTIES LABELS "install;package")
endif()
# Both build in the build tree (make install's no-op build, CPack's
# preinstall): not at the same time.
foreach(t install.install install.deb)
  if(TEST ${t})
    set_tests_properties(${t} PROPERTIES RESOURCE_LOCK bedrock_build_tree)
  endif()
endforeach()

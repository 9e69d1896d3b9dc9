# `make deb`: one Debian package, "bedrock", with everything `make install`
# installs (CLI, shared and static library, headers, bedrock.pc, the CMake
# package, man pages, completion). Its Depends line is computed by
# dpkg-shlibdeps from what the binaries link (package dpkg-dev), so it
# names the libcurl, libssl, cJSON, ... of the Debian release it was built on.
set(BEDROCK_PACKAGE_MAINTAINER "The libbedrock authors <libbedrock@localhost>"
    CACHE STRING "Maintainer field of the Debian package")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME bedrock)
set(CPACK_PACKAGE_VENDOR "The libbedrock authors")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Claude on Amazon Bedrock, from C: the bedrock tool and libbedrock")
set(CPACK_PACKAGE_DESCRIPTION
"The bedrock command talks to Anthropic's Claude models on Amazon Bedrock:
ask and chat from the terminal, the raw Bedrock Runtime calls for scripts,
and a local Bedrock emulator (bedrock emulate, or --emulate on any command)
for work without an AWS account.
.
libbedrock is the C11 library under it: SigV4 and Bedrock API keys, the
AWS credential chain, the event-stream decoder, typed Messages requests and
streams, retries. The package carries the shared and the static library,
headers, pkg-config and CMake files, and man pages for every function.")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
# The package's files come from the install rules alone.
set(CPACK_SOURCE_GENERATOR "")

set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${BEDROCK_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# A shlibs file for libbedrock.so.1, and the ldconfig trigger with it.
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "bash-completion, pkg-config")

include(CPack)

# What `make install` (cmake --install) puts where. Everything is relative
# to the install prefix, so `cmake --install build --prefix P`, DESTDIR and
# CPack's staging all work from one build.
include(CMakePackageConfigHelpers)

# ---- libraries and headers -------------------------------------------------
# In the CMake package the shared library is bedrock::bedrock and the static
# one bedrock::bedrock_static.
set_target_properties(bedrock_shared PROPERTIES EXPORT_NAME bedrock)
set_target_properties(bedrock_static PROPERTIES EXPORT_NAME bedrock_static)
install(TARGETS bedrock_shared bedrock_static EXPORT bedrockTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES ${BEDROCK_PUBLIC_HEADERS} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/bedrock)

# ---- pkg-config: bedrock.pc (and libbedrock.pc, the older name) -------------
# The prefix is only known when installing (--prefix, CPack's /usr), so the
# files are made then, each install in a directory of its own (installs may
# run side by side: the tests, CPack); everything else is filled in now.
set(BEDROCK_PC_PREFIX "@BEDROCK_PC_PREFIX@")
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(BEDROCK_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
  set(_pcdest "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
else()
  set(BEDROCK_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
  set(_pcdest "\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(BEDROCK_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
else()
  set(BEDROCK_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
foreach(pc bedrock libbedrock)
  set(BEDROCK_PC_NAME ${pc})
  configure_file(bedrock.pc.in ${CMAKE_CURRENT_BINARY_DIR}/pkgconfig/${pc}.pc.in @ONLY)
endforeach()
install(CODE "
  set(BEDROCK_PC_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
  string(MD5 _pcdir \"\$ENV{DESTDIR}|\${CMAKE_INSTALL_PREFIX}\")
  set(_pcdir \"${CMAKE_CURRENT_BINARY_DIR}/pkgconfig/\${_pcdir}\")
  foreach(pc bedrock libbedrock)
    configure_file(\"${CMAKE_CURRENT_BINARY_DIR}/pkgconfig/\${pc}.pc.in\"
                   \"\${_pcdir}/\${pc}.pc\" @ONLY)
  endforeach()
  file(INSTALL DESTINATION \"${_pcdest}\" TYPE FILE
       FILES \"\${_pcdir}/bedrock.pc\" \"\${_pcdir}/libbedrock.pc\")
  file(REMOVE_RECURSE \"\${_pcdir}\")")

# ---- CMake package: find_package(bedrock) ------------------------------------
set(BEDROCK_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/bedrock)
install(EXPORT bedrockTargets NAMESPACE bedrock:: DESTINATION ${BEDROCK_CMAKE_DIR})
configure_package_config_file(cmake/bedrockConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/bedrockConfig.cmake INSTALL_DESTINATION ${BEDROCK_CMAKE_DIR})
# The major version is the SONAME's: a program built against 0.x runs on any
# later 0.y (README, "Versioning and ABI").
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/bedrockConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/bedrockConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/bedrockConfigVersion.cmake
        DESTINATION ${BEDROCK_CMAKE_DIR})

# ---- man pages -----------------------------------------------------------------
# bedrock(1) and libbedrock(3) are written by hand; the area pages
# (bedrock_client(3), ...) come from docs/api/*.md and the per-function pages
# from the headers' comments (docs/man/mkman.py).
file(GLOB BEDROCK_MAN1 CONFIGURE_DEPENDS docs/man/*.1)
file(GLOB BEDROCK_MAN3 CONFIGURE_DEPENDS docs/man/*.3)
install(FILES ${BEDROCK_MAN1} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${BEDROCK_MAN3} DESTINATION ${CMAKE_INSTALL_MANDIR}/man3)

find_package(Python3 REQUIRED COMPONENTS Interpreter)
set(BEDROCK_MAN_DIR ${CMAKE_CURRENT_BINARY_DIR}/man)
file(GLOB BEDROCK_API_DOCS CONFIGURE_DEPENDS docs/api/*.md)
# The pages' date: today, or SOURCE_DATE_EPOCH's for a reproducible build.
string(TIMESTAMP BEDROCK_MAN_DATE "%Y-%m-%d" UTC)
add_custom_command(OUTPUT ${BEDROCK_MAN_DIR}/functions.txt
  COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/docs/man/mkman.py
          --include ${PROJECT_SOURCE_DIR}/include/bedrock --docs ${PROJECT_SOURCE_DIR}/docs
          --version ${PROJECT_VERSION} --date ${BEDROCK_MAN_DATE} --out ${BEDROCK_MAN_DIR}
  DEPENDS ${PROJECT_SOURCE_DIR}/docs/man/mkman.py ${BEDROCK_PUBLIC_HEADERS}
          ${BEDROCK_API_DOCS} ${PROJECT_SOURCE_DIR}/docs/ERRORS.md
  COMMENT "Generating the section 3 man pages")
add_custom_target(bedrock_man ALL DEPENDS ${BEDROCK_MAN_DIR}/functions.txt)
# A directory, not a file list: the set of functions is only known once
# the headers have been read, at build time.
install(DIRECTORY ${BEDROCK_MAN_DIR}/man3/ DESTINATION ${CMAKE_INSTALL_MANDIR}/man3)

# ---- shell completion ------------------------------------------------------------
# Model names (families, aliases, base ids) and Regions for -m and --region
# come from the catalog, so they never fall behind it.
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
  ${PROJECT_SOURCE_DIR}/src/lib/models/models_data.c ${PROJECT_SOURCE_DIR}/src/lib/models/models_profiles.c)
file(STRINGS src/lib/models/models_data.c _bedrock_rows REGEX "^[ \t]*{ \"anthropic\\.")
set(_families "")
set(_aliases "")
set(_ids "")
foreach(row IN LISTS _bedrock_rows)
  if(row MATCHES "{ \"([^\"]+)\", \"[^\"]*\", \"([^\"]+)\", \"([^\"]+)\"")
    list(APPEND _ids ${CMAKE_MATCH_1})
    list(APPEND _aliases ${CMAKE_MATCH_2})
    list(APPEND _families ${CMAKE_MATCH_3})
  endif()
endforeach()
list(REMOVE_DUPLICATES _families)
if(NOT _aliases)
  message(FATAL_ERROR "no model aliases found in src/lib/models/models_data.c")
endif()
string(REPLACE ";" " " BEDROCK_COMPLETION_MODELS "${_families};${_aliases};${_ids}")
file(READ src/lib/models/models_profiles.c _bedrock_profiles_src)
string(REGEX MATCHALL "\"[a-z][a-z](-gov)?-[a-z]+-[0-9]+\"" _regions "${_bedrock_profiles_src}")
string(REPLACE "\"" "" _regions "${_regions}")
list(REMOVE_DUPLICATES _regions)
list(SORT _regions)
string(REPLACE ";" " " BEDROCK_COMPLETION_REGIONS "${_regions}")
configure_file(completions/bedrock.bash.in ${CMAKE_CURRENT_BINARY_DIR}/completions/bedrock @ONLY)
configure_file(completions/_bedrock.in ${CMAKE_CURRENT_BINARY_DIR}/completions/_bedrock @ONLY)
if(BEDROCK_BUILD_CLI)
  install(FILES ${CMAKE_CURRENT_BINARY_DIR}/completions/bedrock
          DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
  install(FILES ${CMAKE_CURRENT_BINARY_DIR}/completions/_bedrock
          DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/site-functions)
endif()

install(FILES README.md LICENSE DESTINATION ${CMAKE_INSTALL_DOCDIR})

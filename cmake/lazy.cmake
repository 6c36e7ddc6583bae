# lazy.cmake — the heavy libraries loaded on the first call into them
# (common/lazy.h, scripts/lazy-stubs): a process links trampolines instead,
# so `asset-worker process` on a WAV loads FFmpeg's format and codec
# libraries, not libvips, LLVM or poppler, and a supervisor none of them.
# aw_pkg_link(TARGET PREFIX) gives TARGET a pkg-config module's headers and,
# without AW_LAZY, its libraries; with it, the libraries named in
# AW_LAZY_<PREFIX> come from the trampolines (aw_lazy) and the rest of the
# module's libraries (GLib's, say) are linked as usual.
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  set(AW_LAZY_DEFAULT ON)
else()
  set(AW_LAZY_DEFAULT OFF) # the trampolines are x86-64 assembly
endif()
option(AW_LAZY "Load FFmpeg, libvips, OSMesa, assimp, poppler, ClamAV … on first use" ${AW_LAZY_DEFAULT})
# Sanitizer builds link the libraries: LeakSanitizer (GCC 12, clang 14)
# crashes at exit scanning the dynamic TLS of dlopen()ed libraries ("Tracer
# caught signal 11"). The trampolines are tested by the plain build.
if(AW_LAZY AND (AW_SANITIZE OR AW_FUZZ))
  message(STATUS "AW_LAZY off: sanitizer builds link the libraries directly")
  set(AW_LAZY OFF)
endif()

set(AW_LAZY_VIPS vips)
set(AW_LAZY_CLAMAV clamav)
set(AW_LAZY_FFMPEG avformat avcodec avfilter avutil swscale swresample)
set(AW_LAZY_POPPLER poppler-glib cairo)
set(AW_LAZY_GSF gsf-1)
set(AW_LAZY_ASSIMP assimp)
set(AW_LAZY_OSMESA OSMesa)
set(AW_LAZY_TIFF tiff)
set(AW_LAZY_CURL curl)
set(AW_LAZY_RDKAFKA rdkafka)
set(AW_LAZY_MHD microhttpd)
set(AW_LAZY_SQLITE sqlite3)

if(AW_LAZY)
  enable_language(ASM)
endif()
set(AW_LAZY_LIBRARIES "" CACHE INTERNAL "")

# The trampolines of one library, generated into the build tree.
function(aw_lazy_library name)
  string(MAKE_C_IDENTIFIER "${name}" tag)
  get_property(done GLOBAL PROPERTY AW_LAZY_DONE_${tag})
  if(done)
    return()
  endif()
  set_property(GLOBAL PROPERTY AW_LAZY_DONE_${tag} TRUE)
  find_library(AW_LIB_${tag} NAMES ${name} REQUIRED)
  if(NOT TARGET aw_lazy) # the trampolines; their resolver is aw_common's lazy.c
    add_library(aw_lazy STATIC)
    target_link_libraries(aw_lazy PUBLIC aw_common)
  endif()
  set(dir ${CMAKE_BINARY_DIR}/lazy)
  add_custom_command(OUTPUT ${dir}/lazy_${tag}.S ${dir}/lazy_${tag}.c
    COMMAND python3 ${PROJECT_SOURCE_DIR}/scripts/lazy-stubs ${dir} ${tag} ${AW_LIB_${tag}}
    DEPENDS ${PROJECT_SOURCE_DIR}/scripts/lazy-stubs ${AW_LIB_${tag}} VERBATIM)
  target_sources(aw_lazy PRIVATE ${dir}/lazy_${tag}.S ${dir}/lazy_${tag}.c)
  set(AW_LAZY_LIBRARIES "${AW_LAZY_LIBRARIES};${AW_LIB_${tag}}" CACHE INTERNAL "")
endfunction()

function(aw_pkg_link target scope prefix)
  if(NOT AW_LAZY OR NOT DEFINED AW_LAZY_${prefix})
    target_link_libraries(${target} ${scope} PkgConfig::${prefix})
    return()
  endif()
  target_include_directories(${target} ${scope} ${${prefix}_INCLUDE_DIRS})
  target_compile_options(${target} ${scope} ${${prefix}_CFLAGS_OTHER})
  foreach(lib ${${prefix}_LIBRARIES})
    if(lib IN_LIST AW_LAZY_${prefix})
      aw_lazy_library(${lib})
    else()
      find_library(AW_DIRECT_${lib} NAMES ${lib} HINTS ${${prefix}_LIBRARY_DIRS} REQUIRED)
      target_link_libraries(${target} ${scope} ${AW_DIRECT_${lib}})
    endif()
  endforeach()
  target_link_libraries(${target} ${scope} aw_lazy)
endfunction()
